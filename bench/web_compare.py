"""Before/after of the web pages in one run: bench/web.py's measurement, alternately with the
code of an older commit and with this checkout, on the same store.

    python bench/web_compare.py --before main --events 1m --think 1

The machine is shared and noisy, so absolute figures from different runs do not compare; the
ratios measured here do. For each backend: the ``riskmon`` package of ``--before`` (``git
archive`` into a temporary folder) is served on the store taken down to the newest schema
revision that commit knows (a newer migration's objects — e.g. 0014's search indexes — are
dropped by its downgrade), then this checkout on the store brought back to head; ``--repeat``
times, alternately. Everything else is bench/web.py's: ten users, uvicorn, the six pages.
Results: bench/out/web_compare.json and a table of p50/p95 before and after, with after/before.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import OUT, run_backend  # noqa: E402


def _archive(commit: str) -> tuple[Path, str]:
    """The commit's riskmon package in a temporary folder, and its newest migration."""
    from alembic.script import ScriptDirectory

    folder = Path(tempfile.mkdtemp(prefix="riskmon-before-"))
    archive = subprocess.run(["git", "archive", commit, "riskmon"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    head = ScriptDirectory(str(folder / "riskmon" / "store" / "migrations")).get_current_head()
    assert head, f"{commit} has no migrations"
    return folder, head


def _table(runs: list[dict[str, Any]]) -> None:
    """p50/p95 before and after per page (the median over the pairs) and after/before."""
    first = runs[0]
    backends = list(dict.fromkeys(r["backend"] for r in runs))
    pairs = sum(1 for r in runs if r["backend"] == first["backend"] and r["variant"] == "after")
    print(f"{first['events']} events, {first['flags']:,} flags, {first['users']} users, think {first['think_s']} s, "
          f"workers {first['workers']}, before = {first['before']}, {pairs} pair(s) per backend, median over pairs\n")  # fmt: skip
    print("| backend | page | before p50 | before p95 | after p50 | after p95 | p50 after/before | p95 after/before |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for backend in backends:
        for page in first["pages"]:
            got = {v: [r["pages"][page] for r in runs if r["backend"] == backend and r["variant"] == v] for v in ("before", "after")}
            p = {(v, q): statistics.median([s[q] for s in got[v]]) for v in got for q in ("p50", "p95")}
            b50, b95, a50, a95 = p["before", "p50"], p["before", "p95"], p["after", "p50"], p["after", "p95"]
            print(f"| {backend} | {page} | {b50:.0f} | {b95:.0f} | {a50:.0f} | {a95:.0f} | {a50 / b50:.2f} | {a95 / b95:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the commit (or branch) before the change")
    parser.add_argument("--events", default="1m", choices=["100k", "1m"])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=1, help="before/after pairs per backend")
    parser.add_argument("--table", action="store_true", help="only print the table of the last run's bench/out/web_compare.json")
    args = parser.parse_args()
    if args.table:
        _table(json.loads((OUT / "web_compare.json").read_text()))
        return
    code, revision = _archive(args.before)
    runs: list[dict[str, Any]] = []
    for backend in args.backends:
        for n in range(args.repeat):
            for label, where in (("before", code), ("after", None)):
                print(f"{backend}: {label} ({n + 1}/{args.repeat})", file=sys.stderr, flush=True)
                result = run_backend(backend, args.events, args.rounds, args.workers, args.think, code=where, revision=revision)
                runs.append({"variant": label, "before": args.before, "revision": revision, **result})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web_compare.json").write_text(json.dumps(runs, indent=2, ensure_ascii=False))
    _table(runs)
    failed = sum(r["failed"] for r in runs)
    print(f"\nfailed requests: {failed}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
