"""Every word users see, in one catalogue: Japanese by default, English on request (``--lang en``).

Code and files use the glossary's English identifiers; this package is the only place that turns
them into words, so a label is fixed once for the CLI, the reports, the web pages and the error
messages. One lookup API over the catalogue's parts, whose content is split by area into modules
of this package so that no file grows into a dump of every word:

- the domain's values (severity, line, case status, …): :data:`riskmon.domain.LABELS`, looked up
  by the enum member (``label(Severity.HIGH)``) — an enum member is never ambiguous, whereas the
  string ``"open"`` is both an engine status (発生中) and a case status (未対応);
- the event vocabulary (event types, unit types, error categories, …):
  :mod:`riskmon.i18n.vocabulary`, by code (``label("daily_report")``);
- fixed phrases, by namespace and key (``phrase("report", "title")``): the documents' in
  :mod:`riskmon.i18n.documents` (``report``, ``review``) and :mod:`riskmon.i18n.assurance` (``assurance``), the web pages' in
  :mod:`riskmon.i18n.pages` (``web``), a rule condition's in :mod:`riskmon.i18n.conditions`
  (``condition``), a flag's evidence keys in :mod:`riskmon.i18n.evidence` (``evidence``, read
  through :func:`evidence_label`), the 月次・年次公表's in :mod:`riskmon.i18n.publication`
  (``publication``).

:func:`catalogue` walks every part, so ``tests/test_i18n.py`` fails when any entry lacks its
other language. Templates get :func:`label` and :func:`translator` bound to the document's or the
request's language; no module keeps a word table of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum, StrEnum
from typing import Literal

from riskmon.domain import LABELS as DOMAIN_LABELS
from riskmon.i18n.assurance import ASSURANCE
from riskmon.i18n.changes import CHANGE_WORDS
from riskmon.i18n.conditions import CONDITION
from riskmon.i18n.documents import REPORT, REVIEW
from riskmon.i18n.evidence import EVIDENCE
from riskmon.i18n.pages import NO_ENGLISH_WORD, WEB
from riskmon.i18n.powers import POWERS, POWERS_PAGES
from riskmon.i18n.publication import PUBLICATION
from riskmon.i18n.vocabulary import VOCABULARY
from riskmon.i18n.web_ingest import INGEST_WORDS
from riskmon.i18n.web_reports import WEB_REPORTS
from riskmon.i18n.web_sso import SSO_WORDS

Lang = Literal["ja", "en"]

_LABELS = VOCABULARY
#: the web's words, kept by area (the pages, the oversight pages, the powers, the change records);
#: one namespace for the templates, so a key two areas define would silently lose one wording
_WEB_PARTS = (WEB, WEB_REPORTS, POWERS_PAGES, CHANGE_WORDS, INGEST_WORDS, SSO_WORDS)
_TWICE = sorted({k for i, a in enumerate(_WEB_PARTS) for b in _WEB_PARTS[i + 1 :] for k in a.keys() & b.keys()})
if _TWICE:
    raise RuntimeError(f"web keys defined twice: {_TWICE}")
_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "report": REPORT, "review": REVIEW, "web": {k: v for part in _WEB_PARTS for k, v in part.items()},
    "condition": CONDITION, "evidence": EVIDENCE,
    "publication": PUBLICATION, "assurance": ASSURANCE, "powers": POWERS,
}  # fmt: skip

#: Entries whose English is deliberately empty (a Japanese counter word such as 件); the
#: completeness test allows exactly these, and only with an empty English side.
NO_ENGLISH: frozenset[str] = frozenset(f"web:{key}" for key in NO_ENGLISH_WORD)


def label(value: str | Enum | None, lang: Lang | str = "ja") -> str:
    """The user-facing label of a domain value or a vocabulary code; unknown codes are shown as they are.

    A plain string that names a domain value is found too when every domain enum that has it
    agrees on the words (``"high"``, ``"first"``); ``"open"`` — 発生中 as an engine status, 未対応
    as a case — is not, so callers pass the enum member wherever a status is meant."""
    if value is None:
        return ""
    if isinstance(value, StrEnum) and value in DOMAIN_LABELS:
        return pick(DOMAIN_LABELS[value], lang)
    key = str(value.value if isinstance(value, Enum) else value)
    pair = _LABELS.get(key) or _DOMAIN_BY_VALUE.get(key)
    if pair is None:
        return key
    return pick(pair, lang)


def phrase(namespace: str, key: str, lang: Lang | str = "ja") -> str:
    """A fixed phrase of a document; an unknown key is a KeyError the tests catch, never a blank."""
    return pick(_PHRASES[namespace][key], lang)


def evidence_label(key: str, lang: Lang | str = "ja") -> str:
    """What an evidence key (``due_at``, ``previous_window``…) is called; an unknown key — a rule
    field the catalogue does not know yet — is the vocabulary's word or the key itself, never blank."""
    pair = EVIDENCE.get(key)
    return pick(pair, lang) if pair else label(key, lang)


def translator(namespace: str, lang: Lang | str = "ja") -> Callable[[str], str]:
    """``phrase`` bound to one namespace and language: what a template calls as ``t('key')``."""
    table = _PHRASES[namespace]

    def t(key: str) -> str:
        return pick(table[key], lang)

    return t


def phrases(namespace: str, lang: Lang | str = "ja") -> dict[str, str]:
    """Every phrase of a namespace in ``lang`` (what a template reads as ``t.key``)."""
    return {k: pick(v, lang) for k, v in _PHRASES[namespace].items()}


def catalogue() -> Iterator[tuple[str, tuple[str, str]]]:
    """Every entry of the catalogue as ``(where, (ja, en))``, for the completeness test."""
    for member, pair in DOMAIN_LABELS.items():
        yield f"domain:{type(member).__name__}.{member.name}", pair
    for key, pair in _LABELS.items():
        yield f"vocabulary:{key}", pair
    for namespace, table in _PHRASES.items():
        for key, pair in table.items():
            yield f"{namespace}:{key}", pair


def pick(pair: tuple[str, str], lang: str) -> str:
    """The wording for ``lang`` from a ``(ja, en)`` pair, the shape every label table uses."""
    return pair[0] if lang == "ja" else pair[1]


def msg(ja: str, en: str, lang: Lang) -> str:
    """Pick one of a message's two wordings."""
    return pick((ja, en), lang)


def _unambiguous_domain_labels() -> dict[str, tuple[str, str]]:
    seen: dict[str, set[tuple[str, str]]] = {}
    for member, pair in DOMAIN_LABELS.items():
        seen.setdefault(member.value, set()).add(pair)
    return {value: next(iter(pairs)) for value, pairs in seen.items() if len(pairs) == 1}


_DOMAIN_BY_VALUE = _unambiguous_domain_labels()
