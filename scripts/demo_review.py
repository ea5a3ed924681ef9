"""The morning review of the sample year, scripted through the real CLI (part of `make demo`).

Users of each line act on the flags the evaluation raised: an office acknowledges, answers and
proposes; a first-line dismissal is refused; two risk officers close a high flag (four eyes, the
proposer's own confirmation refused); the auditor reads the story and cannot change it; the
night's escalation runs; the audit trail is verified.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "riskmon"


def riskmon(*args: str, expect_refusal: bool = False) -> str:
    print(f"\n$ riskmon {' '.join(args)}", flush=True)
    proc = subprocess.run([str(BIN), *args], capture_output=True, text=True)
    print(proc.stdout + proc.stderr, end="", flush=True)
    if (proc.returncode != 0) != expect_refusal:
        raise SystemExit(f"unexpected exit status {proc.returncode} for: riskmon {' '.join(args)}")
    return proc.stdout


def flag_id(rule: str, unit: str) -> str | None:
    """The flag to work on, if it is still an open case (a second `make demo` finds it closed)."""
    rows = json.loads(riskmon("flags", "list", "--rule", rule, "--unit", unit, "--format", "json"))
    return next((str(r["id"]) for r in rows if r["review_status"] == "open"), None)


def main() -> None:
    riskmon("users", "load", "sample_events/users.csv")
    riskmon("review", "--user", "rmd.suzuki", "--as-of", "2026-04-01T08:30", "--limit", "12")
    backlog = flag_id("R14", "PO-149")  # high: oldest pending form far beyond the standard
    missing = flag_id("R13", "PO-136")  # low: one daily report missing
    if backlog is None or missing is None:
        print("\nThe scripted cases were already worked by an earlier `make demo`; showing the state instead.")
        riskmon("audit", "verify")
        return
    riskmon("flags", "ack", backlog, "--user", "po149.yamada", "--note", "確認しました")
    riskmon("flags", "respond", backlog, "応援職員を2名配置し、滞留分を優先処理しています", "--user", "po149.yamada")
    riskmon("flags", "propose", backlog, "--resolution", "remediated", "--note", "応援体制で解消見込み", "--user", "po149.yamada")
    riskmon("flags", "dismiss", backlog, "--reason", "一時的なもの", "--user", "po149.yamada", expect_refusal=True)
    riskmon("flags", "resolve", backlog, "--resolution", "remediated", "--note", "応援体制を確認", "--user", "rmd.suzuki")
    pending = json.loads(riskmon("flags", "show", backlog, "--format", "json"))["proposal"]["id"]  # what the confirmation names
    riskmon("flags", "confirm", backlog, "--user", "rmd.suzuki", "--proposal", pending, expect_refusal=True)
    riskmon("flags", "confirm", backlog, "--user", "rmd.tanaka", "--proposal", pending)
    riskmon("flags", "take", missing, "--user", "rd06.sato", "--assignee", "po136.ito")
    riskmon("flags", "resolve", missing, "--resolution", "explained", "--note", "システム障害で送信できず、翌朝電話で報告済み",
            "--user", "rmd.suzuki")  # fmt: skip
    riskmon("flags", "ack", backlog, "--user", "aud.kato", expect_refusal=True)
    riskmon("flags", "history", backlog, "--user", "aud.kato")
    riskmon("escalate", "--as-of", "2026-04-03T23:30")
    riskmon("review", "--user", "rd06.sato", "--as-of", "2026-04-06T08:30", "--limit", "10")
    riskmon("audit", "verify")


if __name__ == "__main__":
    main()
