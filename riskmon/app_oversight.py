"""What the oversight pages read and do — レポート, ダッシュボード, 監査 — each one call on
``rm.pages.oversight``, with who may do it decided here, never in a route or a template.

Who may see what (docs/web.md, "レポート・ダッシュボード・監査"):

- レポート: the second line, the third line and governance. The first line sees none: a committee
  pack ranks every office and lists every unit's overdue cases, so it is not "their own units'"
  document, and their own figures are on the dashboard. Generating a pack is the second line's
  (リスク統括部 prepares the committee's papers), through the same ``rm.reports.committee`` as
  ``riskmon report committee`` and the scheduler, and audited (``report_generated``).
- ダッシュボード: everyone; the first line's figures are their own units' only (the flags' own
  visibility rule, riskmon.review.policy.visible_units).
- 監査: the third line, the second line and governance; the first line is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon import audit
from riskmon.audit import trail
from riskmon.domain import Line, Severity
from riskmon.flags import overview
from riskmon.i18n import Lang, phrase
from riskmon.jobs.service import JobOverview
from riskmon.reports import data as report_data
from riskmon.reports import kept, office_score
from riskmon.reports.committee import Written
from riskmon.review import policy
from riskmon.review.users import Actor
from riskmon.store.asof import AsOf
from riskmon.store.kept_index import KeptFolder, kept_folder, kept_folders

if TYPE_CHECKING:
    from riskmon.app import Riskmon

GENERATED = "report_generated"
READERS = (Line.SECOND, Line.THIRD, Line.GOVERNANCE)
#: the files a kept report's folder may hold, and how each is served
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def may_read_reports(actor: Actor) -> bool:
    return actor.line in READERS


def may_generate_reports(actor: Actor) -> bool:
    """The policy's own second-line check (a ``user_admin`` is second line too)."""
    try:
        policy.require_second_line(actor, "", "")
    except policy.Refused:
        return False
    return True


def may_read_audit(actor: Actor) -> bool:
    return actor.line in READERS


@dataclass(frozen=True)
class KeptReport:
    folder: KeptFolder
    lang: str
    files: list[str]  # the extensions present in the folder, in MEDIA's order
    made_by: str | None  # who generated the newest version (riskmon.reports.kept); None: kept before 0021


@dataclass(frozen=True)
class ReportFile:
    path: Path
    media_type: str
    filename: str  # in Japanese (RFC 5987 filename*)
    ascii_filename: str  # the fallback for clients that read only filename=


@dataclass
class Dashboard:
    rows: list[dict[str, Any]]  # one per 地域部 (or unit outside one): name, id, counts by severity, total
    severities: list[str]
    figures: overview.Overview
    names: dict[str, str]
    nightly: JobOverview | None
    scoped: bool  # the viewer's own units only (the first line), not every unit
    overdue_months: list[tuple[date, int]] = field(default_factory=list)  # (month, deadlines missed in it)
    since: date | None = None  # the score and the inspections cover since..until: the fiscal half so far
    until: date | None = None
    offices: list[dict[str, Any]] = field(default_factory=list)  # the pack's office-risk score, top 10
    formula: str = ""  # the score's formula, as the pack prints it
    inspections: dict[str, Any] | None = None  # the pack's inspection table; None for the first line


