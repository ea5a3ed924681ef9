"""Poisson counts in one place (riskmon.poisson): the engine's rate test and the funnel's limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmon import poisson
from riskmon.poisson import cdf, quantile, rate_increase_p

means = st.floats(min_value=0.01, max_value=2000)
probabilities = st.floats(min_value=0.001, max_value=0.999)


def test_the_cdf_is_exact() -> None:
    assert cdf(2, 1.0) == pytest.approx(2.5 / math.e, rel=1e-12)  # e⁻¹ (1 + 1 + 1/2)
    assert cdf(0, 2.0) == pytest.approx(math.exp(-2), rel=1e-12)
    assert cdf(-1, 3.0) == 0.0 and cdf(0, 0.0) == 1.0
    assert cdf(20_000, 20_000.0) == pytest.approx(0.5019, abs=1e-4)  # no overflow; a little over ½


def test_quantiles_are_the_published_ones() -> None:
    # Poisson(1): P(X≤2) = 0.9197, P(X≤3) = 0.9810, P(X≤4) = 0.99634, P(X≤5) = 0.99941
    assert [quantile(1.0, q) for q in (0.9, 0.975, 0.99, 0.999)] == [2, 3, 4, 5]
    # Poisson(10): P(X≤3) = 0.0103, P(X≤4) = 0.0293, P(X≤14) = 0.9165, P(X≤15) = 0.9513
    assert [quantile(10.0, q) for q in (0.025, 0.95)] == [4, 15]
    assert [quantile(100.0, q) for q in (0.025, 0.975)] == [81, 120]  # the normal approximation: 80.4 .. 119.6
    assert quantile(0.0, 0.999) == 0


def test_refuses_what_is_not_a_distribution() -> None:
    with pytest.raises(ValueError):
        quantile(1.0, 1.5)
    with pytest.raises(ValueError):
        cdf(1, -1.0)
    with pytest.raises(ValueError):
        rate_increase_p(-1, 2)


@given(means, probabilities)
def test_the_quantile_is_the_smallest_count_reaching_the_probability(mean: float, q: float) -> None:
    k = quantile(mean, q)
    assert cdf(k, mean) >= q - 1e-9
    assert k == 0 or cdf(k - 1, mean) < q + 1e-9


@given(means, probabilities, probabilities)
def test_the_quantile_rises_with_the_probability(mean: float, q1: float, q2: float) -> None:
    lo, hi = sorted((q1, q2))
    assert quantile(mean, lo) <= quantile(mean, hi)


@given(means, means, probabilities)
def test_the_quantile_rises_with_the_mean(m1: float, m2: float, q: float) -> None:
    lo, hi = sorted((m1, m2))
    assert quantile(lo, q) <= quantile(hi, q)


@given(st.integers(min_value=0, max_value=300), st.floats(min_value=0.01, max_value=300))
def test_the_cdf_rises_with_the_count_and_falls_with_the_mean(k: int, mean: float) -> None:
    assert cdf(k, mean) <= cdf(k + 1, mean) + 1e-12
    assert cdf(k, mean * 1.5) <= cdf(k, mean) + 1e-12


def test_small_counts_are_not_an_increase_and_zero_to_n_is() -> None:
    assert rate_increase_p(2, 1) == pytest.approx(0.5)  # 1 → 2: "+100 %" is chance
    assert rate_increase_p(8, 0) == pytest.approx(0.5**8)  # 0 → 8: no percentage, but significant
    assert rate_increase_p(0, 3) == 1.0


def test_period_lengths_weight_the_test() -> None:
    # 4 in a period twice as long as the one with 2: the rate did not change
    assert rate_increase_p(4, 1, ratio=2.0) == pytest.approx(112 / 243)  # P(X ≥ 4), X ~ Binomial(5, 2/3)


def test_large_counts_do_not_overflow() -> None:
    assert rate_increase_p(20_500, 20_000) < 0.01
    assert rate_increase_p(20_000, 20_000) > 0.4


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200))
def test_more_now_is_never_less_significant(current: int, previous: int) -> None:
    assert rate_increase_p(current + 1, previous) <= rate_increase_p(current, previous) + 1e-12


def test_both_layers_use_this_module() -> None:
    """The engine's test and the funnel's limits are these functions, not copies of them."""
    from riskmon.engine.kinds import threshold
    from riskmon.reports import funnel

    assert threshold.rate_increase_p is poisson.rate_increase_p
    assert funnel.poisson is poisson
