"""The risk-acceptance register: cases closed as ``risk_accepted`` as of the report's moment, with
the date each acceptance runs until. An acceptance is temporary by design (the reviewer must give
an end date, riskmon.review.policy): one past its date is expired — the risk is back without
anyone deciding so — and one ending within :data:`EXPIRING_DAYS` needs a decision soon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from riskmon.domain import CLOSED_STATES, Resolution

EXPIRING_DAYS = 30


def acceptances(flags: Sequence[dict[str, Any]], until: Mapping[int, date | None], today: date, tz: Any) -> dict[str, Any]:
    """``flags``: every flag raised by the moment, with its case state then; ``until``: each
    flag's accepted-until date as recorded on the case; ``today``: the report's data date."""
    rows = []
    for x in flags:
        if x["review_status"] not in CLOSED_STATES or x.get("resolution") != Resolution.RISK_ACCEPTED:
            continue
        end = until.get(x["id"])
        state = _state(end, today)
        rows.append({"flag_id": x["id"], "rule_id": x["rule_id"], "subject": x["subject"], "severity": x["severity"],
                     "risk_category": x["risk_category"], "accepted_on": x["closed_at"].astimezone(tz).date().isoformat(),
                     "accepted_by": list(x["closed_by"]), "until": end.isoformat() if end else None, "state": state})  # fmt: skip
    rows.sort(key=lambda r: (r["until"] or "9999-12-31", r["flag_id"]))
    counts = {s: sum(r["state"] == s for r in rows) for s in ("expired", "expiring", "in_force", "no_end")}
    return {"rows": rows, "total": len(rows), **counts, "window_days": EXPIRING_DAYS}


def _state(end: date | None, today: date) -> str:
    """expired (before today), expiring (within the window), in force, or no end date recorded."""
    if end is None:
        return "no_end"
    if end < today:
        return "expired"
    return "expiring" if end <= today + timedelta(EXPIRING_DAYS) else "in_force"
