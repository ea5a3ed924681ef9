"""Before/after of the page reads changed for bench/web.py, timed alternately in one process.

    python bench/web_before_after.py --events 1m --backend sqlite --before 31da225

"before" is the code at ``--before`` (the morning queue module and the flag list's filter parser
read from git, the unit lists as the pages read them then: every unit's whole row, once per use);
"after" is the working tree. Both run on the same evaluated store (bench/web_store.py) as a
second-line officer, who sees every flag, alternating five times; the best time of each is shown.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web_store import prepare  # noqa: E402


def _old(commit: str, path: str, name: str) -> ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    file = Path(tempfile.mkdtemp()) / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1m", choices=["100k", "1m"])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--before", required=True, help="the commit before the change")
    args = parser.parse_args()
    import os

    os.environ["RISKMON_DATABASE_URL"] = prepare(args.backend, args.events, log=lambda m: None)
    from riskmon.app import Riskmon
    from riskmon.review import flag_list
    from riskmon.review.queue import morning_queue
    from riskmon.review.users import actor
    from riskmon.store.queries import list_units, unit_names

    old_queue = _old(args.before, "riskmon/review/queue.py", "old_queue")
    old_list = _old(args.before, "riskmon/web/flag_list.py", "old_flag_list")
    rm = Riskmon.from_config(ROOT / "config.toml")
    engine, now, cal, tz = rm.engine, rm.now(), rm.calendar, rm.settings.tz
    filtered = {"severity": "medium", "region": "RD05", "status": "all", "since": "2025-10-01", "until": "2026-03-31"}

    def queue_before() -> None:
        old_queue.morning_queue(engine, "rmd.aoki", now, cal)
        with engine.connect() as conn:
            list_units(conn)

    def queue_after() -> None:
        q = morning_queue(engine, "rmd.aoki", now, cal, per_bucket=100)
        with engine.connect() as conn:
            unit_names(conn, "ja", {i.flag.owner_unit for i in q.items})

    def list_before() -> None:
        with engine.connect() as conn:
            who = actor(conn, "rmd.aoki")
            old_list.page_of(conn, who, old_list.parse(filtered, conn), tz)
            for _ in range(2):  # unit_names and _choices each read every unit
                list_units(conn)

    def list_after() -> None:
        with engine.connect() as conn:
            who = actor(conn, "rmd.aoki")
            flag_list.page_of(conn, who, flag_list.parse(filtered, conn), tz)
            unit_names(conn, "ja")

    cases: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        "queue (second line)": (queue_before, queue_after), "flag list, filtered": (list_before, list_after)}  # fmt: skip
    print(f"| page ({args.backend}, {args.events}) | before ms | after ms |\n|---|---:|---:|")
    for name, (before, after) in cases.items():
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(5):
            for label, fn in (("before", before), ("after", after)):
                start = time.perf_counter()
                fn()
                times[label].append((time.perf_counter() - start) * 1000)
        print(f"| {name} | {min(times['before']):.0f} | {min(times['after']):.0f} |")


if __name__ == "__main__":
    main()
