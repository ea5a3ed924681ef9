"""Daily reports and 事務処理誤り cases with their lifecycle, for a span of business days.

Calibration (domain.md §3, §8.8): the counts per fiscal half are pinned in error_plan.py (198 by
the end of September 2025, S2:366), most cases handled on time and a few late
(so the deadline rules have something real to find), a few offices whose backlog grows, and a few
missed daily reports.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.sample import error_impact, error_plan

# category → (weight %, business area, probability that personal information was involved).
# Not every 誤送付 discloses personal information to a third party: a general notice, a blank form or
# an envelope caught before opening does not (FY2007: 213 leaks from misdelivery, S3:438-439, out of
# many more misdeliveries). About 60 % for 誤送付・誤送信・誤交付 and half of 紛失 is assumed.
CATEGORIES: dict[str, tuple[float, str, float]] = {
    "misdelivery": (15, "benefits", 0.6),
    "processing_delay": (8, "enrolment", 0.05),
    "document_loss": (5, "records", 0.5),
    "mistransmission": (4, "consultation", 0.6),
    "misissuance": (3, "consultation", 0.6),
    "benefit_error": (12, "benefits", 0.1),
    "data_entry_error": (15, "records", 0.05),
    "processing_omission": (12, "enrolment", 0.05),
    "collection_error": (6, "collection", 0.05),
    "enrolment_error": (8, "enrolment", 0.05),
    "record_error": (7, "records", 0.1),
    "other": (5, "other", 0.05),
}
SUMMARIES = {
    "misdelivery": "年金決定通知書を別のお客様宛に誤って送付",
    "processing_delay": "資格取得届の処理が標準処理期間を超えて遅延",
    "document_loss": "お客様から預かった添付書類を紛失",
    "mistransmission": "照会回答のFAXを誤った番号へ送信",
    "misissuance": "窓口で別のお客様の証明書を交付",
    "benefit_error": "加給年金額の計算誤りによる過少支給",
    "data_entry_error": "被保険者記録の生年月日を誤入力",
    "processing_omission": "免除申請の処理漏れ",
    "collection_error": "保険料の還付処理誤り",
    "enrolment_error": "適用事業所の取得日誤り",
    "record_error": "記録統合の誤り",
    "other": "その他の事務処理誤り",
}
#: categories that happen at a 年金事務所's 窓口 only, never at a 事務センター
WINDOW = {"misissuance"}
PRIORITY = {"misdelivery", "processing_delay", "document_loss", "mistransmission", "misissuance"}
CAUSES = ["human_error", "human_error", "procedure", "rule_noncompliance", "system", "rule_unclear", "contractor"]
INCIDENT_SUMMARIES = {
    "incident": "事務所内で保管していた届書が所在不明（盗難の疑い）",
    "accident": "個人情報を含む通知書の誤送付（事故として報告）",
}
AUDIT_FOLLOW_UP = "リスク統括部が監査部と連携して原因の追加調査を実施"
RISK_DEPARTMENT = "RMD"  # リスク統括部 in the sample organisation (riskmon/sample/org.py)
NOTES = ["", "", "", "", "", "", "来訪者多数", "システム端末1台故障", "職員1名研修参加", "電話問い合わせ増加"]


def _tokyo(cal: BusinessCalendar, d: date, hour: float) -> datetime:
    return datetime.combine(d, time(0), tzinfo=cal.tz) + timedelta(hours=hour)


def daily_reports(
    cal: BusinessCalendar,
    offices: list[str],
    start: date,
    end: date,
    rng: random.Random,
    *,
    growing: set[str],
    missing: dict[str, set[date]],
    suspected: dict[tuple[str, date], int] | None = None,
    slow: frozenset[str] | set[str] = frozenset(),
    complaints_spike: str | None = None,
    volume: dict[str, float] | None = None,
) -> Iterator[dict[str, Any]]:
    """One report per office and business day; ``growing`` offices build a backlog from mid-year.
    ``volume``: how many offices' worth of forms a site processes (a 事務センター's multiple).

    ``suspected``: the errors each office discovered that day, which its 日報 names as suspected
    errors (and which become error reports, R20); a handful of other days name one that never does.
    事務センター report the forms of S2:223-227 by medium; ``slow`` centres miss the paper target
    from the last quarter (R14). ``complaints_spike``: one office whose complaints jump in the
    last month (R21)."""
    suspected = suspected or {}
    volume = volume or {}
    size = {o: rng.uniform(20, 120) * volume.get(o, 1.0) for o in offices}
    pending = {o: rng.randint(0, 8) for o in offices}
    oldest = {o: 1 if pending[o] else 0 for o in offices}
    days = list(cal.business_days(start, end))
    for i, day in enumerate(days):
        for office in offices:
            received = poisson(rng, size[office])
            capacity = size[office] * rng.uniform(0.9, 1.1)
            if office in growing and i > len(days) // 3:
                capacity *= 0.85  # the office falls behind: staff shortage
            processed = min(pending[office] + received, round(capacity))
            pending[office] = pending[office] + received - processed
            if pending[office] == 0:
                oldest[office] = 0
            elif office in growing and i > len(days) // 3:
                oldest[office] += 1
            else:
                oldest[office] = rng.randint(1, 3)
            if day in missing.get(office, ()):
                continue
            spike = office == complaints_spike and (end - day).days < 30
            report: dict[str, Any] = {
                "event_id": f"DR-{day:%Y%m%d}-{office}",
                "type": "daily_report",
                "unit_id": office,
                "business_date": day.isoformat(),
                "forms_received": received,
                "forms_processed": processed,
                "forms_pending": pending[office],
                "oldest_pending_days": oldest[office],
                "complaints": poisson(rng, 1.5 if spike else 0.15),
                "suspected_errors": suspected.get((office, day), 0) + (rng.random() < 0.0002),
                "note": rng.choice(NOTES),
                "submitted_at": _tokyo(cal, day, rng.uniform(17.0, 18.8)).isoformat(timespec="seconds"),
            }
            if office.startswith("AC-"):
                report.update(_processing(rng, office in slow and i > 3 * len(days) // 4))
            yield report


def error_cases(
    cal: BusinessCalendar,
    offices: list[str],
    hq: list[str],
    contractors: list[tuple[str, str]],
    start: date,
    end: date,
    rng: random.Random,
    *,
    until: date | None = None,
    volume: dict[str, float] | None = None,
) -> Iterator[dict[str, Any]]:
    """Error reports followed by their updates: the cases of :func:`error_plan.plan` discovered
    from ``start`` to ``until`` (default ``end``); steps after ``end`` are not emitted.

    A site's share of the cases follows the work it processes (``volume``: a 事務センター does
    the 定型業務 of many offices, riskmon/sample/generator.py), a few offices have many more, and
    a 窓口 error (誤交付) happens only at a 年金事務所."""
    volume = volume or {}
    scale = len(offices) / 316
    hot = rng.sample(offices, k=max(1, len(offices) // 60))
    weight = [volume.get(o, 1.0) * (6.0 if o in hot else 1.0) for o in offices]
    window = [0.0 if o in volume else w for o, w in zip(offices, weight, strict=True)]
    repeat_office = offices[len(offices) // 2]
    cats = {c: w for c, (w, _, _) in CATEGORIES.items()}
    for n, planned in enumerate(error_plan.plan(cal, start, until or end, rng, cats, PRIORITY, scale), 1):
        if planned.recurring:
            office = repeat_office
        else:
            office = rng.choices(offices, weights=window if planned.category in WINDOW and any(window) else weight)[0]
        hq_case = planned.kind == "processing_error" and rng.random() < 0.06
        yield from _case(cal, rng, n, planned.day, rng.choice(hq) if hq_case else office, planned.category,
                         rng.choice(contractors) if hq_case else None, end, hq, planned.kind)  # fmt: skip


def _case(
    cal: BusinessCalendar,
    rng: random.Random,
    n: int,
    day: date,
    unit: str,
    category: str,
    contractor: tuple[str, str] | None,
    end: date,
    hq: list[str] | None = None,
    kind: str = "processing_error",
) -> Iterator[dict[str, Any]]:
    """One case: its report, then each step from the unit that really takes it (S1:2162-2177).
    A 事故 is a misdelivery of personal information reported as one (``kind``, error_plan.py)."""
    case_id = f"ER-{day:%Y%m}-{n:05d}"
    life = random.Random(case_id)
    found = _tokyo(cal, day, rng.uniform(9, 16.5))
    _, area, p_pi = CATEGORIES[category]
    priority = category in PRIORITY
    customers = 1 if rng.random() < 0.8 else rng.choice([2, 3, 5, 12, 40, 150])
    report: dict[str, Any] = {
        "event_id": f"{case_id}-R",
        "type": "error_report",
        "unit_id": unit,
        "case_id": case_id,
        "discovered_at": found.isoformat(timespec="seconds"),
        "category": category,
        "affected_customers": customers,
        "personal_info_involved": rng.random() < p_pi or kind == "accident",
        "summary": SUMMARIES[category],
        "business_area": "outsourcing" if contractor else area,
        "discovery_channel": rng.choice(["daily_report", "customer_voice", "award_check", "system_check", "other"]),
        "occurred_at": (found - timedelta(days=rng.randint(0, 20))).isoformat(timespec="seconds"),
    }
    if kind != "processing_error":
        report["report_kind"] = kind
        report["summary"] = INCIDENT_SUMMARIES[kind]
    if contractor:
        report["contractor_id"] = contractor[0]
    report.update(error_impact.fields(case_id, category, kind, customers))  # 事象・制度・金額, a stream of their own
    yield report
    late = rng.random()
    steps: list[tuple[str, datetime, dict[str, Any]]] = []
    notify = found + timedelta(hours=rng.uniform(0.3, 3)) if late > 0.05 else found + timedelta(days=rng.randint(1, 4))
    if kind != "processing_error":  # 第一報はスピードが重要 (S3:353): within the hour, a few late
        notify = found + timedelta(hours=life.uniform(0.2, 1.2) if life.random() > 0.25 else life.uniform(3, 30))
    steps.append(("risk_notified", notify, {}))
    response_days = rng.randint(1, 3 if priority else 4) if late > 0.08 else rng.randint(6, 15)
    response = _bday_time(cal, day, response_days, rng)
    steps.append(("customer_response_done", response, {}))
    # 役員等への報告 is the リスク部門's (S1:2168), for 重点三事案, many customers and 事件・事故
    drawn = priority or customers >= 10  # these cases drew their report day from ``rng`` before
    exec_days = rng.randint(0, 1) if drawn else life.randint(0, 1)
    if drawn or kind != "processing_error":
        exec_days += life.randint(2, 4) if life.random() < 0.06 else 0
        at = _bday_time(cal, day, exec_days, rng if drawn else life)
        steps.append(("exec_reported", max(at, notify + timedelta(minutes=30)), {"unit": RISK_DEPARTMENT}))
    # 原因分析 and 再発防止策: the 発生部署 「リスク部門と共同して」 (S1:2171-2173)
    cause_days = rng.randint(5, 15)
    cause = _bday_time(cal, day, cause_days if life.random() < 0.1 else min(cause_days, 11), rng)  # a few late
    joint = {"joint_unit_id": RISK_DEPARTMENT}
    analysis: dict[str, Any] = {"cause_category": rng.choice(CAUSES), **joint}
    if kind != "processing_error" or customers >= 10:  # 「必要に応じて…監査部門と連携して原因の追加調査」 (S1:2168-2170)
        analysis["note"] = AUDIT_FOLLOW_UP
    steps.append(("cause_analyzed", cause, analysis))
    prevention = found + timedelta(days=rng.randint(10, 28) if late > 0.1 else rng.randint(35, 60))
    if life.random() < 0.012:  # a rare 再発防止策 written before its analysis (R17B)
        prevention = min(prevention, cause - timedelta(days=life.randint(1, 4)))
    elif prevention <= cause:  # after the analysis: 「調査・分析を行った上で」 (S1:2171-2173)
        prevention = cause + timedelta(days=life.randint(1, 6), hours=life.uniform(0, 3))
    manual = rng.random() < 0.1  # the 再発防止策 requires a マニュアル改正 (S1:2175-2177)
    steps.append(("prevention_set", prevention, {**joint, "manual_revision_required": manual}))
    if manual:
        revised = prevention + timedelta(days=rng.randint(10, 60))
        if life.random() < 0.15:
            revised += timedelta(days=life.randint(60, 120))
        steps.append(("manual_revised", revised, {"unit": life.choice(hq) if hq else unit}))
    # 公表判断 by the リスク統括部 (情報開示の担当部署, S0:742), by the end of the month after both are done
    ready = max(response, cause)
    decided = ready + timedelta(days=life.randint(3, 25) if life.random() > 0.04 else life.randint(70, 100))
    publish = life.random() < 0.85
    steps.append(("publication_decided", decided, {"unit": RISK_DEPARTMENT, **_decision(publish)}))
    steps.append(("closed", max(t for _, t, _ in steps) + timedelta(days=rng.randint(3, 20)), {"unit": RISK_DEPARTMENT}))
    for step, at, extra in steps:
        if at.date() > end:
            continue
        fields = dict(extra)
        yield {
            "event_id": f"{case_id}-{step}",
            "type": "error_update",
            "unit_id": fields.pop("unit", unit),
            "case_id": case_id,
            "at": at.isoformat(timespec="seconds"),
            "step": step,
            **fields,
        }


def _decision(publish: bool) -> dict[str, str]:
    if publish:
        return {"publication_decision": "publish", "publication_reason": "お客様の権利に影響する事案のため月次公表に掲載"}
    return {"publication_decision": "withhold", "publication_reason": "お客様の権利に影響しない内部処理の誤りのため公表しない"}


#: average processing days by medium (S2:223-227 April 2025 actuals, about 0.6–0.9 / 0.2–1.0 / 3.3–3.4)
_TYPICAL_DAYS = {"e_application": 0.7, "e_media": 0.6, "paper": 3.3}
_DAILY_FORMS = {"e_application": 60, "e_media": 25, "paper": 30}  # per centre and day, per form


def _processing(rng: random.Random, slow: bool) -> dict[str, int]:
    """A centre's day of 資格取得届 / 被扶養者異動届 by medium: forms processed and their total days;
    a slow centre takes about 5 days on paper (target 4)."""
    out: dict[str, int] = {}
    for form in ("acquisition", "dependent"):
        for medium, typical in _TYPICAL_DAYS.items():
            n = poisson(rng, _DAILY_FORMS[medium] / (1 if form == "acquisition" else 3))
            mean = 5.2 if slow and medium == "paper" else typical
            out[f"{form}_{medium}_processed"] = n
            out[f"{form}_{medium}_days"] = round(n * mean * rng.uniform(0.85, 1.15))
    return out


def _bday_time(cal: BusinessCalendar, d: date, n: int, rng: random.Random) -> datetime:
    return _tokyo(cal, cal.add_business_days(d, n), rng.uniform(10, 17))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's method for small means, the normal approximation above 30."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
