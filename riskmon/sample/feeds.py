"""Sample お客様の声, 監査 findings with their follow-up (R30–R33) and, through :mod:`.infosec_incidents`,
情報セキュリティインシデント (R34–R37) and, through :mod:`.procurement_checks`, the 調達企画部 審査 (R38–R41),
for the feeds of issue #12.

The seeds give no volumes for either feed, so every rate here is assumed and stated: about six
voices a business day nationally for ~300 offices (a quarter of them complaints), a few in a
hundred unlinked voices judged to suggest an error, every error case found through a customer's
voice preceded by that voice (half of them linked to the case by the clerk), a linked complaint
after the month's case that touched the most customers, two offices with a
burst of complaints; about five audits a month, one to three findings each, most improvement
plans and 3-month follow-up reports on time (S3:583-584) and a few late or missing.

A random generator of its own (seeded from the spec's seed), so adding these feeds leaves every
other sample file byte for byte as it was.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.sample import infosec_incidents, procurement_checks
from riskmon.sample.field_events import poisson

VOICES_PER_DAY_PER_300 = 6.0  # assumed
VOICE_CATEGORIES = {"complaint": 25, "request": 30, "inquiry": 35, "compliment": 5, "other": 5}  # assumed shares, %
SUSPECT_SHARE = 0.035  # of complaints and inquiries judged to suggest an error: about 2 % of all voices (assumed)
VOICE_SUMMARIES = {
    "complaint": ["窓口での待ち時間が長い", "説明が分かりにくかった", "届いた通知書の内容が違う", "電話がつながらない"],
    "request": ["土曜日の相談窓口を増やしてほしい", "通知書の文字を大きくしてほしい", "電子申請の案内がほしい"],
    "inquiry": ["年金額の計算方法を知りたい", "記録の内容を確認したい", "届書の提出先を知りたい"],
    "compliment": ["丁寧に説明してもらえた"],
    "other": ["その他のご意見"],
}
SUSPECT_SUMMARIES = ["届いた通知書が別人宛だった", "記録が本人の申告と違う", "還付額が案内と違う", "提出した書類の処理が進んでいない"]

AUDITS_PER_MONTH_PER_300 = 5.0  # assumed
FINDING_LEVELS = {"major": 10, "moderate": 40, "minor": 50}  # assumed shares, %
FINDING_SUMMARIES = [
    "本人確認書類の確認記録に不備",
    "個人情報を含む書類の保管・施錠管理に不備",
    "事務処理誤り報告の提出遅延",
    "マニュアルと異なる処理手順",
    "届書の受付処理簿への記載漏れ",
    "業務日報の記載内容に不備",
]


def generate(cal: BusinessCalendar, offices: list[str], folder: Path, start: date, end: date, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Records per file name: ``customer_voices.jsonl``, ``audit_findings.jsonl`` and
    ``infosec_incidents.jsonl`` (:mod:`.infosec_incidents`), ``procurement_checks.jsonl``
    (:mod:`.procurement_checks`). The error cases, inspections and contracts are read back from the
    files just written in ``folder`` (the generator streams them)."""
    with (folder / "error_reports.jsonl").open(encoding="utf-8") as f:
        errors = [json.loads(line) for line in f]
    scale = len(offices) / 300
    # one random stream per feed, so that a change to the error cases moves only the voices
    return {
        "customer_voices.jsonl": customer_voices(cal, offices, errors, start, end, random.Random(seed * 1000 + 12), scale),
        "audit_findings.jsonl": audit_findings(cal, offices, start, end, random.Random(seed * 1000 + 375), scale),
        "infosec_incidents.jsonl": infosec_incidents.incidents(cal, offices, start, end, seed),
        "procurement_checks.jsonl": procurement_checks.generate(cal, folder, start, end, seed),
    }


