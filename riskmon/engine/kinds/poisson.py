"""Whether a count went up beyond chance: the exact conditional test of two Poisson counts.

Given ``current`` events in one period and ``previous`` in another whose length is ``1/ratio`` of
it, under "the rate did not change" the current count is binomial: of the ``n = current +
previous`` events, each falls in the current period with probability ``ratio / (1 + ratio)``.
The p-value is the chance of at least ``current`` of them doing so (Przyborowski & Wilenski).
This is why R07 no longer fires on 1 → 2 (p = 0.5) and does fire on 0 → 8 (p ≈ 0.004), where a
percentage change said +100 % and nothing at all.
"""

from __future__ import annotations

import math


def rate_increase_p(current: int, previous: int, ratio: float = 1.0) -> float:
    """One-sided p-value that the current period's rate exceeds the previous period's.

    ``ratio`` is the current period's length over the previous one's (1 for the same days a year
    earlier). Computed in logarithms, so counts in the tens of thousands do not overflow.
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
