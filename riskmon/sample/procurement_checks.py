"""Sample 調達企画部 審査 of the contractor inspections, new contractors' early on-site security checks
and new 調達担当者 with their site visits, for the rules R38–R41 (issue #12).

Read back from the inspections and contracts the generator has just written, so they describe the
same outsourcing. Rates: every inspection is reviewed within a few business days, a handful late
(assumed); a problem found in review (an inspection with 不適事項) is passed to リスク統括部 within
days (S1:2326-2330), one late; each new contractor gets its on-site security check two to six weeks
before it starts (S2:270), one in FY2025 none and one only after the start; FY2025 H1 has 31 new
調達担当者, of whom 29 made 延べ29 visits to 延べ12 contractors (S2:283) and two none, H2 fifteen more.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from riskmon.business_calendar import BusinessCalendar

LATE_REVIEW = 0.002  # assumed


def generate(cal: BusinessCalendar, folder: Path, start: date, end: date, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed * 1000 + 283)
    with (folder / "inspections.jsonl").open(encoding="utf-8") as f:
        inspections = [r for r in map(json.loads, f) if r["type"] == "inspection_result"]
    with (folder / "contracts.csv").open(encoding="utf-8", newline="") as f:
        contracts = list(csv.DictReader(f))
    return reviews(cal, inspections, end, rng) + security_checks(contracts, start, end, rng) + officers(cal, contracts, start, end, rng)


def reviews(cal: BusinessCalendar, inspections: list[dict[str, Any]], end: date, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    problems = [
        i["inspection_id"]
        for i in inspections
        if i["nonconformities"] and date.fromisoformat(i["inspected_on"]) >= date(end.year - 1, 4, 1)
    ]
    late_report = problems[-1] if problems else None
    for ins in sorted(inspections, key=lambda i: (i["inspected_on"], i["inspection_id"])):
        inspected = date.fromisoformat(ins["inspected_on"])
        reviewed = cal.add_business_days(inspected, rng.randint(1, 8) if rng.random() > LATE_REVIEW else rng.randint(12, 20))
        if reviewed > end:
            continue
        review_id = f"PR-{ins['inspection_id']}"
        rec: dict[str, Any] = {
            "event_id": review_id, "type": "procurement_review", "unit_id": "PPD", "review_id": review_id,
            "inspection_id": ins["inspection_id"], "reviewed_on": reviewed.isoformat(), "problem_found": bool(ins["nonconformities"]),
        }  # fmt: skip
        if ins["nonconformities"] and ins["inspection_id"] != late_report:
            rec["risk_reported_on"] = cal.add_business_days(reviewed, rng.randint(1, 3)).isoformat()
        out.append(rec)
    return out


def security_checks(contracts: list[dict[str, str]], start: date, end: date, rng: random.Random) -> list[dict[str, Any]]:
    new = [c for c in contracts if c["new_contractor"] == "true" and date.fromisoformat(c["start_on"]) <= end + timedelta(days=60)]
    this_year = [c["contract_id"] for c in new if start <= date.fromisoformat(c["start_on"]) <= end]
    missing, after_start = (this_year[0], this_year[1]) if len(this_year) > 1 else (None, None)
    out: list[dict[str, Any]] = []
    for c in new:
        if c["contract_id"] == missing:
            continue
        begins = date.fromisoformat(c["start_on"])
        checked = (
            begins + timedelta(days=rng.randint(2, 9)) if c["contract_id"] == after_start else begins - timedelta(days=rng.randint(14, 42))
        )
        if checked > end:
            continue
        check_id = f"SC-{c['contract_id']}"
        out.append({
            "event_id": check_id, "type": "security_site_check", "unit_id": c["unit_id"], "check_id": check_id,
            "contract_id": c["contract_id"], "checked_on": checked.isoformat(), "issues_found": 1 if rng.random() < 0.15 else 0,
        })  # fmt: skip
    return out


def officers(cal: BusinessCalendar, contracts: list[dict[str, str]], start: date, end: date, rng: random.Random) -> list[dict[str, Any]]:
    departments = sorted({c["unit_id"] for c in contracts})
    contractors = sorted({c["contractor_id"] for c in contracts})
    h1_sites = rng.sample(contractors, k=min(12, len(contractors)))  # 延べ12社 in FY2025 H1 (S2:283)
    out: list[dict[str, Any]] = []
    halves = [(start, 31, h1_sites, 29), (date(start.year, 10, 1), 15, contractors, 15)]
    n = 0
    for first, count, sites, visiting in halves:
        if first > end:
            continue
        days = list(cal.business_days(first, min(end, first + timedelta(days=60))))
        for k in range(count):
            n += 1
            officer_id, unit = f"PO-OFF-{n:03d}", rng.choice(departments)
            assigned = rng.choice(days)
            out.append({"event_id": officer_id, "type": "procurement_officer", "unit_id": unit, "officer_id": officer_id,
                        "assigned_on": assigned.isoformat(), "name": f"調達担当{n:03d}"})  # fmt: skip
            site = sites[k % len(sites)]  # every one of the half's contractors is visited at least once
            visited = cal.add_business_days(assigned, rng.randint(10, 60))  # within the half they were assigned in
            if k < visiting and visited <= end:
                visit_id = f"SV-{officer_id}"
                out.append({"event_id": visit_id, "type": "site_visit", "unit_id": unit, "visit_id": visit_id,
                            "officer_id": officer_id, "contractor_id": site, "visited_on": visited.isoformat()})  # fmt: skip
    return out
