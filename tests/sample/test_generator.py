"""The shipped sample year is calibrated to the seeds; the generator is reproducible."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

from riskmon.business_calendar import BusinessCalendar
from riskmon.sample.field_events import PRIORITY
from riskmon.sample.generator import SampleSpec, generate
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


def test_shipped_error_volume_is_about_33_a_month() -> None:
    months: Counter[str] = Counter()
    for line in (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["type"] == "error_report" and ev["discovered_at"] >= "2025-04":  # FY2025; FY2024 below
            months[ev["discovered_at"][:7]] += 1
    assert dict(months) == {"2025-04": 40, "2025-05": 32, "2025-06": 23, "2025-07": 41, "2025-08": 34, "2025-09": 41,
                            "2025-10": 35, "2025-11": 32, "2025-12": 24, "2026-01": 30, "2026-02": 40, "2026-03": 33}  # fmt: skip
    assert sum(months.values()) == 405  # about 33 a month
    # 上期: 211 in the sample; the progress report says 198 by the end of September 2025 (S2:366) —
    # pinning the sample to 198 is the obligations issue's calibration
    assert sum(n for m, n in months.items() if "2025-04" <= m <= "2025-09") == 211


def test_shipped_prior_year_has_fewer_priority_incidents() -> None:
    """FY2024's cases (their own random stream) give R07 a year to compare with: fewer 重点三事案."""
    years: Counter[tuple[str, bool]] = Counter()
    for line in (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["type"] == "error_report":
            fy = "FY2024" if ev["discovered_at"] < "2025-04" else "FY2025"
            years[(fy, ev["category"] in PRIORITY)] += 1
    assert years[("FY2024", True)] == 90 and years[("FY2025", True)] == 136
    assert years[("FY2024", False)] + years[("FY2024", True)] == 353


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
