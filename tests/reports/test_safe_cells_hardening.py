"""Issue #9 item 2: no text written to an xlsx or CSV export becomes a spreadsheet formula.

Property tests over text that starts (after any leading whitespace) with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: the real workbook is saved and read back with openpyxl, the
real CSV is written and read back with the csv module.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from riskmon.business_calendar import TOKYO
from riskmon.reports.render import write_xlsx
from riskmon.reports.safe_cells import csv_cell, csv_row, looks_like_formula, xlsx_text

AS_OF = datetime(2025, 9, 30, 23, 0, tzinfo=TOKYO)
TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
ANY_TEXT = st.text(st.characters(), max_size=40)
#: text a spreadsheet would read as a formula: a tab or carriage return first, or an operator after any leading whitespace
FORMULA_LIKE = st.builds(lambda pad, trigger, rest: pad + trigger + rest, st.sampled_from(["", " ", "  ", "\u3000", "\n", "\t "]),
                         st.sampled_from(TRIGGERS[:4] + TRIGGERS[6:]), ANY_TEXT) | st.builds(
    lambda trigger, rest: trigger + rest, st.sampled_from(["\t", "\r"]), ANY_TEXT)  # fmt: skip
#: text XML carries unchanged (no carriage return, nothing XML 1.0 forbids)
XML_SAFE = st.characters(
    exclude_categories=("Cs",), exclude_characters="\r\ufffe\uffff" + "".join(map(chr, [*range(9), 11, 12, *range(14, 32)]))
)
ATTACKS = ['=HYPERLINK("http://evil.example/","x")', "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0", "+1+1", "-1+1",
           "\t=1+1", "\r=1+1", " =1+1", "＝１＋１"]  # fmt: skip


def saved(tmp_path: Path, values: list[str]) -> list[tuple[object, str, bool]]:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": [["header"], *([v] for v in values)]}, AS_OF)
    ws = load_workbook(path)["s"]
    return [(c.value, c.data_type, bool(c.quotePrefix)) for (c,) in ws.iter_rows(min_row=2, max_col=1)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=FORMULA_LIKE)
def test_formula_like_text_is_a_quoted_string_cell_in_xlsx(tmp_path: Path, text: str) -> None:
    assert looks_like_formula(text)
    assert saved(tmp_path, [text]) == [(xlsx_text(text), "s", True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.builds(lambda trigger, rest: trigger + rest, st.sampled_from([t for t in TRIGGERS if t != "\r"]), st.text(XML_SAFE)))
def test_xlsx_keeps_the_value_unchanged(tmp_path: Path, text: str) -> None:
    assert saved(tmp_path, [text]) == [(text, "s", True)]


def test_known_attacks_in_xlsx(tmp_path: Path) -> None:
    cells = saved(tmp_path, [*ATTACKS, "普通の文", "x=1", "\x01=bell", "=\ufffe\uffff\ud800"])
    expected = [(a, "s", True) for a in ATTACKS[:6]] + [("\n=1+1", "s", True), (" =1+1", "s", True), ("＝１＋１", "s", True)]
    unreadable = [("\ufffd=bell", "s", False), ("=\ufffd\ufffd\ufffd", "s", True)]  # XML cannot carry these: replaced, not fatal
    assert cells == [*expected, ("普通の文", "s", False), ("x=1", "s", False), *unreadable]


def test_numbers_stay_numbers_in_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"s": [["a", "b"], [-5, 1.5]]}, AS_OF)
    assert [(c.value, c.data_type) for c in load_workbook(path)["s"][2]] == [(-5, "n"), (1.5, "n")]


def csv_round_trip(values: list[object]) -> list[str]:
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(values))
    return next(csv.reader(io.StringIO(out.getvalue(), newline="")))


@given(text=FORMULA_LIKE)
def test_formula_like_csv_cells_get_a_leading_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text
    assert csv_round_trip([text]) == ["'" + text]


@given(text=ANY_TEXT)
def test_other_csv_cells_are_unchanged(text: str) -> None:
    plain = "x" + text
    assert csv_round_trip([plain, 7]) == [plain, "7"]


def test_known_attacks_in_csv() -> None:
    assert csv_round_trip([*ATTACKS, -3, "普通"]) == ["'" + a for a in ATTACKS] + ["-3", "普通"]
