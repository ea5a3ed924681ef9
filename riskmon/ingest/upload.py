"""An ingest started by a person from the web (the 取込 page, the 日次業務報告 form, the JSON API's
POST /events; riskmon.app_ingest).

The files go through the very pipeline ``riskmon ingest`` runs; what differs is said here, once:

- the run names its uploader (``ingest_runs.uploaded_by``), so who sent what stays on record;
- the files are written only once the run has its number (:attr:`Upload.stage`), under a folder
  named by it, so every stored source path and reject points at the file as it was received;
- a first-line user sends only their own units' records: a record for another unit is rejected
  with a reason naming that unit (quarantined like any bad record, never dropped silently);
- the units master is not taken from a page: it decides who sees what, so it stays with the
  operator's ``riskmon ingest`` (a file recognised as one is a file-level reject).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riskmon.events.reasons import Reason


@dataclass(frozen=True, slots=True)
class Upload:
    by: str  # the uploader's user id, recorded on the run
    units: frozenset[str] | None  # the only unit_id its records may have (None: any unit)
    stage: Callable[[int], list[Path]]  # writes the files for run N and returns their paths


def other_unit(unit_id: str, allowed: frozenset[str]) -> Reason:
    """A record for a unit the uploader does not belong to (first line: their own unit only)."""
    own = "、".join(sorted(allowed))
    own_en = ", ".join(sorted(allowed))
    return Reason(
        "unit_id",
        "other_unit",
        f"'{unit_id}'は自部署（{own}）ではありません。第一線が送れるのは自部署の記録だけです",
        f"'{unit_id}' is not your unit ({own_en}); the first line sends its own units' records only",
    )


def units_file() -> Reason:
    return Reason(
        "",
        "units_file",
        "組織マスタ（units）は取込画面からは読み込みません。運用担当が riskmon ingest で読み込みます",
        "is the units master, which the upload page does not load; the operator loads it with riskmon ingest",
    )
