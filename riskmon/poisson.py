"""Poisson counts, computed once for every layer: the distribution, its quantiles, and the exact
test of whether a count went up beyond chance.

Two layers need them — the engine's ``test: poisson`` (R07/R21 say whether a rise is chance) and
the committee pack's funnel plot (an office's 95 % / 99.8 % limits) — and they used to carry a
copy each, so a fix to one (a log-space sum, a loop bound) would not reach the other. This module
sits in the bottom layer, beside riskmon.business_calendar, so both may import it. Everything is
computed in logarithms (``lgamma``): means and counts in the tens of thousands neither overflow
nor underflow, and there is no statistics package to install.
"""

from __future__ import annotations

import math


def log_pmf(k: int, mean: float) -> float:
    """log P(X = k) for X ~ Poisson(mean), mean > 0 and k ≥ 0."""
    return k * math.log(mean) - mean - math.lgamma(k + 1)


def cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean); a mean of 0 is the count that is always 0."""
    if mean < 0:
        raise ValueError("a Poisson mean must be ≥ 0")
    if k < 0:
        return 0.0
    if mean == 0:
        return 1.0
    terms = [log_pmf(i, mean) for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


def quantile(mean: float, q: float) -> int:
    """The smallest k with P(X ≤ k) ≥ q for X ~ Poisson(mean).

    Summed upwards from 0; the loop stops at mean + 50 σ + 50 whatever q is (q at or within
    rounding of 1 never has its sum reach it), far past any tail a report asks for.
    """
    if not 0 <= q <= 1:
        raise ValueError("a probability must be between 0 and 1")
    if mean <= 0:
        return 0
    total, k = 0.0, 0
    while True:
        total += math.exp(log_pmf(k, mean))
        if total >= q or k > mean + 50 * math.sqrt(mean) + 50:
            return k
        k += 1


def rate_increase_p(current: int, previous: int, ratio: float = 1.0) -> float:
    """One-sided p-value that the current period's rate exceeds the previous period's.

    The exact conditional test of two Poisson counts (Przyborowski & Wilenski): given ``current``
    events in one period and ``previous`` in another whose length is ``1/ratio`` of it, under "the
    rate did not change" each of the ``n = current + previous`` events falls in the current period
    with probability ``ratio / (1 + ratio)``, and the p-value is the chance of at least ``current``
    of them doing so. This is why R07 does not fire on 1 → 2 (p = 0.5) and does on 0 → 8
    (p ≈ 0.004), where a percentage change said +100 % and nothing at all. ``ratio`` is the
    current period's length over the previous one's (1 for the same days a year earlier).
    """
    if current < 0 or previous < 0 or ratio <= 0:
        raise ValueError("counts must be ≥ 0 and the length ratio > 0")
    n = current + previous
    if current == 0:
        return 1.0
    p = ratio / (1 + ratio)
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q
             for k in range(current, n + 1)]  # fmt: skip
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))
