"""The JSON API's ingest against the file ingest, in one run (issue #14).

    python bench/web.py --api                    # 1,000 daily reports
    python bench/web_api.py --records 5000       # the same, on its own

Two fresh SQLite stores with the sample's units and one second-line service account: into one,
``riskmon serve``'s application (uvicorn on 127.0.0.1, one process) takes the sample's first N
daily reports POSTed as one JSON array (``POST /api/v1/events``, a service token with the
``ingest`` scope); into the other the very same records go from a JSONL file through
``Riskmon.ingest`` in a process of its own. For each: wall time (the API's from sending to the
whole answer), the process's peak resident memory (VmHWM: the server's includes the web
application itself) and records per second. Every record must be accepted on both paths.
Results: bench/out/web_api.json.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import RISKMON, _free_port, _serve  # noqa: E402

OUT = ROOT / "bench" / "out"
SERVICE = "svc.bench"
_FILE_INGEST = """
import json, resource, sys, time
from riskmon.app import Riskmon
rm = Riskmon.from_config(sys.argv[1])
began = time.perf_counter()
report = rm.ingest([sys.argv[2]], workers=1)
seconds = time.perf_counter() - began
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "totals": report.as_dict()["totals"]}))
"""


def _store(folder: Path, name: str) -> dict[str, str]:
    """A fresh SQLite store with the sample's units and the service account; its environment."""
    env = {**os.environ, "RISKMON_DATABASE_URL": f"sqlite:///{folder / name}.db", "RISKMON_CONFIG": str(folder / "config.toml")}
    (folder / "users.csv").write_text(f"user_id,name,unit_id,role\n{SERVICE},ベンチ用連携,RMD,risk_officer\n", encoding="utf-8")
    for args in (["db", "upgrade"], ["ingest", str(ROOT / "sample_events" / "units.csv")], ["users", "load", str(folder / "users.csv")]):
        subprocess.run([RISKMON, *args], env=env, check=True, capture_output=True)
    return env


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(records: int) -> dict[str, Any]:
    with gzip.open(ROOT / "sample_events" / "daily_reports.jsonl.gz", "rt", encoding="utf-8") as f:
        reports = [json.loads(line) for line in itertools.islice(f, records)]
    with tempfile.TemporaryDirectory(prefix="riskmon-bench-api-") as tmp:
        folder = Path(tmp)
        (folder / "config.toml").write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
        (folder / "rules").symlink_to(ROOT / "rules")
        # the file path: the same records as JSON Lines, ingested by the library in a process of its own
        env = _store(folder, "file")
        jsonl = folder / "daily_reports.jsonl"
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports), encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", _FILE_INGEST, str(folder / "config.toml"), str(jsonl)], env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        by_file = json.loads(done.stdout)
        # the API path
        env = _store(folder, "api")
        secret = _token(env)
        port = _free_port()
        server = _serve(env, port, 1, folder / "server.log")
        try:
            before = _peak_mb(server.pid)
            began = time.perf_counter()
            answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/events", json=reports, timeout=600,
                                headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
            seconds = time.perf_counter() - began
            peak = _peak_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if answer.status_code != 200:
            raise SystemExit(f"the API answered {answer.status_code}: {answer.text[:500]}")
        by_api = {"seconds": seconds, "peak_mb": peak, "before_mb": before, "totals": answer.json()["totals"]}
    for name, r in (("api", by_api), ("file", by_file)):
        if r["totals"]["accepted"] != records:
            raise SystemExit(f"{name}: {r['totals']} (every one of {records} records must be accepted)")
        r["records_per_s"] = round(records / r["seconds"])
        r["seconds"], r["peak_mb"] = round(r["seconds"], 2), round(r["peak_mb"], 1)
    return {"records": records, "body_kb": round(len(json.dumps(reports, ensure_ascii=False).encode()) / 1024), "api": by_api,
            "file": by_file}  # fmt: skip


def _token(env: dict[str, str]) -> str:
    """A service token with the ``ingest`` scope, issued through the library on the API's store."""
    code = ("import sys; from datetime import UTC, datetime; from riskmon.accounts.tokens import Tokens; "
            "from riskmon.store.db import make_engine; "
            f"print(Tokens(make_engine(sys.argv[1]), lambda: datetime.now(UTC)).issue('{SERVICE}', name='bench', days=1, "
            "scopes=frozenset({'ingest'}))[0])")  # fmt: skip
    return subprocess.run([sys.executable, "-c", code, env["RISKMON_DATABASE_URL"]], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def report(result: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web_api.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"{result['records']} daily reports ({result['body_kb']} KB as one JSON array)")
    for name, label in (("api", "POST /api/v1/events"), ("file", "JSONL file, Riskmon.ingest")):
        r = result[name]
        print(f"  {label:28} {r['seconds']:7.2f} s  {r['records_per_s']:7,} records/s  peak {r['peak_mb']:.0f} MB")
    print(f"  (the server's resident memory before the request: {result['api']['before_mb']:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000, help="daily reports in the one JSON array")
    report(run(parser.parse_args().records))


if __name__ == "__main__":
    main()
