"""The third line's view of the second line (``riskmon report assurance``).

How quickly flags are acknowledged and closed, whether closures respect four eyes, who dismisses
what and why, how often closed cases come back, which rules never fire or are mostly dismissed,
and a seeded, reproducible sample of closed cases for audit testing.

What it says is as of a moment (``as_of``, default: now) through the as-of layer
(riskmon.store.asof): flags raised by then, case events up to then, and each case's state then
replayed from its history, so a report for a past moment does not move with later actions.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import CLOSED_STATES, FOUR_EYES, CaseAction, Line, ReviewStatus, Severity
from riskmon.i18n import phrase
from riskmon.markdown import md_text
from riskmon.store.asof import AsOf, case_state_at
from riskmon.store.tables import CaseEvent, Flag, Unit, User, table_of

ACKNOWLEDGING = (CaseAction.ACKNOWLEDGE, CaseAction.TAKE_ON)
REOPENING = (CaseAction.REOPEN, CaseAction.AUTO_REOPEN)
#: the rule whose findings (unit|category) feed the audit department's planning instead of escalating to it
RECURRENCE_RULE = "R05"


@dataclass
class Assurance:
    period: tuple[date, date]
    data: dict[str, Any]


def assurance(engine: Engine, first: date, last: date, cal: BusinessCalendar, rule_ids: list[str], *, sample_size: int = 10,
              seed: int = 1, closing_business_days: int = 5, as_of: datetime | None = None) -> Assurance:  # fmt: skip
    f, e, u, un = table_of(Flag), table_of(CaseEvent), table_of(User), table_of(Unit)
    window = AsOf(as_of or datetime.now(UTC))
    with engine.connect() as conn:
        flags = [dict(r) for r in conn.execute(select(f).where(window.flags_clause(f))).mappings()]
        events = [dict(r) for r in conn.execute(select(e).where(window.case_events_clause(e)).order_by(e.c.id)).mappings()]
        states = case_state_at(conn, [x["id"] for x in flags], window.at)
        lines = {r.user_id: r.line for r in conn.execute(select(u.c.user_id, un.c.line).join(un, un.c.unit_id == u.c.unit_id))}
    for x in flags:  # the case as it stood at the moment, not as it stands today
        st = states.get(x["id"])
        x["review_status"] = st.status if st else ReviewStatus.OPEN
        x["closed_at"], x["closed_by"] = (st.closed_at, st.closed_by) if st else (None, [])
        x["resolution_note"] = st.note if st else None
    in_period = [x for x in flags if first <= x["first_seen"].astimezone(cal.tz).date() <= last]
    ids = {x["id"] for x in in_period}
    by_flag: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        if ev["flag_id"] in ids:
            by_flag[ev["flag_id"]].append(ev)
    ack_hours: dict[str, list[float]] = defaultdict(list)
    close_hours: dict[str, list[float]] = defaultdict(list)
    closed = [x for x in in_period if x["review_status"] in CLOSED_STATES]
    within = 0
    for x in in_period:
        acks = [ev["at"] for ev in by_flag[x["id"]] if ev["action"] in ACKNOWLEDGING]
        if acks:
            ack_hours[x["severity"]].append(max(0.0, (acks[0] - x["first_seen"]).total_seconds() / 3600))
    for x in closed:
        close_hours[x["severity"]].append(max(0.0, (x["closed_at"] - x["first_seen"]).total_seconds() / 3600))
        waited = cal.business_days_between(x["first_seen"].astimezone(cal.tz).date(), x["closed_at"].astimezone(cal.tz).date())
        within += waited <= closing_business_days
    four = [x for x in closed if x["severity"] in FOUR_EYES]
    compliant = [x for x in four if len(set(x["closed_by"])) >= 2 and all(lines.get(p) == Line.SECOND for p in x["closed_by"])]
    dismissed = [x for x in closed if x["review_status"] == ReviewStatus.DISMISSED]
    reopened = {ev["flag_id"] for evs in by_flag.values() for ev in evs if ev["action"] in REOPENING}
    fired = Counter(x["rule_id"] for x in in_period)
    dismissals_by_rule = Counter(x["rule_id"] for x in dismissed)
    sample = random.Random(seed).sample(sorted(x["id"] for x in closed), k=min(sample_size, len(closed)))
    data = {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "flags": len(in_period), "closed": len(closed),
        "median_hours_to_acknowledge": {s.value: _median(ack_hours[s]) for s in Severity if ack_hours[s]},
        "median_hours_to_close": {s.value: _median(close_hours[s]) for s in Severity if close_hours[s]},
        "closed_within_business_days": {"days": closing_business_days, "share": _share(within, len(closed))},
        "dismissals_by_reason": dict(Counter((x["resolution_note"] or "").strip() for x in dismissed).most_common()),
        "dismissals_by_person": dict(Counter(p for x in dismissed for p in x["closed_by"]).most_common()),
        "reopen_rate": _share(len(reopened & {x["id"] for x in in_period}), len(closed) or len(in_period)),
        "four_eyes": {"closures": len(four), "compliant": len(compliant), "share": _share(len(compliant), len(four))},
        "rules_never_fired": sorted(set(rule_ids) - set(fired)),
        "rules_most_dismissed": dict(dismissals_by_rule.most_common(5)),
        "audit_sample": {"seed": seed, "flag_ids": sorted(sample)},
        # recurrence (R05) is no escalation to the third line (S3:530) but an input to its audit plan (S3:562-563)
        "recurrence_for_audit_planning": dict(Counter(x["subject"].rsplit("|", 1)[0] for x in in_period
                                                      if x["rule_id"] == RECURRENCE_RULE).most_common()),
    }  # fmt: skip
    return Assurance((first, last), data)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def to_markdown(report: Assurance, lang: str = "ja") -> str:
    d = report.data

    def t(key: str) -> str:
        return phrase("report", key, lang)

    span = f"{d['period']['from']} – {d['period']['to']}"
    out = [
        f"# {t('a_title')}（{span}）",
        "",
        f"- {t('a_flags')}: {d['flags']}, {t('a_closed')}: {d['closed']}",
        f"- {t('a_ack')}: {_kv(d['median_hours_to_acknowledge'])}",
        f"- {t('a_close')}: {_kv(d['median_hours_to_close'])}",
        f"- {t('a_within')}（{d['closed_within_business_days']['days']}）: {_pct(d['closed_within_business_days']['share'])}",
        f"- {t('a_four_eyes')}: {d['four_eyes']['compliant']}/{d['four_eyes']['closures']} ({_pct(d['four_eyes']['share'])})",
        f"- {t('a_reopen')}: {_pct(d['reopen_rate'])}",
        f"- {t('a_dismiss_reason')}: {_kv(d['dismissals_by_reason']) or '-'}",
        f"- {t('a_dismiss_person')}: {_kv(d['dismissals_by_person']) or '-'}",
        f"- {t('a_never_fired')}: {', '.join(d['rules_never_fired']) or '-'}",
        f"- {t('a_most_dismissed')}: {_kv(d['rules_most_dismissed']) or '-'}",
        f"- {t('a_recurrence')}: {_kv(d['recurrence_for_audit_planning']) or '-'}",
        f"- {t('a_sample')} (seed {d['audit_sample']['seed']}): {', '.join(map(str, d['audit_sample']['flag_ids'])) or '-'}",
        "",
    ]
    return "\n".join(out)


def _kv(d: dict[str, Any]) -> str:
    """Keys can be reviewers' free text (dismissal reasons): escaped, never Markdown or HTML."""
    return ", ".join(f"{md_text(k)}: {v}" for k, v in d.items())


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def parse_period(text: str) -> tuple[date, date]:
    """``2025-04-01..2026-03-31`` or ``FY2025``."""
    if text.upper().startswith("FY"):
        fy = int(text[2:])
        return date(fy, 4, 1), date(fy + 1, 3, 31)
    a, _, b = text.partition("..")
    return date.fromisoformat(a), date.fromisoformat(b or a)
