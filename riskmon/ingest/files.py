"""What each input file is: a units master, a users file, events — or something riskmon cannot read.

A folder handed to ``riskmon ingest`` is whatever an office dropped into it: event files, the
units master, the users file, a workbook saved from Excel, a note. Each is recognised before it is
opened as events, so a users file never turns into a page of bogus rejects and a workbook is one
clear file-level reject instead of junk records or silence. Recognition is by name (``units.*``,
``users.*``), then by content: a ZIP or OLE signature means a workbook whatever its name, and a
CSV header without a ``type`` column but with a units or users master's columns means that master.

An Excel workbook (.xlsx / .xlsm) is read as events (riskmon.ingest.xlsx): one input per sheet that
holds events (the sheets named after an event type, else the first), or as the units master when
named ``units.xlsx``. An old-format .xls workbook, or a workbook under another name, is one
file-level reject saying how to save it.

Hidden files (``.name``) and Excel's lock files (``~$name``) inside a folder are left alone: they
are not anyone's data.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from riskmon.events.reasons import Reason

EVENT_SUFFIXES = (".jsonl", ".csv", ".jsonl.gz", ".csv.gz", ".ndjson")
#: Files with this stem hold the units master, loaded before any event file.
UNITS_STEM = "units"
#: Files with this stem hold the users (riskmon users load), never events.
USERS_STEM = "users"

Role = Literal["units", "users", "events", "unreadable"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP = b"PK\x03\x04"
_OLD_EXCEL = (
    "excel_xls",
    "古い形式の Excel ブック（.xls）は読めません。Excel で開き『Excel ブック (.xlsx)』で保存し直して取り込んでください",
    "is an old-format Excel workbook (.xls), which riskmon does not read; open it in Excel and save it as 'Excel Workbook (.xlsx)'",
)
_MISNAMED = (
    "excel",
    "Excel ブック（ZIP 形式）ですが名前が .xlsx ではありません。名前を .xlsx にして取り込んでください",
    "is an Excel workbook (a ZIP file) not named .xlsx; rename it to .xlsx and ingest it again",
)
_NOT_A_WORKBOOK = (
    "excel",
    "名前は .xlsx ですが Excel ブックではありません（壊れているか別の形式です）。"
    "Excel で開いて『Excel ブック (.xlsx)』で保存し直してください",
    "is named .xlsx but is not an Excel workbook (damaged, or another format); open it in Excel and save it as 'Excel Workbook (.xlsx)'",
)
_SIGNATURES = {_ZIP: _MISNAMED, b"\xd0\xcf\x11\xe0": _OLD_EXCEL}
_SUFFIX_HINTS = {
    ".xlsx": _NOT_A_WORKBOOK,  # no ZIP signature
    ".xlsm": _NOT_A_WORKBOOK,
    ".xls": _OLD_EXCEL,
    ".json": (
        "file_type",
        "JSON ファイル (.json) は読めません。1行に1件の JSONL (.jsonl) で送ってください",
        "is a .json file; send one JSON object per line as .jsonl",
    ),
}


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    role: Role
    reason: Reason | None = None  # why it is not read as events (users, unreadable)
    sheet: str | None = None  # for a workbook: the sheet read (riskmon.ingest.xlsx)


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in EVENT_SUFFIXES if name.endswith(s)), "")


def stem_of(path: Path) -> str:
    return path.name[: len(path.name) - len(suffix_of(path))] if suffix_of(path) else path.stem


def plan(paths: list[Path]) -> list[InputFile]:
    """Every file to look at, in a stable order: units masters first, then the rest by path."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith((".", "~$"))))
        else:
            found.append(p)
    files = [sheet for p in dict.fromkeys(found) for sheet in _sheets(classify(p))]
    return sorted(files, key=lambda f: (f.role != "units", str(f.path)))


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def _sheets(item: InputFile) -> list[InputFile]:
    """A workbook as one input per sheet to read (in the workbook's order); other files as they are."""
    if item.role not in ("events", "units") or not is_workbook(item.path):
        return [item]
    from riskmon.ingest import xlsx  # the reader imports this module: imported when first needed

    try:
        names = xlsx.sheets_to_read(item.path)
    except xlsx.OPEN_ERRORS as exc:
        return [InputFile(item.path, "unreadable", xlsx.unreadable_workbook(exc))]
    if item.role == "units":
        names = names[:1]
    return [InputFile(item.path, item.role, sheet=name) for name in names]


def classify(path: Path) -> InputFile:
    """What ``path`` holds, from its name and its first bytes."""
    try:
        head = _first_bytes(path)
    except OSError as exc:
        return InputFile(path, "unreadable", cannot_open(exc))
    signature = next((r for sig, r in _SIGNATURES.items() if head.startswith(sig)), None)
    if signature is not None and head.startswith(_ZIP) and is_workbook(path):
        signature = None  # a workbook: read as events, or as the units master by its name
    suffix = suffix_of(path)
    if signature is None and not suffix and not (is_workbook(path) and head.startswith(_ZIP)):
        signature = _SUFFIX_HINTS.get(path.suffix.lower(), _UNKNOWN)
    if signature is not None:
        return InputFile(path, "unreadable", Reason("", *signature))
    stem = stem_of(path).lower()
    if stem == USERS_STEM:
        return InputFile(path, "users", users_file(workbook=is_workbook(path)))
    if stem == UNITS_STEM:
        return InputFile(path, "units")
    if ".csv" in suffix:
        columns = _csv_header(path)
        if "type" not in columns and {"unit_id", "unit_type"} <= columns:
            return InputFile(path, "units")
        if "type" not in columns and {"user_id", "role"} <= columns:
            return InputFile(path, "users", users_file())
    return InputFile(path, "events")


_UNKNOWN = (
    "file_type",
    "取り込めない種類のファイルです。.jsonl / .csv（.gz 圧縮も可）/ .xlsx で送ってください",
    "is not a kind of file riskmon reads; send .jsonl, .csv (optionally .gz) or .xlsx",
)


def users_file(*, workbook: bool = False) -> Reason:
    if workbook:  # riskmon users load reads CSV only
        return Reason(
            "",
            "users_file",
            "利用者ファイル (users) です。イベントとしては読みません"
            "（Excel の『CSV UTF-8』で users.csv として保存し、riskmon users load で読み込みます）",
            "is a users file, not events: it is not read here"
            " (save it from Excel as 'CSV UTF-8', users.csv, and load it with riskmon users load)",
        )
    return Reason(
        "",
        "users_file",
        "利用者ファイル (users) です。イベントとしては読みません（riskmon users load で読み込みます）",
        "is a users file, not events: it is not read here (load it with riskmon users load)",
    )


def _first_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(8)


def _csv_header(path: Path) -> set[str]:
    """The column names of a CSV file's first line, or nothing if it cannot be read (the reader
    will then say why, as a file-level reject)."""
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            first = f.readline(64 * 1024)
        text = first.decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        return set()
    return {c.strip().strip('"').strip() for c in text.strip().split(",")}


def cannot_open(exc: OSError) -> Reason:
    """Why a file the operating system would not open is one file-level reject (here when it is
    recognised, or by the pipeline if it goes away between recognition and reading)."""
    what = exc.strerror or exc.__class__.__name__
    return Reason("", "file_unreadable", f"ファイルを開けません: {what}", f"cannot be opened: {what}")
