"""The committee pack on the sample year: the progress-report table exactly, reproducible files,
and what changed since the previous pack."""

from __future__ import annotations

import hashlib
import time
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.reports import committee
from riskmon.reports.data import period_label
from riskmon.reports.render import display_width
from tests.helpers import shipped

CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)


def test_h1_inspection_table_matches_the_progress_report(sample_db: Engine) -> None:
    content = committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    rows = {
        r["type"]: (r["count"], r["nonconformities"], r["prev_count"], r["prev_nonconformities"]) for r in content["inspections"]["rows"]
    }
    assert rows == {"pre_commencement": (65, 0, 98, 0), "in_performance": (178, 3, 181, 1), "delivery": (1368, 0, 1345, 0),
                    "post_completion": (112, 0, 139, 0)}  # fmt: skip
    assert [d["remediation"] for d in content["inspections"]["details"]] == ["検査当日に解消"] * 3
    assert content["errors"]["total"] == 198  # S2:366, pinned in the sample (riskmon/sample/error_plan.py)
    assert content["errors"]["by_category"][0]["priority"] is True


def test_pack_files_are_reproducible_and_legible(sample_db: Engine, tmp_path: Path) -> None:
    content = committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    a = committee.write(sample_db, content, tmp_path / "a", CAL)
    time.sleep(1.1)  # writers that stamp the save time would now differ
    b = committee.write(sample_db, committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped()),
                        tmp_path / "b", CAL)  # fmt: skip
    assert a.data_hash == b.data_hash
    for fa, fb in zip(a.files, b.files, strict=True):
        assert hashlib.sha256(fa.read_bytes()).digest() == hashlib.sha256(fb.read_bytes()).digest(), fa.name
    md = (tmp_path / "a" / "committee.md").read_text(encoding="utf-8")
    assert "| 履行中検査 | 178 | 3※ | 181 | 1 |" in md and "令和7年度（上期）" in md and "令和6年度（上期）" in md
    html = (tmp_path / "a" / "committee.html").read_text(encoding="utf-8")
    assert "<svg" in html and "@page { size: A4" in html and "<script" not in html
    ws = load_workbook(tmp_path / "a" / "committee.xlsx")["外部委託検査"]
    assert [c.value for c in ws[3]] == ["履行中検査", 178, 3, 181, 1]
    # the progress report's footnote, word for word (S2:271-276), built from the data
    assert ("\n※不適事項：業務委託員に変更があったにもかかわらず、提出すべき業務委託員名簿の提出が漏れていたもの等。"
            "いずれのケースも検査当日に不備が解消。\n") in md  # fmt: skip
    assert "### 契約単位の指摘事項\n\n| 契約 | 委託先 | 指摘 | 状況 |" in md
    # dates people read are 和暦 in the documents, real dates in the xlsx
    assert "- 対象期間：令和7年4月1日～令和7年9月30日（前年同期：令和6年4月1日～令和6年9月30日）" in md
    assert "- データ時点：令和7年9月30日\n- 作成日：令和7年9月30日 / 作成部署：リスク統括部 / 取扱区分：取扱注意\n" in md
    assert "<dt>対象期間</dt><dd>令和7年4月1日～令和7年9月30日</dd>\n<dt>データ時点</dt><dd>令和7年9月30日</dd>" in html
    assert "令和7年度（上期）の事務処理誤り発生件数は198件、うち重点三事案69件。令和7年度の累計は198件（9月末時点）。" in md
    assert "算式：スコア（最大25点）＝フラグ点（未完了の重大3点・高2点・中1点、上限10点）＋" in md and "open critical" not in md
    assert '<p class="handling">取扱注意</p>' in html and "<h2>付録：データの出所</h2>" in html
    assert "2025-0" not in md.split("## ")[1]  # no ISO date in the inspection section
    nc = load_workbook(tmp_path / "a" / "committee.xlsx")["不適事項"]
    assert isinstance(nc.cell(row=2, column=1).value, datetime) and nc.cell(row=2, column=1).number_format == "yyyy-mm-dd"


def test_the_next_pack_says_what_changed(sample_db: Engine, tmp_path: Path) -> None:
    july = datetime(2025, 7, 31, 23, 0, tzinfo=TOKYO)
    evaluate(sample_db, shipped(), july, CAL)  # the flags as they stood at the first pack
    first = committee.build(sample_db, date(2025, 6, 1), date(2025, 7, 31), july, CAL, shipped())
    committee.write(sample_db, first, tmp_path / "p1", CAL)
    evaluate(sample_db, shipped(), datetime(2025, 9, 30, 23, 0, tzinfo=TOKYO), CAL)
    second = committee.build(sample_db, date(2025, 8, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    assert second["changes"]["previous"] == ["2025-06-01", "2025-07-31"]
    changes = second["changes"]
    assert (len(changes["new"]), len(changes["resolved"]), changes["new"][:2]) == (118, 63, ["R01:ER-202507-00143", "R01:ER-202508-00147"])
    # a half-year pack compares with the previous half, never with the two-month pack inside it
    half = committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    assert half["changes"]["previous"] is None


def test_period_labels() -> None:
    assert period_label(date(2025, 4, 1), date(2025, 9, 30), CAL) == "令和7年度（上期）"
    assert period_label(date(2025, 10, 1), date(2026, 3, 31), CAL) == "令和7年度（下期）"
    assert period_label(date(2019, 4, 1), date(2020, 3, 31), CAL) == "令和元年度"
    assert period_label(date(2025, 4, 1), date(2025, 5, 31), CAL) == "令和7年4月1日～令和7年5月31日"
    assert period_label(date(2018, 4, 1), date(2019, 3, 31), CAL) == "平成30年度"  # never 令和0年度
    assert period_label(date(2025, 4, 1), date(2025, 9, 30), CAL, "en") == "FY2025 H1"


def test_the_xlsx_is_ready_for_a_japanese_office(sample_db: Engine, tmp_path: Path) -> None:
    content = committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    committee.write(sample_db, content, tmp_path / "p", CAL)
    wb = load_workbook(tmp_path / "p" / "committee.xlsx")
    ws = wb["外部委託検査"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E5" and ws.print_title_rows == "$1:$1"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["B4"].value == 1368 and ws["B4"].number_format == "#,##0"
    # 全角 text counts double: 「参考：令和6年度（上期） 実施件数」 is 32 columns wide, plus a margin
    assert ws.column_dimensions["D"].width == display_width(ws["D1"].value) + 2 == 34
    nc = wb["不適事項"]
    assert nc.page_setup.orientation == "landscape"  # eight columns with descriptions: wider than A4 portrait
