"""The 事象 (impact_kind), 制度 (scheme) and amount of each sample error case: what the 月次公表's
tables count (riskmon.reports.publication).

Each category's summary in riskmon/sample/field_events.py says what happened, and the 事象 follows
it: 「加給年金額の計算誤りによる過少支給」 is a 未払い of 厚生年金保険 (加給年金 is the 老齢厚生年金's),
「保険料の還付処理誤り」 a 誤還付 or a 過徴収 (a refund not made), 「免除申請の処理漏れ」 a 国民年金
過徴収 when the customer paid the premium the exemption would have waived, and a 誤送付 or a 紛失 costs
no one money. 制度 are the schemes the 機構 runs, as its plans name them (riskmon.events.enums.Scheme).
The shares and amounts are assumed (the seeds publish none, docs/domain-checks.md): a benefit paid
wrongly for some months, a contribution of 1–12 months — the 国民年金 premium of FY2025 is
17,510円 a month, the 年金生活者支援給付金's base amount 5,450円 — once per affected customer.

Drawn from a stream of each case's own (seeded by its case id), so adding these fields moved
nothing else of the sample: every other figure pinned on it is what it was.
"""

from __future__ import annotations

import random
from typing import Any

from riskmon.events.enums import ImpactKind, Scheme

NONE = ImpactKind.NO_FINANCIAL_IMPACT
UNDER, OVER = ImpactKind.UNDERPAYMENT, ImpactKind.OVERPAYMENT
OVERCOLLECTED, UNCOLLECTED, REFUND = ImpactKind.OVERCOLLECTION, ImpactKind.UNDERCOLLECTION, ImpactKind.WRONG_REFUND
NP, EP, HI = Scheme.NATIONAL_PENSION, Scheme.EMPLOYEES_PENSION, Scheme.HEALTH_INSURANCE
SEAMEN, SUPPORT, OTHER = Scheme.SEAMENS_INSURANCE, Scheme.SUPPORT_BENEFIT, Scheme.OTHER

#: category → (事象 by weight, 制度 by weight), following the category's sample summary
PROFILES: dict[str, tuple[dict[ImpactKind, float], dict[Scheme, float]]] = {
    "benefit_error": ({UNDER: 1}, {EP: 0.75, NP: 0.25}),
    "collection_error": ({REFUND: 0.55, OVERCOLLECTED: 0.45}, {NP: 0.4, EP: 0.4, HI: 0.15, SEAMEN: 0.05}),
    "enrolment_error": ({NONE: 0.5, UNCOLLECTED: 0.3, OVERCOLLECTED: 0.2}, {EP: 0.7, HI: 0.25, SEAMEN: 0.05}),
    "processing_omission": ({NONE: 0.6, OVERCOLLECTED: 0.4}, {NP: 1}),
    "record_error": ({NONE: 0.75, UNDER: 0.25}, {EP: 0.6, NP: 0.4}),
    "data_entry_error": ({NONE: 0.85, UNDER: 0.1, OVER: 0.05}, {NP: 0.45, EP: 0.45, HI: 0.1}),
    "other": ({NONE: 0.6, UNDER: 0.3, OVER: 0.1}, {SUPPORT: 0.35, OTHER: 0.35, SEAMEN: 0.1, NP: 0.1, EP: 0.1}),
    "misdelivery": ({NONE: 1}, {EP: 0.5, NP: 0.5}),
    "processing_delay": ({NONE: 1}, {EP: 0.55, HI: 0.45}),
    "document_loss": ({NONE: 1}, {NP: 0.4, EP: 0.4, OTHER: 0.2}),
    "mistransmission": ({NONE: 1}, {EP: 0.5, NP: 0.3, HI: 0.2}),
    "misissuance": ({NONE: 1}, {NP: 0.5, EP: 0.5}),
}
#: monthly amounts the sample counts in whole months (yen, FY2025)
NP_PREMIUM, SUPPORT_BASE = 17_510, 5_450
BENEFITS = frozenset({UNDER, OVER})


def fields(case_id: str, category: str, kind: str, customers: int) -> dict[str, Any]:
    """The report's ``impact_kind``, ``scheme`` and, with a financial 事象, ``amount_impact_jpy``.
    事件・事故 (``kind``) are a lost 届書 and a misdelivery: no money at stake."""
    rng = random.Random(f"{case_id}:impact")
    impacts, schemes = PROFILES[category]
    impact = NONE if kind != "processing_error" else rng.choices(list(impacts), weights=list(impacts.values()))[0]
    scheme = rng.choices(list(schemes), weights=list(schemes.values()))[0]
    out: dict[str, Any] = {"impact_kind": impact.value, "scheme": scheme.value}
    if impact != NONE:
        out["amount_impact_jpy"] = sum(_per_customer(rng, impact, scheme) for _ in range(customers))
    return out


def _per_customer(rng: random.Random, impact: ImpactKind, scheme: Scheme) -> int:
    if scheme == SUPPORT:
        return SUPPORT_BASE * rng.randint(1, 12)
    if impact in BENEFITS:
        return rng.randint(8_000, 450_000)
    if scheme == NP:
        return NP_PREMIUM * rng.randint(1, 12)
    return rng.randint(3_000, 600_000)  # 厚生年金保険・健康保険・船員保険: an employer's contributions
