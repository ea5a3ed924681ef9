"""Sample 情報セキュリティインシデント with their steps, for the rules R34–R37 (issue #12).

The seeds give no incident counts, so the rates are assumed: about two incidents a month
nationally for ~300 offices (at least one a month in any sample), mostly e-mails sent to the
wrong address (each of which leaks personal information), lost devices and malware; other kinds leak
in 15 %, My Number is in a tenth of the leaks. 機構CSIRT responds within the hour (5 % later), contains within two business
days (10 % later), 情報管理対策室 reports to 情報管理対策本部 at its next monthly meeting (S2:386
「原則毎月」; here the third Wednesday, assumed), and a leak gets its statutory report within days.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from riskmon.business_calendar import BusinessCalendar

INCIDENTS_PER_MONTH_PER_300 = 2.0  # assumed
KINDS = {"missent_email": 30, "device_loss": 20, "malware": 20, "unauthorized_access": 10, "misconfiguration": 10, "other": 10}
LEAK_SHARE = 0.15  # of incidents other than a mis-sent e-mail, which always leaks (assumed)
SUMMARIES = {
    "missent_email": "お客様の情報を含むメールを別の宛先へ誤送信",
    "device_loss": "業務用の外部記録媒体を紛失",
    "malware": "業務端末で不審なプログラムの実行を検知",
    "unauthorized_access": "公開サーバへの不正なアクセスの試みを検知",
    "misconfiguration": "共有フォルダのアクセス権の設定誤り",
    "other": "その他の情報セキュリティ事案",
}


def incidents(cal: BusinessCalendar, offices: list[str], start: date, end: date, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed * 1000 + 386)
    scale = len(offices) / 300
    kinds, weights = list(KINDS), list(KINDS.values())
    out: list[dict[str, Any]] = []
    month, n = date(start.year, start.month, 1), 0
    while month <= end:
        days = [d for d in cal.business_days(month, _month_end(month)) if start <= d <= end]
        for _ in range(max(1, round(rng.gauss(INCIDENTS_PER_MONTH_PER_300 * scale, 1)))) if days else ():
            n += 1
            kind = rng.choices(kinds, weights)[0]
            detected = datetime.combine(rng.choice(days), time(0), tzinfo=cal.tz) + timedelta(hours=rng.uniform(8.5, 17.5))
            leaked = kind == "missent_email" or rng.random() < LEAK_SHARE
            incident_id = f"IS-{detected:%Y%m}-{n:04d}"
            out.append({
                "event_id": incident_id, "type": "infosec_incident", "unit_id": rng.choice(offices), "incident_id": incident_id,
                "detected_at": _iso(detected), "kind": kind, "personal_info_leaked": leaked, "summary": SUMMARIES[kind],
                "my_number_involved": leaked and rng.random() < 0.1,
                "affected_persons": rng.choice([1, 1, 1, 1, 2, 3, 5, 15]) if leaked else 0,
                "occurred_at": _iso(detected - timedelta(hours=rng.uniform(0, 48))),
            })  # fmt: skip
            out.extend(_steps(cal, incident_id, detected, leaked, end, rng))
        month = _month_end(month) + timedelta(days=1)
    return out


def _steps(
    cal: BusinessCalendar, incident_id: str, detected: datetime, leaked: bool, end: date, rng: random.Random
) -> list[dict[str, Any]]:
    responded = cal.add_business_hours(detected, rng.uniform(0.1, 0.9) if rng.random() > 0.05 else rng.uniform(1.5, 6))
    contained_day = cal.add_business_days(detected.date(), rng.randint(0, 2) if rng.random() > 0.1 else rng.randint(4, 8))
    contained = max(responded, datetime.combine(contained_day, time(16), tzinfo=cal.tz))
    meeting = _next_meeting(cal, contained.date())
    steps = [
        ("csirt_responded", "CSIRT", responded),
        ("contained", "CSIRT", contained),
        ("infosec_hq_reported", "IMO", datetime.combine(meeting, time(15), tzinfo=cal.tz)),
    ]
    if leaked:
        steps.append(
            (
                "statutory_reported",
                "IMO",
                datetime.combine(cal.add_business_days(detected.date(), rng.randint(1, 5)), time(11), tzinfo=cal.tz),
            )
        )
    return [
        {"event_id": f"{incident_id}-{step}", "type": "infosec_update", "unit_id": who, "incident_id": incident_id,
         "at": _iso(at), "step": step}
        for step, who, at in steps
        if at.date() <= end
    ]  # fmt: skip


def _next_meeting(cal: BusinessCalendar, after: date) -> date:
    """The first 情報管理対策本部 meeting (third Wednesday of a month, assumed) after ``after``."""
    month = date(after.year, after.month, 1)
    while True:
        first_wed = month + timedelta(days=(2 - month.weekday()) % 7)
        meeting = first_wed + timedelta(days=14)
        while not cal.is_business_day(meeting):
            meeting += timedelta(days=1)
        if meeting > after:
            return meeting
        month = _month_end(month) + timedelta(days=1)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - timedelta(days=1)
