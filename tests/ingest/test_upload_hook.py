"""The pipeline's upload hook (riskmon.ingest.upload) on real SQLite and PostgreSQL: the run names its
uploader, the files are staged under the run's number, a first-line upload's records for other
units are rejected naming the unit (valid or not), the units master is refused, and a staging
failure ends the run as failed instead of leaving it running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO
from riskmon.ingest.pipeline import ingest
from riskmon.ingest.upload import Upload
from riskmon.store.tables import IngestRun, table_of
from tests.helpers import daily, run

MINE = frozenset({"PO-001"})


def stager(folder: Path, files: dict[str, str]) -> Upload:
    def stage(run_id: int) -> list[Path]:
        target = folder / str(run_id)
        target.mkdir(parents=True)
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
        return [target / name for name in files]

    return Upload("po1", MINE, stage)


def run_row(engine: Engine, run_id: int) -> tuple[str, str | None, list[str]]:
    t = table_of(IngestRun)
    with engine.connect() as conn:
        row = conn.execute(select(t.c.status, t.c.uploaded_by, t.c.sources).where(t.c.id == run_id)).one()
    return row.status, row.uploaded_by, row.sources


def test_an_upload_names_its_uploader_and_rejects_other_units_records(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file)
    bad_other = {**daily("d3", unit="PO-002"), "complaints": -1}  # invalid and another unit's: both reasons
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (daily("d1"), daily("d2", unit="PO-002"), bad_other)) + "\n"
    report = ingest(engine, [], tz=TOKYO, upload=stager(tmp_path / "up", {"e.jsonl": lines}))
    assert report.accepted == {"daily_report": 1} and report.rejected == {"daily_report": 2}
    where = [(r.line, [(x.field, x.code) for x in r.reasons]) for r in report.rejections]
    assert where == [(2, [("unit_id", "other_unit")]), (3, [("complaints", "greater_than_equal"), ("unit_id", "other_unit")])]
    assert report.rejections[0].reasons[0].ja == "'PO-002'は自部署（PO-001）ではありません。第一線が送れるのは自部署の記録だけです"
    kept = tmp_path / "up" / str(report.run_id) / "e.jsonl"
    assert run_row(engine, report.run_id) == ("completed", "po1", [str(kept)])
    assert report.files == [str(kept)]


def test_a_plain_ingest_names_no_uploader(engine: Engine, units_file: Path) -> None:
    report = run(engine, units_file)
    assert run_row(engine, report.run_id)[1] is None


def test_the_units_master_is_refused_in_an_upload(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    report = ingest(engine, [], tz=TOKYO, upload=stager(tmp_path / "up", {"units.csv": units_file.read_text(encoding="utf-8")}))
    assert report.accepted == {} and [r.reasons[0].code for r in report.rejections] == ["units_file"]


def test_a_staging_failure_ends_the_run_as_failed(engine: Engine, tmp_path: Path) -> None:
    def stage(run_id: int) -> list[Path]:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        ingest(engine, [], tz=TOKYO, upload=Upload("po1", MINE, stage))
    t = table_of(IngestRun)
    with engine.connect() as conn:
        status, by, error = conn.execute(select(t.c.status, t.c.uploaded_by, t.c.error).order_by(t.c.id.desc()).limit(1)).one()
    assert (status, by) == ("failed", "po1") and "No space left on device" in error
