"""How many 事務処理誤り and 事件・事故 the sample has, per fiscal half, pinned as the inspections are.

The progress report gives one figure: 198 事務処理誤り in FY2025 up to the end of September
(S2:366, 「令和7年度の事務処理誤り発生件数は198件（9月末時点）」). The sample reproduces it exactly:
198 error reports of ``report_kind`` 事務処理誤り discovered in 2025-04-01..2025-09-30. Everything
else here is assumed and labelled so (docs/domain-checks.md):

- the share of 重点三事案 (the seeds give none): about 35 %, the share the category weights of
  riskmon/sample/field_events.py give; FY2024 had fewer, so the year-on-year rule has an
  increase to find;
- the other halves: the same size as 上期, a little smaller in FY2024;
- 事件・事故 (S2:270: the same 「事件・事故・事務処理誤り報告」 channel): a few a year, in FY2024
  and in 下期. 上期 has none, so the 198 holds whether a pack counts every report of the channel
  or only its 事務処理誤り.

At another size (``scale``: offices ÷ 316) or for a part of a half, the counts are prorated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from riskmon.business_calendar import BusinessCalendar


@dataclass(frozen=True)
class HalfTarget:
    errors: int  # 事務処理誤り discovered in the half (report_kind processing_error)
    priority: int  # of which 重点三事案
    incidents: int  # 事件 (report_kind incident), in addition
    accidents: int  # 事故 (report_kind accident), in addition


#: (fiscal year, half) → counts; (2025, 1) errors is S2:366, every other figure is assumed
TARGETS: dict[tuple[int, int], HalfTarget] = {
    (2024, 1): HalfTarget(errors=182, priority=50, incidents=1, accidents=1),
    (2024, 2): HalfTarget(errors=176, priority=48, incidents=1, accidents=0),
    (2025, 1): HalfTarget(errors=198, priority=69, incidents=0, accidents=0),
    (2025, 2): HalfTarget(errors=192, priority=67, incidents=1, accidents=2),
}
DEFAULT_TARGET = TARGETS[(2025, 2)]
#: the recurring office's misdelivery: on the first business day from the 10th of these months (R05)
RECURRENCE_MONTHS = (6, 9, 1)


@dataclass(frozen=True)
class Planned:
    day: date
    category: str
    kind: str  # processing_error / incident / accident
    recurring: bool = False  # the recurring office's repeated misdelivery


def plan(
    cal: BusinessCalendar,
    start: date,
    until: date,
    rng: random.Random,
    categories: dict[str, float],
    priority: set[str],
    scale: float = 1.0,
) -> list[Planned]:
    """The cases discovered from ``start`` to ``until``, in date order: per fiscal half its
    target's counts (prorated by business days for a part of a half, scaled by ``scale``),
    categories drawn by weight within 重点三事案 and the rest, days uniformly over the half."""
    out: list[Planned] = []
    fy, half = cal.fiscal_year(start), cal.fiscal_half(start)
    while True:
        lo, hi = cal.fiscal_half_bounds(fy, half)
        if lo > until:
            break
        days = [d for d in cal.business_days(max(lo, start), min(hi, until))]
        if days:
            share = len(days) / len(list(cal.business_days(lo, hi))) * scale
            out += _half(TARGETS.get((fy, half), DEFAULT_TARGET), days, share, rng, categories, priority, cal)
        fy, half = (fy, 2) if half == 1 else (fy + 1, 1)
    out.sort(key=lambda p: p.day)
    return out


def _half(t: HalfTarget, days: list[date], share: float, rng: random.Random, categories: dict[str, float],
          priority: set[str], cal: BusinessCalendar) -> list[Planned]:  # fmt: skip
    n, k = round(t.errors * share), round(t.priority * share)
    prio = [c for c in categories if c in priority]
    rest = [c for c in categories if c not in priority]
    recurring = [cal.next_business_day(date(d.year, d.month, 10), inclusive=True) for d in {date(x.year, x.month, 1) for x in days}
                 if d.month in RECURRENCE_MONTHS]  # fmt: skip
    recurring = sorted(d for d in recurring if d in set(days))[: max(0, k)]
    cases = [Planned(d, "misdelivery", "processing_error", recurring=True) for d in recurring]
    cats = rng.choices(prio, weights=[categories[c] for c in prio], k=max(0, k - len(cases)))
    cats += rng.choices(rest, weights=[categories[c] for c in rest], k=max(0, n - k))
    cases += [Planned(rng.choice(days), c, "processing_error") for c in cats]
    cases += [Planned(rng.choice(days), "document_loss", "incident") for _ in range(round(t.incidents * share))]
    cases += [Planned(rng.choice(days), "misdelivery", "accident") for _ in range(round(t.accidents * share))]
    return cases
