"""Offices compared fairly (riskmon.reports.funnel): exact Poisson limits, and the sample's outliers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.reports import committee
from riskmon.reports.funnel import limits
from tests.helpers import shipped

CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)


def test_limits_are_exact_poisson_quantiles() -> None:
    # the quantiles themselves are tested in tests/test_poisson.py
    assert limits(1.0, 0.95) == (0, 3) and limits(1.0, 0.998) == (0, 5)
    assert limits(100.0, 0.95) == (81, 120)  # the normal approximation would say 80.4 .. 119.6


def test_the_h1_pack_lists_the_offices_outside_the_limits(sample_db: Engine) -> None:
    content = committee.build(sample_db, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    f = content["funnel"]
    assert (f["offices"], f["errors"]) == (316, 178)  # every office and 事務センター with daily reports; errors at them
    assert f["national_rate"] == round(f["errors"] / f["forms"] * 10_000, 2)
    top = [(p["name"], p["errors"], p["forms"], p["outside"]) for p in f["outside"][:2]]
    assert top == [("越谷年金事務所", 5, 8429, "above_998"), ("一宮年金事務所", 3, 3372, "above_998")]
    # every office listed really is outside its limits, and none inside is listed
    for p in f["points"]:
        lo, hi = limits(p["expected"], 0.95)
        assert bool(p["outside"]) == (not lo <= p["errors"] <= hi), p
