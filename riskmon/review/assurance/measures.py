"""How the second line handled its cases: time to acknowledge and to close in business days,
four eyes on high and critical closures, dismissals, reopened cases, rules that never fire or are
mostly dismissed, and R05's recurrences as an input to the audit plan.

Times are business days (riskmon.business_calendar), the unit the 機構's deadlines are set in: a
case raised on Friday evening and closed on Monday morning took one business day, not 60 hours.
A time is counted from the day riskmon raised the flag to the day of the step, both in the
calendar's zone; a step on the day the flag was raised is 0.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import CLOSED_STATES, FOUR_EYES, CaseAction, Line, ReviewStatus, Severity

ACKNOWLEDGING = (CaseAction.ACKNOWLEDGE, CaseAction.TAKE_ON)
REOPENING = (CaseAction.REOPEN, CaseAction.AUTO_REOPEN)
#: the rule whose findings (unit|category) feed the audit department's planning instead of escalating to it
RECURRENCE_RULE = "R05"


def handling(in_period: Sequence[dict[str, Any]], by_flag: Mapping[int, list[dict[str, Any]]], lines: Mapping[str, str],
             rule_ids: Sequence[str], cal: BusinessCalendar, closing_business_days: int) -> dict[str, Any]:  # fmt: skip
    """The measures of the flags raised in the period (``in_period``, each with its case state as
    of the report's moment), their case events (``by_flag``) and each user's line (``lines``)."""
    ack: dict[str, list[int]] = {}
    close: dict[str, list[int]] = {}
    closed = [x for x in in_period if x["review_status"] in CLOSED_STATES]
    for x in in_period:
        acks = [ev["at"] for ev in by_flag.get(x["id"], []) if ev["action"] in ACKNOWLEDGING]
        if acks:
            ack.setdefault(x["severity"], []).append(_days(cal, x["first_seen"], acks[0]))
    for x in closed:
        close.setdefault(x["severity"], []).append(_days(cal, x["first_seen"], x["closed_at"]))
    within = sum(1 for values in close.values() for v in values if v <= closing_business_days)
    four = [x for x in closed if x["severity"] in FOUR_EYES]
    compliant = [x for x in four if len(set(x["closed_by"])) >= 2 and all(lines.get(p) == Line.SECOND for p in x["closed_by"])]
    dismissed = [x for x in closed if x["review_status"] == ReviewStatus.DISMISSED]
    ids = {x["id"] for x in in_period}
    reopened = {f for f, evs in by_flag.items() if f in ids and any(ev["action"] in REOPENING for ev in evs)}
    fired = Counter(x["rule_id"] for x in in_period)
    return {
        "flags": len(in_period), "closed": len(closed),
        "business_days_to_acknowledge": _medians(ack),
        "business_days_to_close": _medians(close),
        "closed_within_business_days": {"days": closing_business_days, "share": share(within, len(closed))},
        "dismissals_by_reason": dict(Counter((x["resolution_note"] or "").strip() for x in dismissed).most_common()),
        "dismissals_by_person": dict(Counter(p for x in dismissed for p in x["closed_by"]).most_common()),
        "reopen_rate": share(len(reopened), len(closed) or len(in_period)),
        "four_eyes": {"closures": len(four), "compliant": len(compliant), "share": share(len(compliant), len(four))},
        "rules_never_fired": sorted(set(rule_ids) - set(fired)),
        "rules_most_dismissed": dict(Counter(x["rule_id"] for x in dismissed).most_common(5)),
        # recurrence (R05) is no escalation to the third line (S3:530) but an input to its audit plan (S3:562-563)
        "recurrence_for_audit_planning": dict(Counter(x["subject"].rsplit("|", 1)[0] for x in in_period
                                                      if x["rule_id"] == RECURRENCE_RULE).most_common()),
    }  # fmt: skip


def _days(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Business days from ``start``'s day to ``end``'s day in the calendar's zone (never negative)."""
    return max(0, cal.business_days_between(start.astimezone(cal.tz).date(), end.astimezone(cal.tz).date()))


def _medians(values: Mapping[str, list[int]]) -> dict[str, dict[str, Any]]:
    """Per severity, most severe first: the median and the number of cases it is the median of."""
    return {
        s.value: {"median": round(float(statistics.median(values[s.value])), 1), "n": len(values[s.value])}
        for s in sorted(Severity, key=lambda s: -s.rank) if values.get(s.value)
    }  # fmt: skip


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
