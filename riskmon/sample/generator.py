"""``riskmon sample generate``: write a reproducible organisation and span of events to a folder.

The shipped ``sample_events/`` is this generator's output for FY2025 with 300 offices and seed 2025
(plus the hand-written ``bad_records.jsonl``), with the previous fiscal year's error cases from a
stream of their own (seed − 1) for the year-on-year rule. Bigger sets for benchmarks come from the
same code.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.sample import feeds, field_events, outsourcing
from riskmon.sample.org import build_org


@dataclass(frozen=True)
class SampleSpec:
    offices: int = 300
    start: date = date(2025, 4, 1)
    days: int = 365
    seed: int = 2025
    compress: bool = True  # daily reports are the bulk: gzip them

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


@dataclass
class SampleResult:
    files: dict[str, int] = field(default_factory=dict)  # file name → records


def generate(spec: SampleSpec, out: Path, cal: BusinessCalendar | None = None) -> SampleResult:
    cal = cal or BusinessCalendar()
    rng = random.Random(spec.seed)
    out.mkdir(parents=True, exist_ok=True)
    org = build_org(spec.offices, rng)
    result = SampleResult()
    unit_cols = ["unit_id", "name_ja", "name_en", "unit_type", "line", "parent_unit_id", "prefecture", "active"]
    result.files["units.csv"] = _write_csv(out / "units.csv", unit_cols, org.units)

    first_fy, last_fy = cal.fiscal_year(spec.start) - 1, cal.fiscal_year(spec.end)
    scale = spec.offices / 300
    contracts, inspections = outsourcing.generate(cal, first_fy, last_fy, org.hq_departments, org.contractors, rng, scale)
    inspections += outsourcing.nc_updates(inspections, cal, spec.end)
    contract_cols = list(contracts[0]) if contracts else []
    result.files["contracts.csv"] = _write_csv(out / "contracts.csv", contract_cols, contracts)
    result.files["inspections.jsonl"] = _write_jsonl(out / "inspections.jsonl", inspections, compress=False)

    centres = [o for o in org.offices if o.startswith("AC-")]
    offices = org.pension_offices + centres
    volume = centre_volume(org.pension_offices, centres)
    errors = list(field_events.error_cases(cal, offices, org.hq_departments, org.contractors, spec.start, spec.end, rng,
                                           volume=volume))  # fmt: skip
    prior = _prior_year_errors(cal, offices, org, spec, volume)
    result.files["error_reports.jsonl"] = _write_jsonl(out / "error_reports.jsonl", prior + errors, compress=False)

    growing = _with_story(rng.sample(org.pension_offices, k=max(1, spec.offices // 100)), STORY_BACKLOG, org.pension_offices, 0)
    missing = _missing_days(cal, org.pension_offices, spec, rng)
    suspected: dict[tuple[str, date], int] = {}
    for rec in errors:  # the 日報 names the day's discovered errors as suspected (R20 finds the exceptions)
        if rec["type"] == "error_report":
            key = (rec["unit_id"], date.fromisoformat(rec["discovered_at"][:10]))
            suspected[key] = suspected.get(key, 0) + 1
    slow = set(rng.sample(centres, k=min(2, len(centres))))
    spike = rng.choice(org.pension_offices)
    reports = field_events.daily_reports(cal, org.offices, spec.start, spec.end, rng, growing=set(growing), missing=missing,
                                         suspected=suspected, slow=slow, complaints_spike=spike, volume=volume)  # fmt: skip
    name = "daily_reports.jsonl.gz" if spec.compress else "daily_reports.jsonl"
    result.files[name] = _write_jsonl(out / name, reports, compress=spec.compress)
    for name, records in feeds.generate(cal, offices, out, spec.start, spec.end, spec.seed).items():
        result.files[name] = _write_jsonl(out / name, records, compress=False)
    return result


def centre_volume(pension_offices: list[str], centres: list[str]) -> dict[str, float]:
    """How many offices' worth of work each 事務センター processes: the 16 centres do the 届書
    定型業務 of every office (S1:1579-1591, S0:926), so each does about offices ÷ centres times an
    office's volume (18.75 for the sample's 300) — in its daily forms and in its share of errors."""
    return {c: len(pension_offices) / len(centres) for c in centres} if centres else {}


def _prior_year_errors(cal: BusinessCalendar, offices: list[str], org: Any, spec: SampleSpec,
                       volume: dict[str, float]) -> list[dict[str, Any]]:  # fmt: skip
    """The fiscal year before the span, from its own random stream so the span's own cases do not
    change: discovered before the span starts (its counts in error_plan.TARGETS, fewer 重点三事案
    than FY2025), their later steps through the span's end, as they would have happened."""
    rng = random.Random(spec.seed - 1)
    first = cal.fiscal_year_bounds(cal.fiscal_year(spec.start) - 1)[0]
    until = spec.start - timedelta(days=1)
    return list(field_events.error_cases(cal, offices, org.hq_departments, org.contractors, first, spec.end, rng,
                                         until=until, volume=volume))  # fmt: skip


#: the offices of the scripted review (scripts/demo_review.py, README.md's accounts): one whose
#: backlog grows (R14P) and one that misses the last two business days' 日報 (R13: one overdue at the
#: year's last evening)
STORY_BACKLOG, STORY_MISSING = "PO-149", "PO-136"


def _with_story(chosen: list[str], story: str, among: list[str], at: int) -> list[str]:
    """``chosen`` with the story's office at position ``at`` (when the sample has that office)."""
    if story not in among or len(chosen) <= at:
        return chosen
    rest = [o for o in chosen if o != story]
    return [*rest[:at], story, *rest[at : len(chosen) - 1]]


def _missing_days(cal: BusinessCalendar, offices: list[str], spec: SampleSpec, rng: random.Random) -> dict[str, set[date]]:
    """A few offices miss daily reports: one day mid-year, and 1–3 days in the last week."""
    days = list(cal.business_days(spec.start, spec.end))
    chosen = _with_story(rng.sample(offices, k=min(4, len(offices))), STORY_MISSING, offices, 2)
    out: dict[str, set[date]] = {}
    for i, office in enumerate(chosen):
        if i == 0:
            out[office] = {days[len(days) // 2]}
        else:
            out[office] = set(days[-i:])
    return out


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]], *, compress: bool) -> int:
    n = 0
    raw: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed below
    try:
        # mtime=0 keeps the gzip bytes identical between runs: the same seed gives the same file
        stream: Any = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if compress else raw
        with io.TextIOWrapper(stream, encoding="utf-8", newline="\n") as text:
            for rec in records:
                text.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
                text.write("\n")
                n += 1
    finally:
        raw.close()
    return n
