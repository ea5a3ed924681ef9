"""The 月次公表 and 年次公表 drafts on cases built for them, on SQLite and PostgreSQL.

The cases (May 2025 unless said):

- A 誤送付, 未払い of 12,000円 to 3 customers, 厚生年金保険, found 25 Apr, customers handled 28 Apr,
  report (prevention_set) 10 May, closed, 公表 → May's;
- B 書類の紛失 (事件), 金銭的影響なし, 制度 その他, found 2 May, no occurrence date, report 20 May,
  customers handled 31 May 23:30 (the month's last evening), 公表 → May's, not closed;
- C 給付誤り, 過払い of 30,000円, 国民年金, found in March, report 15 Apr, customers handled 1 May 00:10
  → May's; decided 公表 on 20 May and revised to 公表しない on 1 Jun → withheld;
- D 入力誤り, both steps in May, 公表しない → withheld (the same reason as C);
- E 誤送付 reported without 事象 and 制度 (an old file), both steps in May, decided 公表 only on 5 Jul
  → undecided as of 30 Jun, 未記録 in the draft as of 31 Jul;
- F 誤送付 (no 事象), report 30 Apr 23:59 → April's; G 給付誤り, 未払い of 408,100円, 厚生年金保険,
  report 1 Jun 00:05 → June's;
- H customers handled in May, no report → none; I found in May, nothing done → none (the old draft
  listed every case found in the month).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.reports import monthly
from riskmon.reports.publication import annual
from riskmon.reports.publication.cases import completed_between
from tests.helpers import error_report, run, write_jsonl
from tests.reports.publication_cases import EVENTS, REASON, done, publish, section

CAL = BusinessCalendar()
JUNE_END = datetime(2025, 6, 30, 23, 59, 59, tzinfo=TOKYO)


@pytest.fixture
def cases(engine: Engine, units_file: Path, tmp_path: Path) -> Engine:
    report = run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", EVENTS))
    assert (sum(report.accepted.values()), report.rejections) == (40, [])
    return engine


def write(engine: Engine, folder: Path, as_of: datetime = JUNE_END, lang: str = "ja", **kw: Any) -> str:
    monthly.write(engine, 2025, 5, as_of, CAL, folder, lang=lang, **kw)
    return (folder / "monthly.md").read_text(encoding="utf-8")


def test_the_month_is_the_cases_completed_in_it_by_their_later_step(cases: Engine) -> None:
    found = completed_between(cases, date(2025, 5, 1), date(2025, 5, 31), JUNE_END, CAL)
    assert [(c.case_id, c.ready.isoformat(), c.decision) for c in found] == [
        ("C", "2025-05-01", "withhold"), ("A", "2025-05-10", "publish"), ("B", "2025-05-31", "publish"),
        ("D", "2025-05-09", "withhold"), ("E", "2025-05-14", None),
    ]  # fmt: skip
    april = completed_between(cases, date(2025, 4, 1), date(2025, 4, 30), JUNE_END, CAL)
    june = completed_between(cases, date(2025, 6, 1), date(2025, 6, 30), JUNE_END, CAL)
    assert ([c.case_id for c in april], [c.case_id for c in june]) == (["F"], ["G"])


def test_the_draft_lists_the_published_cases_as_the_kikou_does(cases: Engine, tmp_path: Path) -> None:
    md = write(cases, tmp_path)
    head = ["# 事務処理誤り等（令和7年5月分）の公表について（案）", "", "- データ時点：令和7年6月30日23時59分",
            "- 公表件数：2件（うち金銭的影響あり1件、個人情報の関与あり2件）"]  # fmt: skip
    assert md.split("\n")[:4] == head
    assert "公表しないと判断した事案が2件あります" in md and "公表判断が未了の事案が1件あります" in md
    assert section(md, "公表事案") == [
        "| 番号 | 種類 | 事象 | 制度 | 発生（判明）年月日 | 拠点 | 概要 | 影響お客様数 | 金額 | 対応状況 | 発生原因 | 再発防止策 |",
        "|---:|---|---|---|---|---|---|---:|---:|---|---|---|",
        "| 1 | 誤送付 | 未払い | 厚生年金保険 | 令和7年4月20日（令和7年4月25日） | 札幌中央年金事務所 "
        "| 通知書を別のお客様へ送付\\|再送 | 3 | 12,000 | 対応完了 | 確認誤り等（人為的な誤り） | 送付前の宛名確認を二人で行う |",
        "| 2 | 書類の紛失（事件） | 金銭的影響なし | その他 | 不明（令和7年5月2日） | 札幌東年金事務所 | =1+1 添付書類の紛失 | 2 | - "
        "| お客様対応済み（再発防止策の徹底中） | 原因分析中 | - |",
        "金額はお客様への影響額（円）で、その事象（未払い・過払い・過徴収・未徴収・誤還付）の額です。",
    ]
    assert "報告に過払・未払の区分がないため" not in md and "業務区分" not in md  # the stand-ins and their apology are gone
    assert section(md, "公表しない事案（理由別）")[2:] == [f"| {REASON} | 2 |", "| 合計 | 2 |"]
    assert section(md, "公表判断未了の事案（公表対象外・確認用）")[2:] == [
        "| E | 誤送付 | 令和7年5月1日（令和7年5月7日） | 札幌中央年金事務所 | 通知書を別のお客様へ送付 | 1 | 令和7年5月14日 |"
    ]
    assert section(md, "公表判断未了の事案（公表対象外・確認用）")[0].startswith("| 事案番号 | 種類 |")


IMPACT_NOTE = "事象ごとの金額の合計です。「うち金銭的影響あり」は未払い・過払い・過徴収・未徴収・誤還付の計です。"
UNRECORDED_NOTE = "未記録は、事象・制度の項目がない事務処理誤り報告（項目の追加前に報告されたもの）です。"


def test_the_aggregates_count_by_impact_with_amounts_by_channel_and_by_scheme(cases: Engine, tmp_path: Path) -> None:
    md = write(cases, tmp_path)  # published: A (未払い 12,000円, 3 customers, 厚生年金保険) and B (金銭的影響なし, 2, その他)
    total = "| 合計 | 2 | 5 | 12,000 |"
    assert section(md, "事象別の件数・金額") == [
        "| 事象 | 件数 | 影響お客様数 | 金額 |", "|---|---:|---:|---:|",
        "| 未払い | 1 | 3 | 12,000 |", "| 過払い | 0 | 0 | - |", "| 過徴収 | 0 | 0 | - |", "| 未徴収 | 0 | 0 | - |",
        "| 誤還付 | 0 | 0 | - |", "| うち金銭的影響あり | 1 | 3 | 12,000 |", "| 金銭的影響なし | 1 | 2 | - |", total, IMPACT_NOTE,
    ]  # fmt: skip
    assert section(md, "判明契機別の件数") == [
        "| 判明契機 | 件数 | 影響お客様数 |", "|---|---:|---:|", "| 日報 | 1 | 2 |", "| お客様の声 | 1 | 3 |", "| 合計 | 2 | 5 |",
    ]  # fmt: skip
    assert section(md, "制度別の件数") == [
        "| 制度 | 件数 | 影響お客様数 |", "|---|---:|---:|",
        "| 国民年金 | 0 | 0 |", "| 厚生年金保険 | 1 | 3 |", "| 健康保険 | 0 | 0 |", "| 船員保険 | 0 | 0 |",
        "| 年金生活者支援給付金 | 0 | 0 |", "| その他 | 1 | 2 |", "| 合計 | 2 | 5 |",
    ]  # fmt: skip


def test_a_report_without_impact_or_scheme_is_counted_as_not_recorded(cases: Engine, tmp_path: Path) -> None:
    md = write(cases, tmp_path, datetime(2025, 7, 31, 23, 59, tzinfo=TOKYO))  # E, an old report, is published by then
    assert section(md, "事象別の件数・金額")[-6:] == [
        "| うち金銭的影響あり | 1 | 3 | 12,000 |", "| 金銭的影響なし | 1 | 2 | - |", "| 未記録 | 1 | 1 | - |",
        "| 合計 | 3 | 6 | 12,000 |", IMPACT_NOTE, UNRECORDED_NOTE,
    ]  # fmt: skip
    assert section(md, "制度別の件数")[-4:] == ["| その他 | 1 | 2 |", "| 未記録 | 1 | 1 |", "| 合計 | 3 | 6 |", UNRECORDED_NOTE]
    assert section(md, "公表事案")[4].startswith("| 3 | 誤送付 | 未記録 | 未記録 | 令和7年5月1日（令和7年5月7日） |")
    assert UNRECORDED_NOTE not in write(cases, tmp_path / "june")  # only where there is one


def test_a_decision_made_later_publishes_the_case_in_a_later_draft(cases: Engine, tmp_path: Path) -> None:
    md = write(cases, tmp_path, datetime(2025, 7, 31, 23, 59, tzinfo=TOKYO))
    assert "- 公表件数：3件" in md and "公表判断が未了" not in md
    assert section(md, "公表事案")[4].startswith("| 3 | 誤送付 | 未記録 | 未記録 | 令和7年5月1日（令和7年5月7日） |")


def test_a_regenerated_draft_reads_what_the_first_knew_and_refresh_reads_all(cases: Engine, tmp_path: Path) -> None:
    first = write(cases, tmp_path / "1")
    run(cases, write_jsonl(tmp_path / "late.jsonl", [publish("E", "2025-06-20T10:00:00")]))  # backdated, ingested later
    assert write(cases, tmp_path / "2") == first
    refreshed = write(cases, tmp_path / "3", refresh=True)
    assert "- 公表件数：3件" in refreshed and "公表判断が未了" not in refreshed


def test_the_xlsx_has_dates_as_dates_and_text_that_never_runs(cases: Engine, tmp_path: Path) -> None:
    write(cases, tmp_path)
    wb = load_workbook(tmp_path / "monthly.xlsx")
    assert wb.sheetnames == ["公表事案", "事象別の件数・金額", "判明契機別の件数", "制度別の件数", "公表しない事案（理由別）",
                             "公表判断未了の事案（公表対象外・確認用）"]  # fmt: skip
    rows = [[c.value for c in r] for r in wb["公表事案"].iter_rows()]
    assert rows[0] == ["番号", "種類", "事象", "制度", "発生年月日", "判明年月日", "拠点", "概要", "影響お客様数", "金額", "対応状況",
                       "発生原因", "再発防止策"]  # fmt: skip
    assert rows[1] == [1, "誤送付", "未払い", "厚生年金保険", datetime(2025, 4, 20), datetime(2025, 4, 25), "札幌中央年金事務所",
                       "通知書を別のお客様へ送付|再送", 3, 12000, "対応完了", "確認誤り等（人為的な誤り）",
                       "送付前の宛名確認を二人で行う"]  # fmt: skip
    assert rows[2][4:6] == [None, datetime(2025, 5, 2)]
    impacts = [[c.value for c in r] for r in wb["事象別の件数・金額"].iter_rows()]
    assert impacts[1] == ["未払い", 1, 3, 12000] and impacts[-1] == ["合計", 2, 5, 12000]
    formula = wb["公表事案"]["H3"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1 添付書類の紛失", "s", True)


def test_the_html_escapes_other_peoples_text(cases: Engine, tmp_path: Path) -> None:
    run(cases, write_jsonl(tmp_path / "x.jsonl", [error_report("X", "X", discovered_at="2025-05-21T09:00:00", summary="<script>x</script>"),
                                                  *done("X", "2025-05-22T10:00:00", "2025-05-23T10:00:00"),
                                                  publish("X", "2025-05-24T10:00:00")]))  # fmt: skip
    write(cases, tmp_path)
    html = (tmp_path / "monthly.html").read_text(encoding="utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<title>事務処理誤り等（令和7年5月分）の公表について（案）</title>" in html


def test_the_english_draft(cases: Engine, tmp_path: Path) -> None:
    md = write(cases, tmp_path, lang="en")
    assert md.split("\n")[0] == "# Publication of processing errors etc. (May 2025) (draft)"
    assert section(md, "Cases published")[:3] == [
        "| No. | Kind | Financial impact | Scheme | Occurred (discovered) | Office | Summary | Customers affected | Amount (yen) "
        "| Status | Cause | Prevention measures |",
        "|---:|---|---|---|---|---|---|---:|---:|---|---|---|",
        "| 1 | misdelivery | underpayment | Employees' Pension Insurance | 20 Apr 2025 (25 Apr 2025) | Sapporo "
        "| 通知書を別のお客様へ送付\\|再送 | 3 | 12,000 | Completed | checking errors and other human error "
        "| 送付前の宛名確認を二人で行う |",
    ]
    assert section(md, "By financial impact")[2] == "| underpayment | 1 | 3 | 12,000 |"
    assert section(md, "By scheme")[3] == "| Employees' Pension Insurance | 1 | 3 |"
    assert section(md, "By how discovered")[2:] == ["| Daily report | 1 | 2 |", "| Customer voice | 1 | 3 |", "| Total | 2 | 5 |"]


def test_the_annual_draft_counts_by_fiscal_year_of_occurrence_and_of_discovery(cases: Engine, tmp_path: Path) -> None:
    as_of = annual.default_as_of(2025, CAL)
    assert as_of == datetime(2026, 4, 30, 23, 59, 59, tzinfo=TOKYO)
    annual.write(cases, 2025, as_of, CAL, tmp_path)
    md = (tmp_path / "annual.md").read_text(encoding="utf-8")
    assert md.split("\n")[:4] == ["# 令和7年度事務処理誤り等の状況（案）", "", "- データ時点：令和8年4月30日23時59分",
                                   "- 公表件数：5件（うち金銭的影響あり2件、個人情報の関与あり5件）"]  # A and G are 未払い
    # published: A 未払い (occurred FY2025), B 金銭的影響なし (no date), E and F 未記録 (FY2025, FY2024), G 未払い (FY2023)
    assert section(md, "発生年度別の件数") == [
        "| 事象 | 令和5年度 | 令和6年度 | 令和7年度 | 不明 | 合計 |", "|---|---:|---:|---:|---:|---:|",
        "| 未払い | 1 | 0 | 1 | 0 | 2 |", "| 過払い | 0 | 0 | 0 | 0 | 0 |", "| 過徴収 | 0 | 0 | 0 | 0 | 0 |",
        "| 未徴収 | 0 | 0 | 0 | 0 | 0 |", "| 誤還付 | 0 | 0 | 0 | 0 | 0 |", "| 金銭的影響なし | 0 | 0 | 0 | 1 | 1 |",
        "| 未記録 | 0 | 1 | 1 | 0 | 2 |", "| 合計 | 1 | 1 | 2 | 1 | 5 |", UNRECORDED_NOTE,
    ]  # fmt: skip
    assert section(md, "判明年度別の件数")[2:] == [
        "| 未払い | 1 | 1 | 2 |", "| 過払い | 0 | 0 | 0 |", "| 過徴収 | 0 | 0 | 0 |", "| 未徴収 | 0 | 0 | 0 |", "| 誤還付 | 0 | 0 | 0 |",
        "| 金銭的影響なし | 0 | 1 | 1 |", "| 未記録 | 0 | 2 | 2 |", "| 合計 | 1 | 4 | 5 |", UNRECORDED_NOTE,
    ]  # fmt: skip
    assert section(md, "事象別の件数・金額")[2] == "| 未払い | 2 | 4 | 420,100 |"  # A 12,000円 to 3 + G 408,100円 to 1
    assert section(md, "制度別の件数")[3] == "| 厚生年金保険 | 2 | 4 |"
    assert section(md, "公表しない事案（理由別）")[2:] == [f"| {REASON} | 2 |", "| 合計 | 2 |"]
    assert "公表判断が未了" not in md


@pytest.mark.parametrize(
    ("today", "month"),
    [(date(2025, 6, 30), (2025, 5)), (date(2025, 7, 1), (2025, 5)), (date(2025, 7, 30), (2025, 5)), (date(2025, 7, 31), (2025, 6)),
     (date(2026, 1, 15), (2025, 11)), (date(2026, 2, 28), (2026, 1))],
)  # fmt: skip
def test_the_default_month_is_the_one_before_the_last_month_end(today: date, month: tuple[int, int]) -> None:
    assert monthly.default_month(today) == month


def test_the_default_data_date_is_the_end_of_the_following_month() -> None:
    assert monthly.default_as_of(2025, 5, CAL) == CAL.end_of_day(date(2025, 6, 30))
    assert monthly.default_as_of(2025, 12, CAL) == CAL.end_of_day(date(2026, 1, 31))


@pytest.mark.parametrize("text", ["2025-13", "2025-5", "202505", "0999-01", ""])
def test_a_month_that_is_no_month_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        monthly.month_of(text)


@pytest.mark.parametrize(("text", "fy"), [("2025", 2025), ("FY2025", 2025), ("fy2019", 2019)])
def test_a_fiscal_year_is_read(text: str, fy: int) -> None:
    assert monthly.fiscal_year_of(text) == fy


@pytest.mark.parametrize("text", ["令和7", "FY25", "20255", "1899", ""])
def test_a_fiscal_year_that_is_none_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        monthly.fiscal_year_of(text)
