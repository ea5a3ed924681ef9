"""Ingest benchmark: events/s and peak memory at 100k and 1M events, against the bare JSON parse.

    python bench/ingest.py                 # 100k and 1M, SQLite and (when reachable) PostgreSQL
    python bench/ingest.py --sizes 100k    # a quick run
    python bench/ingest.py --repeat 3      # median of three runs per case (what docs/benchmarks.md shows)

Each measurement runs in a fresh process (so peak RSS is that step's own) on a fresh database,
with the default worker processes (one per CPU) and once validating in the ingest process itself.
Data comes from ``riskmon sample generate`` (time-ordered event ids, as ULIDs would be) plus one
data set with random UUID ids, to show what unordered keys cost. Results: bench/out/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PG_URL = os.environ.get("RISKMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIZES = {"100k": 410, "1m": 4100}  # offices for one fiscal year of daily reports ≈ 100k / 1M events


def _measure_parse(path: Path) -> dict[str, float]:
    start = time.perf_counter()
    n = 0
    with open(path, "rb") as f:
        for line in f:
            json.loads(line)
            n += 1
    return {"seconds": time.perf_counter() - start, "events": n, "peak_mb": _peak_mb()}


def _measure_ingest(url: str, folder: Path, workers: int | None) -> dict[str, float]:
    from riskmon.audit import ensure_key
    from riskmon.business_calendar import TOKYO
    from riskmon.ingest.pipeline import ingest
    from riskmon.store.db import make_engine
    from riskmon.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    ensure_key(engine)  # the ingest appends to the keyed audit log
    ingest(engine, [folder / "units.csv"], tz=TOKYO)
    start = time.perf_counter()
    report = ingest(engine, [folder / "daily_reports.jsonl"], tz=TOKYO, batch_size=5000, workers=workers)
    seconds = time.perf_counter() - start
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker's
    return {"seconds": seconds, "events": sum(report.accepted.values()), "peak_mb": _peak_mb(), "worker_peak_mb": worker_mb}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _median_of(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The run with the median time, and the highest peak memory of all runs."""
    chosen: dict[str, Any] = dict(sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2])
    chosen["runs"] = [round(r["seconds"], 1) for r in runs]
    for key in ("peak_mb", "worker_peak_mb"):
        chosen[key] = max(r.get(key, 0.0) for r in runs)
    return chosen


def _dataset(size: str) -> Path:
    folder = OUT / f"data-{size}"
    if not (folder / "daily_reports.jsonl").exists():
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "riskmon"), "sample", "generate", "--offices", str(SIZES[size]),
             "--days", "365", "--seed", "7", "--no-compress", "--out", str(folder), "--format", "json"],
            check=True, capture_output=True,
        )  # fmt: skip
    return folder


def _uuid_copy(folder: Path) -> Path:
    """The same events with random (unordered) ids."""
    target = folder.with_name(folder.name + "-uuid")
    if not (target / "daily_reports.jsonl").exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / "units.csv").write_bytes((folder / "units.csv").read_bytes())
        with open(folder / "daily_reports.jsonl", "rb") as src, open(target / "daily_reports.jsonl", "wb") as dst:
            for line in src:
                rec = json.loads(line)
                rec["event_id"] = str(uuid.UUID(int=hash(rec["event_id"]) & (2**128 - 1)))
                dst.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return target


def _pg_reachable() -> bool:
    from sqlalchemy import create_engine, text

    try:
        with create_engine(PG_URL, connect_args={"connect_timeout": 3}).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


def _pg_schema() -> str:
    from sqlalchemy import create_engine, text

    schema = f"riskmon_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(PG_URL).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


def _drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    with create_engine(PG_URL).begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["100k", "1m"], choices=list(SIZES))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the median time is reported (the machine is noisy)")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # inside a child process
        kind, arg = args.one
        result = _measure_parse(Path(arg)) if kind == "parse" else _measure_ingest(arg, Path(args.folder), args.workers)
        print(json.dumps(result))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    pg = not args.no_postgres and _pg_reachable()
    results = []
    for size in args.sizes:
        folder = _dataset(size)
        parse = _median_of([_child("--one", "parse", str(folder / "daily_reports.jsonl")) for _ in range(args.repeat)])
        cases = [("sqlite", folder, []), ("sqlite, in one process", folder, ["--workers", "1"])]
        if size == "1m":
            cases.append(("sqlite, random uuid ids", _uuid_copy(folder), []))
        for label, data, extra in cases:
            runs = []
            for _ in range(args.repeat):
                db = OUT / f"bench-{size}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                runs.append(_child("--one", "ingest", f"sqlite:///{db}", "--folder", str(data), *extra))
            r = _median_of(runs)
            results.append({"size": size, "backend": label, **r, "parse_seconds": parse["seconds"]})
        if pg:
            runs = []
            for _ in range(args.repeat):
                schema = _pg_schema()
                try:
                    sep = "&" if "?" in PG_URL else "?"
                    runs.append(_child("--one", "ingest", f"{PG_URL}{sep}options=-csearch_path%3D{schema}", "--folder", str(folder)))
                finally:
                    _drop_schema(schema)
            r = _median_of(runs)
            results.append({"size": size, "backend": "postgresql", **r, "parse_seconds": parse["seconds"]})
    (OUT / "ingest.json").write_text(json.dumps(results, indent=2))
    print("| events | backend | ingest s (median) | runs s | events/s | peak MB (largest worker) | bare json parse s | ratio |")
    print("|---:|---|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['events']:,} | {r['backend']} | {r['seconds']:.1f} | {' / '.join(map(str, r['runs']))} | "
            f"{r['events'] / r['seconds']:,.0f} | "
            f"{r['peak_mb']:.0f} ({r.get('worker_peak_mb', 0):.0f}) | {r['parse_seconds']:.1f} | {r['seconds'] / r['parse_seconds']:.1f}× |"
        )


if __name__ == "__main__":
    main()
