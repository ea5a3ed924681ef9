"""docs/domain-checks.md cannot drift: every figure it lists is what the committed sample gives
through the real pipeline (ingest, the shipped rules evaluated as of 2025-09-30, the 上期
committee pack's data: the ``sample_db`` of tests/reports/conftest.py), asserted exactly by its key."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.reports import committee
from riskmon.store.tables import ErrorReportRow, Unit, table_of
from tests.helpers import ROOT, SAMPLE, shipped

CAL = BusinessCalendar()
H1 = (date(2025, 4, 1), date(2025, 9, 30))
T = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)
SECOND_LINE_S4_41 = ("リスク統括部", "業務品質管理部", "調達企画部", "情報管理対策室", "システム企画部", "コンプライアンス部")
ROW = re.compile(r"^\| `(?P<key>[a-z0-9_]+)` \|.*\| (?P<value>[0-9.,]+) \| (?P<basis>stated|assumed) \| .+ \|$")


def documented() -> dict[str, tuple[float, str]]:
    """The table of docs/domain-checks.md: key → (demo value, stated/assumed)."""
    rows = {}
    for line in (ROOT / "docs" / "domain-checks.md").read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows[m["key"]] = (float(m["value"].replace(",", "")), m["basis"])
    return rows


@pytest.fixture(scope="module")
def figures(sample_db: Engine) -> dict[str, float]:
    pack = committee.build(sample_db, *H1, T, CAL, shipped())
    inspections = {r["type"]: r for r in pack["inspections"]["rows"]}
    er, u = table_of(ErrorReportRow), table_of(Unit)
    lo, hi = CAL.at(H1[0], datetime.min.time()), CAL.end_of_day(H1[1])
    with sample_db.connect() as conn:
        kinds = Counter(dict(conn.execute(select(er.c.report_kind, func.count()).where(er.c.discovered_at.between(lo, hi))
                                          .group_by(er.c.report_kind)).all()))  # fmt: skip
        incidents = conn.execute(select(func.count()).select_from(er).where(er.c.report_kind != "processing_error")).scalar_one()
        types = Counter(dict(conn.execute(select(u.c.unit_type, func.count()).group_by(u.c.unit_type)).all()))
        names = set(conn.execute(select(u.c.name_ja)).scalars())
        misdelivery = Counter(conn.execute(select(er.c.personal_info_involved).where(er.c.category == "misdelivery")).scalars())
        in_h1 = (er.c.discovered_at.between(lo, hi), er.c.report_kind == "processing_error")
        financial, amount = conn.execute(select(func.count(), func.sum(er.c.amount_impact_jpy))
                                         .where(*in_h1, er.c.impact_kind != "no_financial_impact")).one()  # fmt: skip
        national = conn.execute(select(func.count()).select_from(er).where(*in_h1, er.c.scheme == "national_pension")).scalar_one()
    out: dict[str, float] = {
        "errors_h1": pack["errors"]["total"],
        "processing_errors_h1": kinds["processing_error"],
        "incidents_h1": sum(kinds.values()) - kinds["processing_error"],
        "incidents_sample": incidents,
        "priority_h1": pack["errors"]["priority"],
        "nonconformities_h1": sum(r["nonconformities"] for r in inspections.values()),
        "nonconformities_prev": sum(r["prev_nonconformities"] for r in inspections.values()),
        "regional_divisions": types["regional_division"],
        "administration_centres": types["administration_center"],
        "pension_offices": types["pension_office"],
        "second_line_units": sum(n in names for n in SECOND_LINE_S4_41),
        "centre_scale": round(_centre_scale(), 1),
        "misdelivery_personal_info_pct": round(100 * misdelivery[True] / sum(misdelivery.values()), 1),
        "financial_impact_h1": financial,
        "amount_impact_h1_yen": amount,
        "national_pension_h1": national,
    }
    for kind, row in inspections.items():
        out[f"{kind}_h1"], out[f"{kind}_prev"] = row["count"], row["prev_count"]
    return out


def _centre_scale() -> float:
    """Forms processed a day by a 事務センター over a 年金事務所's, from the committed 日報."""
    forms: Counter[str] = Counter()
    days: Counter[str] = Counter()
    with gzip.open(SAMPLE / "daily_reports.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            forms[ev["unit_id"][:2]] += ev["forms_processed"]
            days[ev["unit_id"][:2]] += 1
    return (forms["AC"] / days["AC"]) / (forms["PO"] / days["PO"])


def test_every_documented_figure_is_what_the_demo_gives(figures: dict[str, float]) -> None:
    doc = documented()
    assert set(doc) == set(figures)  # a row without a check, or a check without a row, is drift too
    assert {k: v for k, (v, _) in doc.items()} == figures


def test_the_seed_figures_are_stated_and_exact(figures: dict[str, float]) -> None:
    """The figures the seeds give are marked stated, and are the seeds' own numbers."""
    doc = documented()
    stated = {k for k, (_, basis) in doc.items() if basis == "stated"}
    assert figures["errors_h1"] == 198  # S2:366
    assert [figures[f"{k}_h1"] for k in ("pre_commencement", "in_performance", "delivery", "post_completion")] == [65, 178, 1368, 112]
    assert [figures[f"{k}_prev"] for k in ("pre_commencement", "in_performance", "delivery", "post_completion")] == [98, 181, 1345, 139]
    assert (figures["nonconformities_h1"], figures["nonconformities_prev"]) == (3, 1)  # S2:274
    assert (figures["regional_divisions"], figures["administration_centres"]) == (11, 16)  # S2:369; S0:926
    assert {"errors_h1", "delivery_h1", "regional_divisions", "administration_centres", "second_line_units"} <= stated
    assert {"priority_h1", "pension_offices", "misdelivery_personal_info_pct", "centre_scale", "financial_impact_h1",
            "amount_impact_h1_yen", "national_pension_h1"}.isdisjoint(stated)  # fmt: skip
