"""イベント's field table: a stored event's fields as the reader should see them.

The store keeps an event as typed columns (``discovered_at``, ``category``, ``personal_info_involved``
…); a risk officer reads 発見日時, 入力誤り, はい. So each field is shown under its catalogue label
(``ev_<field>`` in :mod:`riskmon.i18n.pages`, or ``ev_<type>.<field>`` where a family means
something more precise, as the 発生部署 of an error report), and its value in words: a code by its
label, a unit by its name, a time in the configured zone, a yes/no as はい/いいえ. A field with no
value (an optional note, an unreported occurrence time) is left out rather than shown as an empty
row; the event id is the card's heading and the 不適事項 have their own table, so neither is a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from riskmon.i18n import Lang, label, phrases
from riskmon.web.when import when_text

#: shown elsewhere on the page (the heading, the 不適事項 table), never as a row
SHOWN_ELSEWHERE = frozenset({"event_id", "type", "nonconformities"})
#: fields that name a unit: shown by the unit's name, with its id
UNIT_FIELDS = frozenset({"unit_id", "discovered_by_unit_id"})
#: fields whose value is a vocabulary code (category, step, inspection type …): shown by its label
CODED = frozenset(
    {"category", "report_kind", "business_area", "step", "cause_category", "inspection_type", "aspect", "impact_kind", "scheme"}
)


class Row(NamedTuple):
    field: str
    name: str
    text: str
    written: str = ""  # the cell as the office wrote it, where it was read into another form (issue #14)


def field_name(event_type: str, field: str, words: Mapping[str, str]) -> str:
    """The label of ``field`` of an ``event_type``; a field the catalogue does not know yet is
    shown by its own name (tests/web/test_events_page.py checks that every stored one is known)."""
    return words.get(f"ev_{event_type}.{field}") or words.get(f"ev_{field}") or field


def value_text(field: str, value: Any, lang: Lang, tz: ZoneInfo, units: Mapping[str, str], words: Mapping[str, str]) -> str:
    """``value`` in words (see the module's docstring); "" when there is nothing to show."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return words["ev_yes" if value else "ev_no"]
    if isinstance(value, date):  # a datetime too: 和暦 in Japanese, as every page says times (riskmon.web.when)
        return when_text(value, tz, lang)
    if field in UNIT_FIELDS:
        name = units.get(str(value))
        return f"{name} ({value})" if name and name != value else str(value)
    if field == "discovery_channel":
        return words.get(f"channel_{value}", str(value))
    if field in CODED:
        return label(str(value), lang)
    if field == "amount_impact_jpy":
        return words["ev_yen"].replace("{n}", f"{value:,}")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def field_rows(
    event_type: str,
    fields: Mapping[str, Any],
    lang: Lang,
    tz: ZoneInfo,
    units: Mapping[str, str],
    written: Mapping[str, str] | None = None,
) -> list[Row]:
    """The event's fields in the store's order, labelled, without the empty ones; ``written``: the
    cells an office form rewrote (令和7年4月7日, １２), shown beside the value read from them."""
    words = phrases("web", lang)
    rows = []
    for field, value in fields.items():
        if field in SHOWN_ELSEWHERE:
            continue
        text = value_text(field, value, lang, tz, units, words)
        if text:
            rows.append(Row(field, field_name(event_type, field, words), text, (written or {}).get(field, "")))
    return rows
