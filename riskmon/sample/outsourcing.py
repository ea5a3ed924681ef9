"""外部委託 contracts and their inspections, calibrated per fiscal half.

FY2024 H1 and FY2025 H1 reproduce the progress report exactly (S2:271-276): inspections by type
98/181/1,345/139 and 65/178/1,368/112, with 不適事項 0/1/0/0 and 0/3/0/0 — each a 業務委託員名簿
omission remedied on the inspection day (S2:270). Second halves are assumed figures of the same
size. The last half also carries a few deliberate problems so the outsourcing rules have real
cases: a contract started without a 履行開始前検査, one with no inspection for months, an open
不適事項 past its due date, and a finished contract with no 履行後検査.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from riskmon.business_calendar import BusinessCalendar

TYPES = ("pre_commencement", "in_performance", "delivery", "post_completion")
# (fiscal year, half) → per type (inspections, 不適事項)
TARGETS: dict[tuple[int, int], dict[str, tuple[int, int]]] = {
    (2024, 1): {
        "pre_commencement": (98, 0),
        "in_performance": (181, 1),
        "delivery": (1345, 0),
        "post_completion": (139, 0),
    },
    (2024, 2): {
        "pre_commencement": (84, 0),
        "in_performance": (176, 0),
        "delivery": (1352, 0),
        "post_completion": (128, 0),
    },
    (2025, 1): {
        "pre_commencement": (65, 0),
        "in_performance": (178, 3),
        "delivery": (1368, 0),
        "post_completion": (112, 0),
    },
    (2025, 2): {
        "pre_commencement": (72, 0),
        "in_performance": (183, 2),
        "delivery": (1390, 0),
        "post_completion": (121, 0),
    },
}
DEFAULT_TARGET = TARGETS[(2025, 2)]
TITLES = [
    "国民年金保険料収納事業",
    "届書等データ入力業務",
    "通知書印刷・封入封緘業務",
    "ねんきんダイヤル運営業務",
    "年金相談センター運営業務",
    "システム運用保守業務",
    "文書保管・廃棄業務",
    "年金記録照合業務",
]
ROSTER_NC = "業務委託員に変更があったにもかかわらず、提出すべき業務委託員名簿の提出が漏れていた"


@dataclass
class _Contract:
    contract_id: str
    unit_id: str
    contractor: tuple[str, str]
    start: date
    end: date
    personal_info: bool
    new_contractor: bool
    title: str
    inspected: bool = True  # False: deliberately left without in-performance/delivery inspections
    pre_inspected: bool = True
    post_inspected: bool = True
    row: dict[str, Any] = field(default_factory=dict)


def generate(
    cal: BusinessCalendar,
    first_fy: int,
    last_fy: int,
    hq: list[str],
    contractors: list[tuple[str, str]],
    rng: random.Random,
    scale: float = 1.0,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Contracts (CSV rows) and inspection events for fiscal years ``first_fy``..``last_fy``."""
    halves = [(fy, h) for fy in range(first_fy, last_fy + 1) for h in (1, 2)]
    window_start = cal.fiscal_year_bounds(first_fy)[0]
    horizon = cal.fiscal_year_bounds(last_fy)[1]
    target = {
        hv: {t: (round(c * scale), nc if scale == 1.0 else round(nc * scale)) for t, (c, nc) in TARGETS.get(hv, DEFAULT_TARGET).items()}
        for hv in halves
    }
    contracts: list[_Contract] = []
    seq = iter(range(1, 10**7))

    def new(start: date, end: date, **kw: Any) -> _Contract:
        c = _Contract(
            f"K-{start:%Y}-{next(seq):04d}",
            rng.choice(hq),
            rng.choice(contractors),
            start,
            end,
            rng.random() < 0.7,
            rng.random() < 0.2,
            rng.choice(TITLES),
            **kw,
        )
        contracts.append(c)
        return c

    def old_start() -> date:
        return window_start - timedelta(days=rng.randint(45, 730))

    for _ in range(round(60 * scale)):  # long-running contracts
        new(old_start(), horizon + timedelta(days=rng.randint(30, 700)))
    events: list[dict[str, Any]] = []
    for hv in halves:
        lo, hi = cal.fiscal_half_bounds(*hv)
        days = list(cal.business_days(lo, hi))
        for _ in range(target[hv]["pre_commencement"][0]):
            d = rng.choice(days)
            c = new(d + timedelta(days=rng.randint(1, 10)), horizon + timedelta(days=rng.randint(30, 700)))
            events.append(_inspection(c, "pre_commencement", d))
        for _ in range(target[hv]["post_completion"][0]):
            d = rng.choice(days)
            c = new(old_start(), d - timedelta(days=rng.randint(1, 14)))
            events.append(_inspection(c, "post_completion", d))
    last = halves[-1]
    lo, hi = cal.fiscal_half_bounds(*last)
    # deliberate problems in the last half (outside the calibrated counts)
    new(lo + timedelta(days=20), horizon + timedelta(days=365), pre_inspected=False)
    new(old_start(), horizon + timedelta(days=200), inspected=False)
    new(old_start(), lo + timedelta(days=30), post_inspected=False)
    for c in contracts:
        if c.pre_inspected and c.start < window_start:
            events.append(_inspection(c, "pre_commencement", cal.previous_business_day(c.start)))
    for hv in halves:
        events.extend(_periodic(cal, hv, contracts, target[hv], rng, last_half=hv == last))
    events.sort(key=lambda e: (e["inspected_on"], e["contract_id"], e["inspection_type"]))
    for i, ev in enumerate(events, 1):  # ids by date order: unique even for two visits on one day
        ev["event_id"] = f"IN-{ev['inspected_on'].replace('-', '')}-{i:05d}"
        ev["inspection_id"] = f"INSP-{ev['inspected_on'].replace('-', '')}-{i:05d}"
        for nc in ev["nonconformities"]:
            nc["nc_id"] = f"NC-{ev['inspection_id'][5:]}"
    rows = [_contract_row(c) for c in contracts]
    return rows, events


