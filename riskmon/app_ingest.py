"""Ingests a person starts from the web: the 取込 page's files and the 日次業務報告 form (issue #14).

Why here and not in a route: who may send what, where the files are kept, how a form becomes a
record and what is audited are the same for any front end (the web today, an API tomorrow). The
records go through the very pipeline ``riskmon ingest`` runs (riskmon.ingest.pipeline) with the
uploader's restrictions (riskmon.ingest.upload), so a bad record is quarantined, a record sent
twice is a duplicate and a changed one a conflict exactly as with files on the server.

Kept files: what was received is written under ``[paths] uploads`` (default ``var/uploads``) in a
folder named by the ingest run's number, ``<run id>/<file name>``, and left there: the rejects
and the stored events point at it (file and line), so nothing a person sent is lost, and a
record can always be traced to the very bytes it came from. Old folders are the operator's to
archive, as the inbox is.

Who: the first line sends its own units' records only (others are rejected with a reason naming
the unit); the second line sends any unit's; the third line (監査部), governance and outside
parties read and never send. The daily report is the office head's (first line, 所属長): its
unit is always their own.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError
from sqlalchemy import select

from riskmon import audit
from riskmon.domain import Line
from riskmon.errors import NotFound, Refused, RiskmonError
from riskmon.events.reasons import BadJson, Reason, translate, validate_record
from riskmon.events.reasons import where as place
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang, phrase
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.ingest.upload import Upload
from riskmon.reports.safe_cells import csv_row
from riskmon.review.users import Actor
from riskmon.store import ingest_runs, queries
from riskmon.store.tables import IngestRun, table_of

if TYPE_CHECKING:
    from riskmon.app import Riskmon

#: The most a page may send at once (the web's body limit for the 取込 page is this plus the form).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: The most files one upload takes.
MAX_FILES = 20
#: The daily report's fields a head fills in, in the form's order: the required ones, then the
#: optional ones (the processing counts by form and medium, which many offices leave empty).
DAILY_REQUIRED = ("business_date", "forms_received", "forms_processed", "forms_pending", "oldest_pending_days", "complaints",
                  "suspected_errors", "note")  # fmt: skip
_FIXED = {"event_id", "type", "unit_id", "submitted_at"}
DAILY_OPTIONAL = tuple(n for n in FAMILIES["daily_report"].field_names if n not in _FIXED and n not in DAILY_REQUIRED)
Outcome = Literal["accepted", "duplicate", "conflict", "rejected"]


@dataclass(frozen=True)
class Received:
    """One file as the browser sent it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Uploaded:
    """What an upload did: the ingest run's report, the files by the names shown, and where they are kept."""

    report: IngestReport
    names: list[str]
    folder: Path

    @property
    def run_id(self) -> int:
        return self.report.run_id

    def shown(self, source: str) -> str:
        """A stored source path as the uploader knows it: the file's own name."""
        path = Path(source)
        return path.name if path.parent == self.folder else source

    def reject_lines(self, lang: Lang) -> list[str]:
        """``file:line: field: reason`` for the rejects the report kept (the first 200; all are in the CSV)."""
        out: list[str] = []
        for r in self.report.rejections:
            where = place(self.shown(r.source), r.line)
            out.extend(f"{where}: {_unrooted(reason.describe(lang), self.folder.parent)}" for reason in r.reasons)
        return out

    @property
    def more(self) -> int:
        """Rejects beyond those the report kept."""
        return self.report.total_rejected - len(self.report.rejections)


@dataclass(frozen=True)
class DailyResult:
    """The daily form's answer: either ``problems`` by field (nothing was sent), or what the ingest made of it."""

    values: dict[str, str]
    problems: dict[str, list[Reason]] = field(default_factory=dict)
    uploaded: Uploaded | None = None
    outcome: Outcome | None = None


def may_upload(actor: Actor) -> bool:
    return actor.line in (Line.FIRST, Line.SECOND)


def may_report_daily(actor: Actor) -> bool:
    return actor.line == Line.FIRST and actor.role == "site_manager"


def upload_units(actor: Actor) -> frozenset[str] | None:
    """The units whose records ``actor`` may send (None: any): the first line, the units it oversees
    (an office its own; a 地域部 also its offices, as it sees their flags)."""
    return actor.units_overseen if actor.line == Line.FIRST else None


def safe_name(sent: str | None, fallback: str = "upload") -> str:
    """The upload's own name without any folder, and only characters safe in a file name."""
    base = re.split(r"[\\/]", sent or "")[-1]
    return re.sub(r"[^\w.\-]", "_", base).lstrip(".")[:120] or fallback


