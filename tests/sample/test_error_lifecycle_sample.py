"""The shipped sample records each lifecycle step from the unit the seeds give it (S1:2162-2177,
issue #12): the office reports and responds, the リスク統括部 reports to 役員等 and decides on
publication, the cause analysis and the 再発防止策 are the office's jointly with the リスク統括部,
a 本部 department revises the manual — and some cases are 事件・事故."""

from __future__ import annotations

import csv
import json
from collections import Counter

from tests.helpers import SAMPLE


def _steps() -> tuple[Counter[tuple[str, str, str]], Counter[str], Counter[str]]:
    with (SAMPLE / "units.csv").open(encoding="utf-8") as f:
        types = {row["unit_id"]: row["unit_type"] for row in csv.DictReader(f)}
    steps: Counter[tuple[str, str, str]] = Counter()
    kinds: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    for line in (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["type"] == "error_report":
            kinds[ev.get("report_kind", "processing_error")] += 1
            continue
        steps[(ev["step"], types[ev["unit_id"]], types.get(ev.get("joint_unit_id", ""), "-"))] += 1
        if ev["step"] == "publication_decided":
            decisions[ev["publication_decision"]] += 1
    return steps, kinds, decisions


def test_each_step_comes_from_the_unit_that_takes_it() -> None:
    steps, _, _ = _steps()
    by_step: dict[str, set[tuple[str, str]]] = {}
    for (step, unit_type, joint), _n in steps.items():
        by_step.setdefault(step, set()).add((unit_type, joint))
    first_line = {"pension_office", "administration_center", "hq_business_department"}
    rmd = "risk_management_department"
    assert by_step["exec_reported"] == {(rmd, "-")}
    assert by_step["publication_decided"] == {(rmd, "-")}
    assert by_step["closed"] == {(rmd, "-")}
    assert by_step["manual_revised"] == {("hq_business_department", "-")}
    for step in ("cause_analyzed", "prevention_set"):
        assert by_step[step] == {(t, rmd) for t in first_line}, step
    for step in ("risk_notified", "customer_response_done"):
        assert by_step[step] == {(t, "-") for t in first_line}, step


def test_some_cases_are_incidents_and_each_decision_kind_occurs() -> None:
    _, kinds, decisions = _steps()
    assert kinds == {"processing_error": 748, "accident": 3, "incident": 3}  # FY2024 and FY2025 (error_plan.TARGETS)
    assert decisions == {"publish": 612, "withhold": 112}