def _periodic(
    cal: BusinessCalendar,
    hv: tuple[int, int],
    contracts: list[_Contract],
    target: dict[str, tuple[int, int]],
    rng: random.Random,
    *,
    last_half: bool,
) -> Iterator[dict[str, Any]]:
    lo, hi = cal.fiscal_half_bounds(*hv)
    active = [(c, max(lo, c.start), min(hi, c.end)) for c in contracts if c.start <= hi and c.end >= lo and c.inspected]
    active = [(c, a, b) for c, a, b in active if (b - a).days >= 3]
    span = {c.contract_id: (b - a).days + 1 for c, a, b in active}
    total_days = sum(span.values())
    count, _ = target["delivery"]
    quota = {c.contract_id: int(count * span[c.contract_id] / total_days) for c, _, _ in active}
    for c, _, _ in rng.sample(active, k=count - sum(quota.values())):
        quota[c.contract_id] += 1
    for c, a, b in active:
        k = quota[c.contract_id]
        for i in range(k):
            d = a + timedelta(days=round((i + 0.5) * ((b - a).days / k)) if k else 0)
            yield _inspection(c, "delivery", _within(cal, d, a, b))
    n_perf, n_nc = target["in_performance"]
    perf = [
        _inspection(c, "in_performance", _within(cal, a + timedelta(days=rng.randint(0, (b - a).days)), a, b))
        for c, a, b in rng.choices(active, weights=[span[c.contract_id] for c, _, _ in active], k=n_perf)
    ]
    for i, insp in enumerate(rng.sample(perf, k=n_nc)):
        insp["nonconformities"] = [_nc(insp, i, last_half, cal)]
    yield from perf


def _nc(insp: dict[str, Any], i: int, last_half: bool, cal: BusinessCalendar) -> dict[str, Any]:
    on = date.fromisoformat(insp["inspected_on"])
    nc_id = ""  # numbered with the inspections, once they are in date order
    if not last_half or i >= 2:
        return {"nc_id": nc_id, "aspect": "staff_roster", "description": ROSTER_NC, "resolved_on": on.isoformat()}
    if i == 0:  # remedied after its due date, via a later nonconformity_update
        return {
            "nc_id": nc_id,
            "aspect": "infosec_compliance",
            "description": "委託先の作業端末で私物USBメモリの使用制限が設定されていなかった",
            "due_on": cal.add_business_days(on, 10).isoformat(),
        }
    return {
        "nc_id": nc_id,
        "aspect": "personal_info_protection",  # still open past its due date
        "description": "個人情報を含む帳票の持ち出し記録が作成されていなかった",
        "due_on": cal.add_business_days(on, 10).isoformat(),
    }


def nc_updates(events: list[dict[str, Any]], cal: BusinessCalendar, end: date) -> list[dict[str, Any]]:
    """A later remedy for the first open nonconformity of the last half (remedied late)."""
    out = []
    for ev in events:
        for nc in ev.get("nonconformities", []):
            if nc["aspect"] == "infosec_compliance" and "resolved_on" not in nc:
                fixed = cal.add_business_days(date.fromisoformat(nc["due_on"]), 4)
                if fixed <= end:
                    out.append(
                        {
                            "event_id": f"NCU-{nc['nc_id']}",
                            "type": "nonconformity_update",
                            "unit_id": ev["unit_id"],
                            "nc_id": nc["nc_id"],
                            "resolved_on": fixed.isoformat(),
                            "note": "USB使用制限を設定し、再点検で確認",
                        }
                    )
    return out


def _within(cal: BusinessCalendar, d: date, lo: date, hi: date) -> date:
    d = min(max(d, lo), hi)
    nxt = cal.next_business_day(d, inclusive=True)
    return nxt if nxt <= hi else cal.previous_business_day(d, inclusive=True)


def _inspection(c: _Contract, kind: str, on: date) -> dict[str, Any]:
    return {
        "event_id": "",
        "type": "inspection_result",
        "unit_id": c.unit_id,
        "inspection_id": "",
        "contract_id": c.contract_id,
        "inspection_type": kind,
        "inspected_on": on.isoformat(),
        "nonconformities": [],
    }


def _contract_row(c: _Contract) -> dict[str, Any]:
    return {
        "event_id": f"CON-{c.contract_id}",
        "type": "contract",
        "unit_id": c.unit_id,
        "contract_id": c.contract_id,
        "contractor_id": c.contractor[0],
        "contractor_name": c.contractor[1],
        "title": c.title,
        "handles_personal_info": str(c.personal_info).lower(),
        "start_on": c.start.isoformat(),
        "end_on": c.end.isoformat(),
        "new_contractor": str(c.new_contractor).lower(),
    }