class Oversight:
    """Reports, the dashboard and the audit page over one ``Riskmon``."""

    def __init__(self, rm: Riskmon) -> None:
        self._rm = rm

    # -- レポート ---------------------------------------------------------------------------------
    def kept_reports(self, viewer: Actor) -> list[KeptReport]:
        _require(may_read_reports(viewer), "レポートの閲覧", "read the reports")
        with self._rm.ready().connect() as conn:
            folders = kept_folders(conn)
            makers = kept.makers(conn, [k.id for k in folders])
        return [KeptReport(k, "en" if k.folder.endswith("_en") else "ja", _present(k), makers.get(k.id)) for k in folders]

    def report_file(self, viewer: Actor, report_id: int, ext: str) -> ReportFile | None:
        """One file of a kept report's folder; None when there is no such report or file."""
        _require(may_read_reports(viewer), "レポートの閲覧", "read the reports")
        if ext not in MEDIA:
            return None
        with self._rm.ready().connect() as conn:
            found = kept_folder(conn, report_id)
        if found is None or ext not in _present(found):
            return None
        # what the kind is called in a downloaded file's name: Japanese, and the ASCII fallback
        ja, ascii_ = phrase("web", f"rp_file_{found.kind}", "ja"), phrase("web", f"rp_file_{found.kind}", "en")
        suffix = "_en" if found.folder.endswith("_en") else ""
        span = f"{found.period_from.isoformat()}_{found.period_to.isoformat()}{suffix}.{ext}"
        return ReportFile(_file(found, ext), MEDIA[ext], f"{ja}_{span}", f"{ascii_}_{span}")

    def generate_committee(self, viewer: Actor, first: date, last: date, lang: Lang, via: dict[str, str]) -> Written:
        """The pack for ``first``..``last`` (data as of the end of ``last``), written as
        ``riskmon report committee`` writes it, with ``viewer`` as its maker (kept with the report:
        the first maker of an identical pack stays), and the generation audited with its folder."""
        _require(may_generate_reports(viewer), "リスク管理委員会資料の作成", "generate a committee pack", second_only=True)
        rm = self._rm
        written = rm.reports.committee(first, last, lang=lang, made_by=viewer.user_id)
        with rm.ready().begin() as conn:
            audit.append(conn, viewer.user_id, GENERATED, f"report:committee:{first.isoformat()}..{last.isoformat()}",
                         {"folder": str(written.folder), "data_hash": written.data_hash, "version": written.version,
                          "unchanged": written.unchanged, "lang": lang, **via}, rm.now())  # fmt: skip
        return written

    # -- ダッシュボード ------------------------------------------------------------------------------
    def dashboard(self, viewer: Actor, lang: Lang) -> Dashboard:
        rm = self._rm
        units = policy.visible_units(viewer)
        now = rm.now()
        local = now.astimezone(rm.settings.tz)
        monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=rm.settings.tz)
        # the score and the inspections cover the fiscal half so far, as the half's pack will
        today = local.date()
        since = rm.calendar.fiscal_half_bounds(rm.calendar.fiscal_year(today), rm.calendar.fiscal_half(today))[0]
        with rm.ready().connect() as conn:
            figures = overview.overview(conn, units, now, monday, rm.settings.tz)
            region_of = overview.regions(conn, figures.open_by_unit)
            months = overview.monthly_overdue(conn, units, now, rm.settings.tz)
            offices = office_score.current_risky_offices(conn, units, since, now, rm.calendar, {})
            # every contractor's inspections: not one unit's figures, so not the first line's
            inspected = None if units is not None else report_data.inspections(conn, since, today, AsOf(now), lang)
        rows: dict[str, dict[str, int]] = {}
        division: dict[str, bool] = {}
        for unit, counts in figures.open_by_unit.items():
            region, is_division = region_of[unit]
            division[region] = is_division
            row = rows.setdefault(region, {})
            for severity, n in counts.items():
                row[severity] = row.get(severity, 0) + n
        severities = [s.value for s in reversed(Severity)]
        # each row links to the flag list filtered as it counts: a 地域部 with its offices, else the unit
        table: list[dict[str, Any]] = [{"id": region, "counts": counts, "total": sum(counts.values()),
                  "filter": {"region" if division[region] else "unit": region}} for region, counts in rows.items()]  # fmt: skip
        table.sort(key=lambda r: (-r["total"], r["id"]))
        shown = set(rows) | {r["owner_unit"] for r in figures.overdue_priority} | {o["unit_id"] for o in offices}
        names = rm.unit_names(lang, only=shown)
        nightly = next((j for j in rm.jobs.overview(now) if j.job == "nightly"), None)
        return Dashboard(table, severities, figures, names, nightly, units is not None, months, since, today, offices,
                         phrase("report", "score_formula", lang), inspected)  # fmt: skip

    # -- 監査 ----------------------------------------------------------------------------------
    def audit_trail(self, viewer: Actor, q: trail.TrailQuery) -> tuple[list[dict[str, Any]], int, list[str]]:
        """A page of the audit log, how many entries match, and the actions to filter by."""
        _require(may_read_audit(viewer), "監査証跡の閲覧", "read the audit trail")
        with self._rm.ready().connect() as conn:
            rows, total = trail.entries(conn, q)
            return rows, total, trail.actions(conn)

    def verification(self, viewer: Actor) -> audit.Verification:
        """``riskmon audit verify``: the chain, the anchors and the cross-checks (reads the whole log)."""
        _require(may_read_audit(viewer), "監査証跡の検証", "verify the audit trail")
        return self._rm.verify_audit()

    def assurance(self, viewer: Actor, first: date, last: date, lang: Lang) -> str:
        """The third line's report for a period, as ``riskmon report assurance`` writes it (Markdown),
        kept once per period and data date and read back after (riskmon.app_reports.Reports.kept_assurance)."""
        _require(may_read_audit(viewer), "第三線の監査資料の作成", "make the third line's audit document")
        return self._rm.reports.kept_assurance(first, last, lang=lang, made_by=viewer.user_id)


def _require(allowed: bool, what_ja: str, what_en: str, *, second_only: bool = False) -> None:
    if not allowed:
        who_ja, who_en = (
            ("第二線（リスク統括部等）", "the second line")
            if second_only
            else ("第二線・第三線・ガバナンスの利用者", "the second line, the third line and governance")
        )
        raise policy.Refused(f"{what_ja}は{who_ja}だけが行えます", f"only {who_en} may {what_en}")


def _file(k: KeptFolder, ext: str) -> Path:
    return Path(k.folder) / f"{k.kind}.{ext}"


def _present(k: KeptFolder) -> list[str]:
    return [ext for ext in MEDIA if _file(k, ext).is_file()]
