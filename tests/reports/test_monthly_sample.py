"""The 月次・年次公表 drafts on the sample year: the figures ``riskmon report monthly --month 2025-05`` and
``riskmon report annual --fy 2025`` print (docs/reports.md quotes them).

The 事象 and 制度 tables are checked against the sample's event file itself, read here without
riskmon: which cases were completed in the month and published as of the data date, and their
事象, 制度, customers and amounts summed in plain Python — so the test compares the draft with
the data, not with figures copied from an earlier draft."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar, add_months, month_bounds
from riskmon.reports import monthly
from riskmon.reports.publication import annual
from riskmon.reports.publication.cases import completed_between
from tests.helpers import SAMPLE
from tests.reports.publication_cases import section

CAL = BusinessCalendar()
IMPACTS = [("underpayment", "未払い"), ("overpayment", "過払い"), ("overcollection", "過徴収"), ("undercollection", "未徴収"),
           ("wrong_refund", "誤還付")]  # fmt: skip
SCHEMES = [("national_pension", "国民年金"), ("employees_pension", "厚生年金保険"), ("health_insurance", "健康保険"),
           ("seamens_insurance", "船員保険"), ("support_benefit", "年金生活者支援給付金"), ("other", "その他")]  # fmt: skip


def published_in(first: date, last: date, as_of: datetime) -> list[dict[str, Any]]:
    """The sample's reports whose customer response and 再発防止策 were both done by ``last``, the
    later in [first, last], and whose latest 公表判断 by ``as_of`` is publish — from the file."""
    reports: dict[str, dict[str, Any]] = {}
    steps: dict[str, dict[str, datetime]] = defaultdict(dict)
    decisions: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for line in (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["type"] == "error_report":
            reports[rec["case_id"]] = rec
            continue
        at = datetime.fromisoformat(rec["at"])
        if rec["step"] in ("customer_response_done", "prevention_set"):
            steps[rec["case_id"]][rec["step"]] = min(at, steps[rec["case_id"]].get(rec["step"], at))
        elif rec["step"] == "publication_decided" and at <= as_of:
            decisions[rec["case_id"]].append((at, rec["publication_decision"]))
    out = []
    for case, done in steps.items():
        ready = max(done.values()).date()
        decided = max(decisions[case])[1] if decisions[case] else None
        if len(done) == 2 and first <= ready <= last and decided == "publish":
            out.append(reports[case])
    return out


def rows(reports: list[dict[str, Any]], field: str, codes: list[tuple[str, str]], amounts: bool) -> list[str]:
    """The table rows the draft should print for ``field``, from the reports."""

    def row(name: str, of: list[dict[str, Any]]) -> str:
        total = sum(r.get("amount_impact_jpy", 0) for r in of)
        cells = [name, f"{len(of):,}", f"{sum(r['affected_customers'] for r in of):,}"]
        return "| " + " | ".join(cells + ([f"{total:,}" if total else "-"] if amounts else [])) + " |"

    return [row(name, [r for r in reports if r[field] == code]) for code, name in codes]


def test_may_2025_as_the_demo_prints_it(sample_db: Engine, tmp_path: Path) -> None:
    as_of = monthly.default_as_of(2025, 5, CAL)
    files = monthly.write(sample_db, 2025, 5, as_of, CAL, tmp_path)
    assert [f.name for f in files] == ["monthly.md", "monthly.html", "monthly.xlsx"]
    md = files[0].read_text(encoding="utf-8")
    published = published_in(*month_bounds(2025, 5), as_of)
    assert len(published) == 24
    financial = [r for r in published if r["impact_kind"] != "no_financial_impact"]
    personal = [r for r in published if r["personal_info_involved"]]
    head = ["# 事務処理誤り等（令和7年5月分）の公表について（案）", "", "- データ時点：令和7年6月30日23時59分",
            f"- 公表件数：24件（うち金銭的影響あり{len(financial)}件、個人情報の関与あり{len(personal)}件）"]  # fmt: skip
    assert (len(financial), len(personal)) == (8, 6)  # the figures docs/reports.md quotes
    assert md.split("\n")[:4] == head
    assert "公表しないと判断した事案が5件あります" in md and "公表判断が未了の事案が2件あります" in md
    assert section(md, "事象別の件数・金額")[2:-1] == [
        *rows(published, "impact_kind", IMPACTS, amounts=True),
        *rows([{**r, "impact_kind": "*"} for r in financial], "impact_kind", [("*", "うち金銭的影響あり")], amounts=True),
        *rows(published, "impact_kind", [("no_financial_impact", "金銭的影響なし")], amounts=True),
        *rows([{**r, "impact_kind": "*"} for r in published], "impact_kind", [("*", "合計")], amounts=True),
    ]
    assert section(md, "制度別の件数")[2:] == [
        *rows(published, "scheme", SCHEMES, amounts=False),
        *rows([{**r, "scheme": "*"} for r in published], "scheme", [("*", "合計")], amounts=False),
    ]
    # the figures as the demo prints them (docs/reports.md)
    assert section(md, "事象別の件数・金額")[2:] == [
        "| 未払い | 4 | 7 | 1,536,648 |", "| 過払い | 0 | 0 | - |", "| 過徴収 | 3 | 6 | 1,570,867 |", "| 未徴収 | 1 | 1 | 105,157 |",
        "| 誤還付 | 0 | 0 | - |", "| うち金銭的影響あり | 8 | 14 | 3,212,672 |", "| 金銭的影響なし | 16 | 244 | - |",
        "| 合計 | 24 | 258 | 3,212,672 |",
        "事象ごとの金額の合計です。「うち金銭的影響あり」は未払い・過払い・過徴収・未徴収・誤還付の計です。",
    ]  # fmt: skip
    assert section(md, "判明契機別の件数")[2:] == [
        "| 日報 | 6 | 46 |", "| お客様の声 | 6 | 155 |", "| 年金決定時等の確認 | 5 | 9 |", "| システムによる確認 | 4 | 43 |",
        "| その他 | 3 | 5 |", "| 合計 | 24 | 258 |",
    ]  # fmt: skip
    assert section(md, "制度別の件数")[2:] == [
        "| 国民年金 | 9 | 12 |", "| 厚生年金保険 | 10 | 202 |", "| 健康保険 | 3 | 42 |", "| 船員保険 | 1 | 1 |",
        "| 年金生活者支援給付金 | 1 | 1 |", "| その他 | 0 | 0 |", "| 合計 | 24 | 258 |",
    ]  # fmt: skip
    assert section(md, "公表しない事案（理由別）")[2:] == ["| お客様の権利に影響しない内部処理の誤りのため公表しない | 5 |", "| 合計 | 5 |"]
    assert section(md, "公表判断未了の事案（公表対象外・確認用）")[2:] == [
        "| ER-202504-00014 | 適用誤り | 令和7年3月30日（令和7年4月9日） | 岡山西年金事務所 | 適用事業所の取得日誤り | 12 | 令和7年5月5日 |",
        "| ER-202504-00024 | 処理漏れ | 令和7年4月15日（令和7年4月18日） | 越谷年金事務所 | 免除申請の処理漏れ | 1 | 令和7年5月13日 |",
    ]
    assert "未記録" not in md  # every sample report has its 事象 and 制度


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
    published = published_in(*CAL.fiscal_year_bounds(2025), as_of)
    assert len(published) == 330
    assert section(md, "事象別の件数・金額")[2:-1] == [
        *rows(published, "impact_kind", IMPACTS, amounts=True), "| うち金銭的影響あり | 113 | 1,195 | 251,146,511 |",
        "| 金銭的影響なし | 217 | 2,320 | - |", "| 合計 | 330 | 3,515 | 251,146,511 |",
    ]  # fmt: skip
    assert section(md, "制度別の件数")[2:-1] == rows(published, "scheme", SCHEMES, amounts=False)
    months = [add_months(date(2025, 4, 1), n) for n in range(12)]
    counts = [sum(c.published for c in completed_between(sample_db, *month_bounds(m.year, m.month), as_of, CAL)) for m in months]
    assert sum(counts) == 330
