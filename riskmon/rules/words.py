"""Suggestions for rule authors: the nearest valid spelling, the code behind a Japanese label,
the operator meant by a programmer's word. Rule authors are not programmers; a message that says
what they probably meant saves a round trip to the developers.

Not a word table: labels are looked up in the one catalogue (:func:`riskmon.i18n.label`); the
synonyms below are spellings a rule author may type, mapped to codes, never shown as words.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from riskmon.i18n import label

#: words people reach for, mapped to the operator the rule language has
OPERATOR_SYNONYMS: dict[str, str] = {
    "greater_than": "above", "gt": "above", "more_than": "above", "over": "above", "exceeds": "above",
    "greater_than_or_equal": "at_least", "gte": "at_least", "ge": "at_least", "min": "at_least", "minimum": "at_least",
    "less_than": "below", "lt": "below", "fewer_than": "below", "under": "below",
    "less_than_or_equal": "at_most", "lte": "at_most", "le": "at_most", "max": "at_most", "maximum": "at_most",
    "equals": "is", "eq": "is", "equal": "is", "==": "is", "=": "is",
    "not_equal": "is_not", "ne": "is_not", "neq": "is_not", "!=": "is_not", "not": "is_not",
    "one_of": "in", "any_of": "in", "none_of": "not_in", "includes": "contains", "has": "exists",
    "present": "exists", "absent": "missing", "null": "missing", "empty": "missing",
}  # fmt: skip


def msg(ja: str, en: str) -> str:
    """A message in both languages, the way every rule-file problem is written."""
    return f"{ja} / {en}"


def did_you_mean(word: object, choices: Iterable[str], synonyms: dict[str, str] | None = None) -> str | None:
    """The choice ``word`` most probably meant: a known synonym, the code whose Japanese or
    English label it is, or the closest spelling."""
    options = list(choices)
    text = str(word)
    if synonyms and synonyms.get(text.lower()) in options:
        return synonyms[text.lower()]
    by_label = code_for_label(text, options)
    if by_label:
        return by_label
    matches = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def code_for_label(text: str, codes: Iterable[str]) -> str | None:
    """The code among ``codes`` whose label (:mod:`riskmon.i18n`, either language) is ``text``."""
    wanted = text.strip().lower()
    for code in codes:
        if wanted in (label(code, "ja").lower(), label(code, "en").lower()) and wanted != code:
            return code
    return None


def hint(guess: str | None) -> tuple[str, str]:
    """The "did you mean" tail of a message, in Japanese and English."""
    return (f"（もしかして '{guess}'？）", f" (did you mean '{guess}'?)") if guess else ("", "")