def customer_voices(
    cal: BusinessCalendar, offices: list[str], errors: list[dict[str, Any]], start: date, end: date, rng: random.Random, scale: float
) -> list[dict[str, Any]]:
    voices: list[dict[str, Any]] = []
    categories, weights = list(VOICE_CATEGORIES), list(VOICE_CATEGORIES.values())
    per_day = max(0.3, VOICES_PER_DAY_PER_300 * scale)
    for day in cal.business_days(start, end):
        for _ in range(poisson(rng, per_day)):
            category = rng.choices(categories, weights)[0]
            suspect = category in ("complaint", "inquiry") and rng.random() < SUSPECT_SHARE
            summary = rng.choice(SUSPECT_SUMMARIES if suspect else VOICE_SUMMARIES[category])
            voices.append(_voice(rng.choice(offices), _at(cal, day, rng), category, suspect, summary))
    # an error found through a customer's voice: the voice came first, the same day (S1:2096-2102)
    for case in errors:
        if case["type"] != "error_report" or case["discovery_channel"] != "customer_voice":
            continue
        found = datetime.fromisoformat(case["discovered_at"])
        received = found - timedelta(minutes=rng.randint(30, 300))
        if received.date() < start:
            continue
        voice = _voice(case["unit_id"], received, "complaint", True, case["summary"])
        if rng.random() < 0.5:
            voice["linked_case_id"] = case["case_id"]
        voices.append(voice)
    # the case of each month that touched the most customers draws a complaint after it was found,
    # which the clerk links to it (the case is known by then)
    largest: dict[str, dict[str, Any]] = {}
    for case in errors:
        if case["type"] == "error_report":
            month = case["discovered_at"][:7]
            if month not in largest or case["affected_customers"] > largest[month]["affected_customers"]:
                largest[month] = case
    for case in largest.values():
        day = cal.add_business_days(date.fromisoformat(case["discovered_at"][:10]), rng.randint(1, 3))
        voice = _voice(case["unit_id"], _at(cal, day, rng), "complaint", True, case["summary"])
        if voice["received_at"][:10] <= end.isoformat():
            voices.append({**voice, "linked_case_id": case["case_id"]})
    # two offices with a burst of complaints in three weeks (R31): one at a random time, one in
    # the last three weeks, so that an evaluation at the end of the span finds it too
    days = list(cal.business_days(start, end))
    for i, office in enumerate(rng.sample(offices, k=min(2, len(offices)))):
        first = rng.randrange(max(1, len(days) - 15)) if i == 0 else max(0, len(days) - 15)
        for day in rng.sample(days[first : first + 15], k=min(7, len(days[first : first + 15]))):
            voices.append(_voice(office, _at(cal, day, rng), "complaint", False, rng.choice(VOICE_SUMMARIES["complaint"])))
    voices.sort(key=lambda v: (v["received_at"], v["unit_id"]))
    for n, voice in enumerate(voices, 1):
        voice_id = f"CV-{voice['received_at'][:7].replace('-', '')}-{n:05d}"
        voices[n - 1] = {"event_id": voice_id, **voice, "voice_id": voice_id}
    return voices


def audit_findings(
    cal: BusinessCalendar, offices: list[str], start: date, end: date, rng: random.Random, scale: float
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    levels, weights = list(FINDING_LEVELS), list(FINDING_LEVELS.values())
    month = date(start.year, start.month, 1)
    while month <= end:
        audit_days = [d for d in cal.business_days(month, _month_end(month)) if start <= d <= end]
        for k in range(max(1, round(AUDITS_PER_MONTH_PER_300 * scale))) if audit_days else ():
            audit_id, unit, reported = f"AU-{month:%Y%m}-{k + 1:03d}", rng.choice(offices), rng.choice(audit_days)
            for j in range(rng.randint(1, 3)):
                finding_id = f"AF-{month:%Y%m}-{k + 1:03d}-{j + 1}"
                out.append({
                    "event_id": finding_id, "type": "audit_finding", "unit_id": unit, "finding_id": finding_id,
                    "auditor_unit_id": "AUD", "reported_on": reported.isoformat(), "level": rng.choices(levels, weights)[0],
                    "summary": rng.choice(FINDING_SUMMARIES), "audit_id": audit_id,
                })  # fmt: skip
                out.extend(_followups(cal, unit, finding_id, reported, end, rng))
        month = _month_end(month) + timedelta(days=1)
    return out


def _followups(cal: BusinessCalendar, unit: str, finding_id: str, reported: date, end: date, rng: random.Random) -> list[dict[str, Any]]:
    """The audited unit's plan (8 % late) and 3-month report (7 % late, 5 % missing), then 監査部's confirmation."""
    plan = cal.add_business_days(reported, rng.randint(5, 18) if rng.random() > 0.08 else rng.randint(22, 35))
    steps = [("improvement_plan", unit, plan)]
    fate = rng.random()
    if fate > 0.05:
        report = reported + timedelta(days=rng.randint(60, 88) if fate > 0.12 else rng.randint(95, 125))
        steps.append(("followup_report", unit, report))
        steps.append(("improvement_confirmed", "AUD", report + timedelta(days=rng.randint(5, 20))))
    return [
        {"event_id": f"{finding_id}-{step}", "type": "audit_followup", "unit_id": who, "finding_id": finding_id,
         "done_on": on.isoformat(), "step": step}
        for step, who, on in steps
        if on <= end
    ]  # fmt: skip


def _voice(unit: str, received: datetime, category: str, suspect: bool, summary: str) -> dict[str, Any]:
    return {
        "type": "customer_voice", "unit_id": unit, "received_at": received.isoformat(timespec="seconds"),
        "category": category, "suggests_error": suspect, "summary": summary,
    }  # fmt: skip


def _at(cal: BusinessCalendar, day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(0), tzinfo=cal.tz) + timedelta(hours=rng.uniform(8.5, 17))


def _month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - timedelta(days=1)