class UploadProblem(RiskmonError):
    """The upload as a whole cannot be taken (no file, too many, too large): nothing was read."""


class Uploads:
    """The 取込 page and the 日次業務報告 form, through one ``Riskmon`` (its engine, settings, clock)."""

    def __init__(self, rm: Riskmon) -> None:
        self._rm = rm

    @property
    def folder(self) -> Path:
        """``[paths] uploads``, absolute: the pipeline stores sources as absolute paths (os.path.abspath)."""
        return Path(os.path.abspath(self._rm.path("uploads")))

    # -- who ------------------------------------------------------------------------------------
    def require_upload(self, actor: Actor, via: Mapping[str, str]) -> None:
        if not may_upload(actor):
            self._refuse(actor, "upload", "uploads", via, "ingest_refused_line")

    def require_daily(self, actor: Actor, via: Mapping[str, str]) -> None:
        if not may_report_daily(actor):
            self._refuse(actor, "daily_report", f"unit:{actor.unit_id}", via, "daily_refused")

    def _refuse(self, actor: Actor, action: str, subject: str, via: Mapping[str, str], key: str) -> None:
        ja, en = phrase("web", key, "ja"), phrase("web", key, "en")
        with self._rm.ready().begin() as conn:
            audit.append(conn, actor.user_id, f"refused:{action}", subject, {"reason": en, **via}, self._rm.now())
        raise Refused(ja, en)

    # -- files ----------------------------------------------------------------------------------
    def ingest(self, files: Sequence[Received], actor: Actor, via: Mapping[str, str], action: str = "upload") -> Uploaded:
        """Ingest the files ``actor`` sent, as ``riskmon ingest`` would, and audit who sent what
        (``action``: ``upload`` from the 取込 page, ``api_ingest`` from the JSON API)."""
        self.require_upload(actor, via)
        if not files:
            raise UploadProblem("ファイルを選んでください", "choose a file to upload")
        if len(files) > MAX_FILES:
            raise UploadProblem(f"一度に送れるファイルは{MAX_FILES}個までです（{len(files)}個選ばれています）",
                                f"at most {MAX_FILES} files at once ({len(files)} were chosen)")  # fmt: skip
        size = sum(len(f.data) for f in files)
        if size > MAX_UPLOAD_BYTES:
            raise UploadProblem(f"一度に送れるのは{MAX_UPLOAD_BYTES:,}バイトまでです（{size:,}バイト）。ファイルを分けて送ってください",
                                f"at most {MAX_UPLOAD_BYTES:,} bytes at once ({size:,} were sent); send the files in parts")  # fmt: skip
        named = _unique([(safe_name(f.name), f.data) for f in files])
        return self._run(named, actor, via, action, upload_units(actor))

    def _run(self, named: list[tuple[str, bytes]], actor: Actor, via: Mapping[str, str], action: str,
             units: frozenset[str] | None) -> Uploaded:  # fmt: skip
        root = self.folder

        def stage(run_id: int) -> list[Path]:
            target = root / str(run_id)
            target.mkdir(parents=True, exist_ok=False)  # a run's folder is its own: never reused
            for name, data in named:
                (target / name).write_bytes(data)
            return [target / name for name, _ in named]

        rm = self._rm
        report = ingest(rm.ready(), [], tz=rm.settings.tz, batch_size=rm.settings.ingest.batch_size, workers=1,
                        upload=Upload(actor.user_id, units, stage))  # fmt: skip
        done = Uploaded(report, [name for name, _ in named], root / str(report.run_id))
        totals = report.as_dict()["totals"]
        kept = [{"name": n, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in named]
        with rm.ready().begin() as conn:
            audit.append(conn, actor.user_id, action, f"ingest:{report.run_id}", {"files": kept, **totals, **via}, rm.now())
        return done

    # -- the runs, newest first (the JSON API's ingest-runs) --------------------------------------
    def runs(self, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        return ingest_runs.runs(self._rm.ready(), limit, offset)

    def run(self, run_id: int) -> dict[str, Any] | None:
        return ingest_runs.run(self._rm.ready(), run_id)

    # -- the rejects of a run, to fix and send again ---------------------------------------------
    def require_run(self, run_id: int, actor: Actor) -> None:
        """The uploader of run ``run_id`` and the second line may read its rejects; others are refused."""
        t = table_of(IngestRun)
        with self._rm.ready().connect() as conn:
            row = conn.execute(select(t.c.id, t.c.uploaded_by).where(t.c.id == run_id)).first()
        if row is None:
            raise NotFound(f"取込実行{run_id}はありません", f"there is no ingest run {run_id}")
        if row.uploaded_by != actor.user_id and actor.line != Line.SECOND:
            raise Refused(f"取込実行{run_id}はあなたの取込ではありません", f"ingest run {run_id} is not your upload")

    def rejects_csv(self, run_id: int, actor: Actor, lang: Lang) -> Iterator[bytes]:
        """The run's rejects as CSV (UTF-8 with BOM, for Excel): one row per reason, with the record as read."""
        self.require_run(run_id, actor)
        folder = self.folder / str(run_id)
        with self._rm.ready().connect() as conn:
            rows, _, _ = queries.reject_rows(conn, run=run_id, open_only=False, per=1_000_000)
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow([phrase("web", k, lang) for k in REJECT_COLUMNS])
        for r in rows:
            path = Path(r["source_path"])
            name = path.name if path.parent == folder else r["source_path"]
            for x in r["reasons"] or [{}]:
                reason = Reason.from_dict(x)
                out.writerow(csv_row([name, r["line_no"] or "", r["record_type"] or "", r["event_id"] or "", reason.field,
                                      _unrooted(reason.text(lang), self.folder), r["raw"]]))  # fmt: skip
        yield ("\ufeff" + buf.getvalue()).encode("utf-8")

    # -- the daily report ------------------------------------------------------------------------
    def daily_default(self) -> date:
        """The business date the form starts with: today's, or the last business day before a closed day."""
        return self._rm.calendar.previous_business_day(self._rm.now().astimezone(self._rm.settings.tz).date(), inclusive=True)

    def daily_report(self, form: Mapping[str, str], actor: Actor, via: Mapping[str, str]) -> DailyResult:
        """Check the form with the DailyReport model (the messages a file's row would get); when it
        passes, send it through the pipeline as a one-line JSONL file. Its event id is the unit and
        the date (``DR-<yyyymmdd>-<unit>``), so a second report for the same day is a duplicate when
        it says the same and a conflict when it does not. ``submitted_at`` is left out: it would
        make every resubmission differ; the run records when it came and from whom."""
        self.require_daily(actor, via)
        values = {name: str(form.get(name, "")).strip() for name in (*DAILY_REQUIRED, *DAILY_OPTIONAL)}
        data: dict[str, Any] = {"event_id": "DR-form", "type": "daily_report", "unit_id": actor.unit_id}
        data |= {k: v for k, v in values.items() if v or k == "note"}
        try:
            event = validate_record(data, {"tz": self._rm.settings.tz})
        except ValidationError as exc:
            return DailyResult(values, _by_field(translate(exc, "daily_report")))
        except BadJson as exc:  # pragma: no cover - a mapping is never parsed as JSON
            return DailyResult(values, {"": [exc.reason]})
        record = {k: v for k, v in dataclasses.asdict(event).items() if v is not None}
        record["event_id"] = f"DR-{event.business_date:%Y%m%d}-{actor.unit_id}"
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        name = f"daily_report_{event.business_date:%Y%m%d}.jsonl"
        done = self._run([(name, line.encode("utf-8"))], actor, via, "daily_report", frozenset({actor.unit_id}))
        report = done.report
        outcome: Outcome = ("accepted" if report.accepted["daily_report"] else "duplicate" if report.duplicates["daily_report"]
                            else "conflict" if report.conflicts["daily_report"] else "rejected")  # fmt: skip
        return DailyResult(values, uploaded=done, outcome=outcome)


#: The rejects CSV's columns (the words are the catalogue's, in the viewer's language).
REJECT_COLUMNS = ("rj_file", "rj_line", "rj_type", "rj_event_id", "rj_field", "rj_reason", "rj_raw")


def _unique(named: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Two files of one upload with the same name are both kept: the later ones get ``2_``, ``3_``… before it."""
    seen: set[str] = set()
    out = []
    for name, data in named:
        final, n = name, 1
        while final in seen:
            n += 1
            final = f"{n}_{name}"
        seen.add(final)
        out.append((final, data))
    return out


def _unrooted(text: str, root: Path) -> str:
    """A reason naming another upload's file (a conflict says where the stored record came from)
    names it as ``<run id>/<file>``: the server's folders are nothing the uploader needs to read."""
    return text.replace(f"{root}{os.sep}", "")


def _by_field(reasons: list[Reason]) -> dict[str, list[Reason]]:
    out: dict[str, list[Reason]] = {}
    for r in reasons:
        out.setdefault(r.field.split(".")[0], []).append(r)
    return out
