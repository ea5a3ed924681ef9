"""Filter values checked against their vocabulary before any query runs.

A filter value that matches nothing (``--severity Critical``, ``--line 1``, ``--status resolved``)
used to give an empty list, which reads as "all clear". Here it is an error that lists the values
that exist and suggests the nearest one, the way the ingest's reasons do (riskmon.events.reasons).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

from riskmon.cli.errors import CliError, ExitCode
from riskmon.domain import FlagStatus
from riskmon.events.enums import LineOfDefence, UnitType
from riskmon.events.registry import FAMILIES
from riskmon.i18n import label
from riskmon.rules.spec import LINES, SEVERITIES

#: --status of ``flags list``: the detection status, or both
FLAG_STATUSES = (*(s.value for s in FlagStatus), "all")
#: more values than this are not all listed in the message (units: hundreds of them)
LIST_AT_MOST = 20
#: what people type for a line of defence
_LINE_ALIASES = {"1": "first", "2": "second", "3": "third", "1st": "first", "2nd": "second", "3rd": "third"}


def guess(value: str, allowed: Iterable[str], aliases: Mapping[str, str] | None = None) -> str | None:
    """The allowed value the user most likely meant: same letters in another case, an alias or
    label (第一線 → first), the only value it begins, or the closest spelling (difflib)."""
    choices = list(allowed)
    folded = {c.casefold(): c for c in choices}
    key = value.strip().casefold()
    if key in folded:
        return folded[key]
    known = {**{k.casefold(): v for k, v in (aliases or {}).items()}, **_labels_of(choices)}
    if key in known:
        return known[key]
    starting = [c for c in choices if c.casefold().startswith(key)] if key else []
    if len(starting) == 1:  # "daily" → daily_report
        return starting[0]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def _labels_of(choices: list[str]) -> dict[str, str]:
    return {label(c, lang).casefold(): c for c in choices for lang in ("ja", "en") if label(c, lang) != c}


def check(option: str, value: str | None, allowed: Iterable[str], *, aliases: Mapping[str, str] | None = None,
          listing_ja: str = "", listing_en: str = "") -> None:  # fmt: skip
    """Raise a usage error naming the allowed values unless ``value`` is one of them (or None)."""
    choices = list(allowed)
    if value is None or value in choices:
        return
    near = guess(value, choices, aliases)
    hint_ja, hint_en = (f"（もしかして '{near}'？）", f" (did you mean '{near}'?)") if near else ("", "")
    if len(choices) <= LIST_AT_MOST:
        values = ", ".join(choices) if choices else "-"
        ja_list, en_list = f"。使える値：{values}", f"; allowed values: {values}"
    else:
        ja_list, en_list = f"。{len(choices)}件の値があります{listing_ja}", f"; there are {len(choices)} values{listing_en}"
    raise CliError(f"{option}: '{value}' はありません{hint_ja}{ja_list}", f"{option}: no such value '{value}'{hint_en}{en_list}",
                   ExitCode.USAGE)  # fmt: skip


def check_event_type(value: str | None) -> None:
    check("--type", value, FAMILIES)


def check_unit_type(value: str | None) -> None:
    check("--type", value, [t.value for t in UnitType])


def check_unit_line(value: str | None) -> None:
    """Lines a unit can be on (the units master also has governance and external bodies)."""
    check("--line", value, [x.value for x in LineOfDefence], aliases=_LINE_ALIASES)


def check_flag_line(value: str | None) -> None:
    """Lines a flag can be owned by (rules route to the three lines only)."""
    check("--line", value, LINES, aliases=_LINE_ALIASES)


def check_severity(value: str | None) -> None:
    check("--severity", value, SEVERITIES)


def check_flag_status(value: str | None) -> None:
    check("--status", value, FLAG_STATUSES)


def check_unit(value: str | None, known: Callable[[], Iterable[str]], option: str = "--unit") -> None:
    """``known`` is asked only when a unit was given (reading the units master costs a query)."""
    if value is None:
        return
    check(option, value, sorted(known()), listing_ja="（riskmon units list）", listing_en=" (see riskmon units list)")


def check_rule(value: str | None, known: Callable[[], Iterable[str]]) -> None:
    """Rule ids: those in the rule files and those that ever raised a flag (a removed rule's flags stay)."""
    if value is None:
        return
    check("--rule", value, sorted(set(known())), listing_ja="（riskmon rules list）", listing_en=" (see riskmon rules list)")
