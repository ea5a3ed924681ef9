"""The 月次・年次公表 drafts on the sample year: the figures ``riskmon report monthly --month 2025-05`` and
``riskmon report annual --fy 2025`` print (docs/reports.md quotes them)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar, add_months, month_bounds
from riskmon.reports import monthly
from riskmon.reports.publication import annual
from riskmon.reports.publication.cases import completed_between
from tests.reports.publication_cases import section

CAL = BusinessCalendar()


def test_may_2025_as_the_demo_prints_it(sample_db: Engine, tmp_path: Path) -> None:
    files = monthly.write(sample_db, 2025, 5, monthly.default_as_of(2025, 5, CAL), CAL, tmp_path)
    assert [f.name for f in files] == ["monthly.md", "monthly.html", "monthly.xlsx"]
    md = files[0].read_text(encoding="utf-8")
    head = ["# 事務処理誤り等（令和7年5月分）の公表について（案）", "", "- データ時点：令和7年6月30日23時59分", "- 公表件数：24件"]
    assert md.split("\n")[:4] == head
    assert "公表しないと判断した事案が5件あります" in md and "公表判断が未了の事案が2件あります" in md
    assert section(md, "事象別の件数")[2:] == [
        "| 事務処理遅延 | 3 | 81 | - |", "| 書類の紛失 | 1 | 1 | - |", "| 誤送信 | 1 | 1 | - |", "| 誤交付 | 2 | 152 | - |",
        "| 給付誤り | 2 | 4 | - |", "| 徴収誤り | 3 | 6 | - |", "| 適用誤り | 1 | 1 | - |", "| 記録誤り | 3 | 3 | - |",
        "| 入力誤り | 2 | 3 | - |", "| 処理漏れ | 4 | 4 | - |", "| その他 | 2 | 2 | - |", "| 合計 | 24 | 258 | - |",
    ]  # fmt: skip
    assert section(md, "判明契機別の件数")[2:] == [
        "| 日報 | 6 | 46 | - |", "| お客様の声 | 6 | 155 | - |", "| 年金決定時等の確認 | 5 | 9 | - |",
        "| システムによる確認 | 4 | 43 | - |", "| その他 | 3 | 5 | - |", "| 合計 | 24 | 258 | - |",
    ]  # fmt: skip
    assert section(md, "公表しない事案（理由別）")[2:] == ["| お客様の権利に影響しない内部処理の誤りのため公表しない | 5 |", "| 合計 | 5 |"]
    assert section(md, "公表判断未了の事案（公表対象外・確認用）")[2:] == [
        "| ER-202504-00014 | 適用誤り | 令和7年3月30日（令和7年4月9日） | 岡山西年金事務所 | 適用事業所の取得日誤り | 12 | 令和7年5月5日 |",
        "| ER-202504-00024 | 処理漏れ | 令和7年4月15日（令和7年4月18日） | 越谷年金事務所 | 免除申請の処理漏れ | 1 | 令和7年5月13日 |",
    ]


def test_a_draft_made_on_the_first_business_day_sees_fewer_decisions(sample_db: Engine, tmp_path: Path) -> None:
    # a draft made on 2 June, not at the end of the month: twelve of May's cases are still awaiting their 公表判断
    md = monthly.write(sample_db, 2025, 5, datetime(2025, 6, 2, 7, 30, tzinfo=TOKYO), CAL, tmp_path)[0].read_text(encoding="utf-8")
    assert "- 公表件数：17件" in md
    assert "公表しないと判断した事案が2件あります" in md and "公表判断が未了の事案が12件あります" in md


def test_fy2025_is_the_sum_of_its_months(sample_db: Engine, tmp_path: Path) -> None:
    as_of = annual.default_as_of(2025, CAL)
    md = annual.write(sample_db, 2025, as_of, CAL, tmp_path)[0].read_text(encoding="utf-8")
    assert "- 公表件数：330件" in md
    assert "公表しないと判断した事案が55件あります" in md and "公表判断が未了の事案が10件あります" in md
    assert section(md, "発生年度別の件数")[-1] == "| 合計 | 36 | 294 | 330 |"
    assert section(md, "判明年度別の件数")[-1] == "| 合計 | 24 | 306 | 330 |"
    assert section(md, "事象別の件数")[4] == "| 書類の紛失（事件） | 1 | 1 | - |"  # 事件・事故 are published too
    months = [add_months(date(2025, 4, 1), n) for n in range(12)]
    counts = [sum(c.published for c in completed_between(sample_db, *month_bounds(m.year, m.month), as_of, CAL)) for m in months]
    assert sum(counts) == 330
