"""The exact conditional Poisson test R07 uses (riskmon/engine/kinds/poisson.py)."""

from __future__ import annotations

import pytest

from riskmon.engine.kinds.poisson import rate_increase_p


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


def test_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        rate_increase_p(-1, 2)
