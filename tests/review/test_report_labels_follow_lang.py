"""The committee pack's words come from the catalogue in the pack's language, xlsx included
(here, beside the review fixtures: the flags of PO-001)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.reports import committee
from tests.helpers import NOW, shipped

CAL = BusinessCalendar()
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("lang", "sheets", "offices_header", "severities"),
    [
        ("ja", ["外部委託検査", "不適事項", "事務処理誤り_月別", "事務処理誤り_分類別", "重点三事案_期限超過", "重点三事案_期限後完了",
                "拠点別発生率", "リスクの高い拠点"],
         ["拠点", "スコア", "重大", "高", "中", "重点三事案", "その他", "滞留"], "重大2件"),
        ("en", ["Inspections", "Nonconformities", "Errors by month", "Errors by category", "Overdue priority", "Completed late",
                "Error rates by office", "Highest-risk offices"],
         ["office", "score", "critical", "high", "medium", "priority", "other", "backlog"], "critical 2"),
    ],
)  # fmt: skip
def test_pack_words_and_xlsx_headers_follow_the_language(engine: Engine, flags: dict[str, int], tmp_path: Path, lang: str,
                                                         sheets: list[str], offices_header: list[str],
                                                         severities: str) -> None:  # fmt: skip
    content = committee.build(
        engine, date(2025, 4, 1), date(2025, 4, 30), NOW, CAL, shipped("R01", "R02", "R03"), lang="en" if lang == "en" else "ja"
    )
    committee.write(engine, content, tmp_path / lang, CAL)
    book = load_workbook(tmp_path / lang / "committee.xlsx")
    assert book.sheetnames == sheets
    assert [c.value for c in book[sheets[-1]][1]] == offices_header
    # every header of every sheet is in the pack's language: Japanese words in ja, none in en
    assert {(ws.title, str(c.value)) for ws in book for c in ws[1] if bool(JAPANESE.search(str(c.value))) != (lang == "ja")} == set()
    md = (tmp_path / lang / "committee.md").read_text(encoding="utf-8")
    # open flags by severity, labelled: two critical flags of PO-001 (R01 and R02 on C2, My Number given to a third party)
    assert severities in md
    assert ("クローズ" in md, "critical 2" in md) == (False, lang == "en")
