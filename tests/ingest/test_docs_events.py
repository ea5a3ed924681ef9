"""docs/events.md's tables for office CSV files say what the code does: the Japanese column names
are exactly riskmon.ingest.headers.HEADERS, and every value form the docs list is read (or
refused) as the docs say."""

from __future__ import annotations

import re

import pytest

from riskmon.events.registry import FAMILIES
from riskmon.i18n import label
from riskmon.ingest.cells import Refused, canonical, normalise_cell
from riskmon.ingest.encodings import ENCODINGS
from tests.helpers import ROOT

DOC = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
#: the example field each kind of the docs' value tables is checked on
FIELD_OF_KIND = {
    "count": ("forms_received", "daily_report"),
    "date": ("business_date", "daily_report"),
    "date-time": ("discovered_at", "error_report"),
    "yes/no": ("personal_info_involved", "error_report"),
    "id": ("unit_id", "daily_report"),
}


def _table(heading: str) -> list[list[str]]:
    """The rows of the first table under ``heading`` (cells stripped, header row dropped)."""
    part = DOC.split(heading, 1)[1]
    lines = next(line for line in part.split("\n\n") if line.startswith("|")).splitlines()
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


def _spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]*)`", cell)


def test_the_japanese_column_names_table_is_the_headers_table() -> None:
    from riskmon.ingest.headers import HEADERS

    rows = _table("### Japanese column names")
    assert {name: _spans(field)[0] for name, field, _ in rows} == HEADERS
    assert len(rows) == len(HEADERS)
    for _, field, types in rows:
        having = [t for t, family in FAMILIES.items() if _spans(field)[0] in family.field_names]
        assert (types == "every type") if len(having) == len(FAMILIES) else (_spans(types) == having)


def _forms() -> list[tuple[str, str, str]]:
    out = []
    for kind, written, read_as in _table("### Values as offices write them"):
        results = _spans(read_as)
        for i, text in enumerate(_spans(written)):
            out.append((kind, text, results[i % len(results)]))
    return out


@pytest.mark.parametrize(("kind", "written", "read_as"), _forms())
def test_every_documented_form_is_read_as_documented(kind: str, written: str, read_as: str) -> None:
    if kind == "code":
        field, type_name = ("type", None) if read_as in FAMILIES else ("category", "error_report")
    else:
        field, type_name = FIELD_OF_KIND[kind]
    value = normalise_cell(field, written, type_name)
    assert not isinstance(value, Refused)
    assert canonical(value) == read_as


def _refusals() -> list[tuple[str, str, str]]:
    return [(kind, text, _spans(code)[0]) for kind, written, code in _table("Refused, with the reason, rather than guessed:")
            for text in _spans(written)]  # fmt: skip


@pytest.mark.parametrize(("kind", "written", "code"), _refusals())
def test_every_documented_refusal_is_refused_with_its_code(kind: str, written: str, code: str) -> None:
    field, type_name = FIELD_OF_KIND[kind]
    refused = normalise_cell(field, written, type_name)
    assert isinstance(refused, Refused) and refused.reason.code == code


def test_the_encodings_the_summary_names_are_the_documented_ones() -> None:
    rows = _table("### Encodings")
    said = {_spans(summary)[0]: summary for _, _, summary in rows if _spans(summary)}
    assert set(said) == set(ENCODINGS)
    for code in ENCODINGS:
        assert f"({label(code)})" in said[code]
