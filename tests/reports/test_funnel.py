"""Offices compared fairly (riskmon.reports.funnel): exact Poisson limits, and the sample's outliers."""

from __future__ import annotations

import math
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.reports import committee
from riskmon.reports.funnel import limits, poisson_quantile
from tests.helpers import shipped

CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)


def test_quantiles_are_exact_poisson() -> None:
    # Poisson(1): P(X<=2) = 0.9197, P(X<=3) = 0.9810, P(X<=4) = 0.99634, P(X<=5) = 0.99941
    assert [poisson_quantile(1.0, q) for q in (0.9, 0.975, 0.99, 0.999)] == [2, 3, 4, 5]
    assert limits(1.0, 0.95) == (0, 3) and limits(1.0, 0.998) == (0, 5)
    assert limits(100.0, 0.95) == (81, 120)  # the normal approximation would say 80.4 .. 119.6
    assert poisson_quantile(0.0, 0.999) == 0


@given(st.floats(min_value=0.01, max_value=2000), st.floats(min_value=0.001, max_value=0.999))
def test_the_quantile_is_the_smallest_count_reaching_the_probability(mean: float, q: float) -> None:
    k = poisson_quantile(mean, q)

    def cdf(n: int) -> float:
        return sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(n + 1))

    assert cdf(k) >= q - 1e-9
    assert k == 0 or cdf(k - 1) < q + 1e-9


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
