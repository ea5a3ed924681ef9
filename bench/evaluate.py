"""Evaluation benchmark: the shipped rules over 100k / 1M / 10M events, against hand-written SQL.

    python bench/evaluate.py                    # 100k and 1M
    python bench/evaluate.py --sizes 10m        # the big one (generation and load take minutes)

Each size: generate a fiscal year (riskmon sample generate), load it into a fresh SQLite file
(setup, timed separately), then in fresh processes (a) ``evaluate`` as of the year's last evening
and (b) bench/sql_baseline.py on the same file. Peak memory includes the forked engine process.
Both must find the same (rule, subject, severity) triples; the script says if they do not.
Results: bench/out/evaluate.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SIZES = {"100k": 410, "1m": 4100, "10m": 41000}
AS_OF = "2026-03-31T23:00:00+09:00"
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def _rules():  # type: ignore[no-untyped-def]
    from riskmon.config import load_settings
    from riskmon.engine.rulebook import load_rules

    s = load_settings(ROOT / "config.toml")
    book = load_rules(ROOT / "rules", s.rule_values)
    assert not book.problems, book.problems
    return book.enabled


def _evaluate(db: str) -> dict[str, object]:
    from sqlalchemy import select

    from riskmon.business_calendar import BusinessCalendar
    from riskmon.flags.evaluation import evaluate
    from riskmon.store.db import make_engine
    from riskmon.store.tables import Flag, table_of

    engine = make_engine(f"sqlite:///{db}")
    rules = _rules()
    start = time.perf_counter()
    result = evaluate(engine, rules, datetime.fromisoformat(AS_OF), BusinessCalendar())
    seconds = time.perf_counter() - start
    t = table_of(Flag)
    with engine.connect() as conn:
        found = [list(r) for r in conn.execute(select(t.c.rule_id, t.c.subject, t.c.severity).where(t.c.status == "open"))]
    return {"seconds": seconds, "peak_mb": _peak_mb(), "flags": found, "errors": result.errors}


def _baseline(db: str) -> dict[str, object]:
    from bench.sql_baseline import flags
    from riskmon.business_calendar import BusinessCalendar

    start = time.perf_counter()
    found = flags(db, datetime.fromisoformat(AS_OF), BusinessCalendar())
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "flags": sorted(map(list, found))}


def _child(kind: str, db: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--one", kind, db], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _prepare(size: str) -> tuple[Path, int, float]:
    folder = OUT / f"data-{size}"
    riskmon = str(ROOT / ".venv" / "bin" / "riskmon")
    if not (folder / "daily_reports.jsonl").exists():
        subprocess.run([riskmon, "sample", "generate", "--offices", str(SIZES[size]), "--days", "365", "--seed", "7",
                        "--no-compress", "--out", str(folder), "--format", "json"], check=True, capture_output=True)  # fmt: skip
    db = OUT / f"eval-{size}.db"
    events = sum(_lines(f) for f in folder.glob("*.jsonl")) + sum(_lines(f) - 1 for f in folder.glob("*.csv") if f.name != "units.csv")
    env = {"RISKMON_DATABASE_URL": f"sqlite:///{db}", "PATH": str(ROOT / ".venv" / "bin")}
    existed = db.exists()
    subprocess.run([riskmon, "db", "upgrade"], check=True, capture_output=True, env=env)  # also migrates an older file
    if existed:
        return db, events, 0.0
    start = time.perf_counter()
    proc = subprocess.run([riskmon, "ingest", str(folder), "--format", "json"], capture_output=True, env=env)
    if proc.returncode not in (0, 3):
        raise SystemExit(proc.stderr.decode())
    return db, events, time.perf_counter() - start


def _lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["100k", "1m"], choices=list(SIZES))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, db = args.one
        print(json.dumps(_evaluate(db) if kind == "engine" else _baseline(db), default=str))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    results_path = OUT / "evaluate.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for size in args.sizes:
        db, events, load_s = _prepare(size)
        engine = _child("engine", str(db))
        sql = _child("sql", str(db))
        mine = {tuple(f) for f in engine.pop("flags")}  # type: ignore[arg-type]
        theirs = {tuple(f) for f in sql.pop("flags")}  # type: ignore[arg-type]
        results[size] = {
            "events": events, "load_seconds": round(load_s, 1), "engine": engine, "sql": sql,
            "flags": len(mine), "same_flags": mine == theirs,
            "only_engine": sorted(mine - theirs)[:10], "only_sql": sorted(theirs - mine)[:10],
        }  # fmt: skip
        results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print("| events | engine s | engine peak MB | SQL baseline s | ratio | flags | same flags |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for r in results.values():
        e, s = r["engine"], r["sql"]
        print(f"| {r['events']:,} | {e['seconds']:.1f} | {e['peak_mb']:.0f} | {s['seconds']:.1f} | "
              f"{e['seconds'] / s['seconds']:.1f}× | {r['flags']:,} | {'yes' if r['same_flags'] else 'NO'} |")  # fmt: skip
        if not r["same_flags"]:
            print(f"  only engine: {r['only_engine']}\n  only SQL: {r['only_sql']}")


if __name__ == "__main__":
    main()
