"""The shipped sample year is calibrated to the seeds; the generator is reproducible."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.sample.error_plan import TARGETS
from riskmon.sample.field_events import PRIORITY
from riskmon.sample.generator import SampleSpec, generate
from riskmon.sample.places import PLACES
from tests.helpers import SAMPLE

CAL = BusinessCalendar()


def _inspections(path: Path) -> tuple[Counter[tuple[int, int, str]], Counter[tuple[int, int, str]]]:
    counts: Counter[tuple[int, int, str]] = Counter()
    ncs: Counter[tuple[int, int, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["type"] != "inspection_result":
            continue
        d = date.fromisoformat(ev["inspected_on"])
        key = (CAL.fiscal_year(d), CAL.fiscal_half(d), ev["inspection_type"])
        counts[key] += 1
        ncs[key] += len(ev["nonconformities"])
    return counts, ncs


def test_shipped_inspections_match_the_progress_report_exactly() -> None:
    counts, ncs = _inspections(SAMPLE / "inspections.jsonl")
    types = ["pre_commencement", "in_performance", "delivery", "post_completion"]
    # S2:271-276: FY2025 H1 and FY2024 H1
    assert [counts[(2025, 1, t)] for t in types] == [65, 178, 1368, 112]
    assert [ncs[(2025, 1, t)] for t in types] == [0, 3, 0, 0]
    assert [counts[(2024, 1, t)] for t in types] == [98, 181, 1345, 139]
    assert [ncs[(2024, 1, t)] for t in types] == [0, 1, 0, 0]


def test_shipped_h1_nonconformities_are_roster_omissions_fixed_the_same_day() -> None:
    for line in (SAMPLE / "inspections.jsonl").read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["type"] == "inspection_result" and ev["inspected_on"] < "2025-10-01":
            for nc in ev["nonconformities"]:
                assert nc["aspect"] == "staff_roster"
                assert nc["resolved_on"] == ev["inspected_on"]


def _error_reports() -> list[dict[str, Any]]:
    lines = (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines()
    return [ev for ev in map(json.loads, lines) if ev["type"] == "error_report"]


def test_shipped_errors_are_pinned_per_half_as_the_progress_report_says() -> None:
    """上期 FY2025: 198 事務処理誤り (S2:366), pinned as the inspections are; the other halves and
    the 重点三事案 are error_plan.TARGETS' assumed figures; no 事件・事故 in 上期, so the 198 is the
    same whether a pack counts the whole report channel or its 事務処理誤り only."""
    kinds: Counter[tuple[int, int, str]] = Counter()
    for ev in _error_reports():
        d = date.fromisoformat(ev["discovered_at"][:10])
        kind = ev.get("report_kind", "processing_error")
        kinds[(CAL.fiscal_year(d), CAL.fiscal_half(d), kind)] += 1
        if kind == "processing_error" and ev["category"] in PRIORITY:
            kinds[(CAL.fiscal_year(d), CAL.fiscal_half(d), "priority")] += 1
    assert kinds[(2025, 1, "processing_error")] == 198
    for (fy, half), t in TARGETS.items():
        assert [kinds[(fy, half, k)] for k in ("processing_error", "priority", "incident", "accident")] == [
            t.errors, t.priority, t.incidents, t.accidents], (fy, half)  # fmt: skip
    months = Counter(ev["discovered_at"][:7] for ev in _error_reports() if ev["discovered_at"] >= "2025-04")
    assert dict(months) == {"2025-04": 32, "2025-05": 35, "2025-06": 33, "2025-07": 46, "2025-08": 28, "2025-09": 24,
                            "2025-10": 35, "2025-11": 27, "2025-12": 40, "2026-01": 31, "2026-02": 30, "2026-03": 32}  # fmt: skip
    assert sum(months.values()) == 393  # 198 + 192 事務処理誤り and three 事件・事故 in 下期


def test_shipped_prior_year_has_fewer_priority_incidents() -> None:
    """FY2024's cases (their own random stream) give R07 a year to compare with: fewer 重点三事案."""
    years: Counter[tuple[str, bool]] = Counter()
    for ev in _error_reports():
        fy = "FY2024" if ev["discovered_at"] < "2025-04" else "FY2025"
        years[(fy, ev["category"] in PRIORITY)] += 1
    assert years[("FY2024", True)] == 101 and years[("FY2025", True)] == 139  # 事件・事故 are 紛失・誤送付 too
    assert years[("FY2024", False)] + years[("FY2024", True)] == 361


def test_every_office_has_its_own_plausible_name() -> None:
    """No 「神奈川第二2年金事務所」: each office is named after a place of its prefecture, once."""
    with (SAMPLE / "units.csv").open(encoding="utf-8") as f:
        units = list(csv.DictReader(f))
    sites = [u for u in units if u["unit_type"] in ("pension_office", "administration_center")]
    names = [u["name_ja"] for u in sites]
    assert len(names) == len(set(names)) == 316
    assert not [n for n in names if re.search(r"[0-9０-９]", n)]
    offices = [u for u in sites if u["unit_type"] == "pension_office"]
    assert all(u["name_ja"].removesuffix("年金事務所") in PLACES[u["prefecture"]] for u in offices)
    assert all(u["name_ja"].endswith("事務センター") for u in sites if u["unit_type"] == "administration_center")


def test_administration_centres_work_at_a_centres_scale() -> None:
    """A 事務センター does the 定型業務 of about 300 ÷ 16 offices: its forms and errors follow."""
    forms: Counter[str] = Counter()
    days: Counter[str] = Counter()
    with gzip.open(SAMPLE / "daily_reports.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            kind = ev["unit_id"][:2]
            forms[kind] += ev["forms_processed"]
            days[kind] += 1
    per_day = {k: forms[k] / days[k] for k in ("PO", "AC")}
    assert 15 < per_day["AC"] / per_day["PO"] < 23  # 18.75 in expectation
    errors = Counter(ev["unit_id"][:2] for ev in _error_reports() if ev["discovered_at"] >= "2025-04")
    assert (errors["PO"], errors["AC"]) == (206, 162)  # 0.7 an office, 10.1 a centre


def test_same_seed_same_files(tmp_path: Path) -> None:
    spec = SampleSpec(offices=20, days=40, seed=7)
    generate(spec, tmp_path / "a")
    generate(spec, tmp_path / "b")
    for f in sorted((tmp_path / "a").iterdir()):
        assert hashlib.sha256(f.read_bytes()).digest() == hashlib.sha256((tmp_path / "b" / f.name).read_bytes()).digest()


def test_the_shipped_sample_is_this_generators_output(tmp_path: Path) -> None:
    generate(SampleSpec(), tmp_path)
    for f in sorted(tmp_path.iterdir()):
        assert f.read_bytes() == (SAMPLE / f.name).read_bytes(), f"{f.name} differs: regenerate sample_events/"
