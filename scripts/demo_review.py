"""The morning review of the sample year, scripted through the Python API (part of `make demo`).

Users of each line act on the flags the evaluation raised: an office acknowledges, answers and
proposes; a first-line dismissal is refused; two risk officers close a high flag (four eyes, the
proposer's own confirmation refused); 調達企画部 is refused the risk acceptance of a 重点三事案
(リスク統括部's domain), whose acceptance then waits for an executive's approval before the four
eyes close it, and the executive records the report received (issue #12); the auditor reads the
story and cannot change it; the night's escalation runs; the audit trail is verified. Everything goes through one
``riskmon.Riskmon`` — the same calls the CLI, the scheduler and the web application make — and
each step is printed with what riskmon answered.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import riskmon
from riskmon.flags.store import FlagFilter
from riskmon.review.service import Outcome

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def step(what: str, outcome: Outcome, *, expect_refusal: bool = False) -> None:
    """Print one case action and what riskmon said; stop if it went differently than scripted."""
    mark = "ok" if outcome.ok else "refused"
    print(f"\n> {what}\n  {outcome.flag_id}: {mark} — {outcome.text('ja')} ({outcome.status})", flush=True)
    if outcome.ok == expect_refusal:
        raise SystemExit(f"unexpected outcome for: {what}")


def flag_id(rm: riskmon.Riskmon, rule: str, unit: str) -> int | None:
    """The flag to work on, if it is still an open case (a second `make demo` finds it closed)."""
    rows = rm.flags(FlagFilter(rule=rule, unit=unit))
    return next((int(r["id"]) for r in rows if r["review_status"] == "open"), None)


def show_queue(rm: riskmon.Riskmon, user: str, when: str, limit: int) -> None:
    queue = rm.queue(user, at(when))
    print(f"\n> review queue of {user} as of {when}: {len(queue.items)} open ({dict(queue.by_severity)})")
    for i in queue.items[:limit]:
        f = i.flag
        print(f"  [{i.bucket}] {f.id} {f.severity} {f.rule_id} {f.owner_unit}: {f.message_ja}")


def verify(rm: riskmon.Riskmon) -> None:
    v = rm.verify_audit()
    print(f"\n> audit verify: {v.entries} entries, head seq {v.head[0]}, {'intact' if v.intact else 'BROKEN'}")
    if not v.intact:
        raise SystemExit("the audit trail does not verify")


def priority_acceptance(rm: riskmon.Riskmon) -> None:
    """A 重点三事案's risk acceptance: only リスク統括部 (the domain's owner) proposes it, an
    executive approves it, a second risk officer confirms it; governance records the report."""
    rows = rm.flags(FlagFilter(rule="R02"))
    priority = next((int(r["id"]) for r in rows if r["review_status"] == "open"), None)
    if priority is None:
        print("\nNo open R02 flag to show the scoped powers on.")
        return
    cases, until = rm.cases, date(2026, 9, 30)
    step("ppd.watanabe (調達企画部) tries to accept the risk of a 重点三事案",
         cases.resolve("ppd.watanabe", priority, "risk_accepted", "委託先で対応済み", until), expect_refusal=True)  # fmt: skip
    step(
        "rmd.suzuki proposes accepting the risk", cases.resolve("rmd.suzuki", priority, "risk_accepted", "再発防止策の完了まで受容", until)
    )
    pending = cases.flag("rmd.tanaka", priority).proposal
    assert pending is not None
    step("rmd.tanaka confirms before any executive approved", cases.confirm("rmd.tanaka", priority, pending.digest), expect_refusal=True)
    step(f"exec.mori approves proposal {pending.digest}", cases.exec_approve("exec.mori", priority, pending.digest, "期限付きで承認"))
    step("rmd.tanaka confirms", cases.confirm("rmd.tanaka", priority, pending.digest))
    step("exec.mori records the report received", cases.receipt("exec.mori", priority, "常勤役員会で報告を受けた"))


def main() -> None:
    with riskmon.Riskmon.from_config() as rm:
        stored, bad = rm.load_users(Path("sample_events/users.csv"))
        print(f"> users load sample_events/users.csv: {stored} users, {len(bad)} refused lines")
        show_queue(rm, "rmd.suzuki", "2026-04-01T08:30", 12)
        backlog = flag_id(rm, "R14P", "PO-149")  # high: oldest pending form far beyond the assumed limit
        missing = flag_id(rm, "R13", "PO-136")  # low: one daily report missing
        if backlog is None or missing is None:
            print("\nThe scripted cases were already worked by an earlier `make demo`; showing the state instead.")
            verify(rm)
            return
        cases = rm.cases
        step("po149.yamada acknowledges", cases.acknowledge("po149.yamada", backlog, "確認しました"))
        step(
            "po149.yamada responds",
            cases.comment("po149.yamada", backlog, "応援職員を2名配置し、滞留分を優先処理しています", kind="response"),
        )
        step("po149.yamada proposes remediated", cases.propose("po149.yamada", backlog, "remediated", "応援体制で解消見込み"))
        step("po149.yamada tries to dismiss (first line)", cases.dismiss("po149.yamada", backlog, "一時的なもの"), expect_refusal=True)
        step("rmd.suzuki resolves", cases.resolve("rmd.suzuki", backlog, "remediated", "応援体制を確認"))
        pending = cases.flag("rmd.tanaka", backlog).proposal  # what the confirmation names
        assert pending is not None
        step("rmd.suzuki confirms own closure (four eyes)", cases.confirm("rmd.suzuki", backlog, pending.digest), expect_refusal=True)
        step(f"rmd.tanaka confirms proposal {pending.digest}", cases.confirm("rmd.tanaka", backlog, pending.digest))
        step("rd06.sato assigns to po136.ito", cases.take_on("rd06.sato", missing, "po136.ito"))
        step("rmd.suzuki resolves as explained",
             cases.resolve("rmd.suzuki", missing, "explained", "システム障害で送信できず、翌朝電話で報告済み"))  # fmt: skip
        priority_acceptance(rm)
        step("aud.kato tries to acknowledge (third line)", cases.acknowledge("aud.kato", backlog), expect_refusal=True)
        story = cases.history("aud.kato", backlog)
        print(f"\n> history of flag {backlog} read by aud.kato: {len(story)} events")
        for e in story:
            when = e.at.astimezone(TOKYO)
            print(f"  {when:%Y-%m-%d %H:%M} {e.actor} {e.action} {e.from_status or ''} → {e.to_status or ''}")
        done = rm.escalate(at("2026-04-03T23:30"))
        print(f"\n> escalate as of 2026-04-03T23:30: {done.notified} notifications, {len(done.escalated)} escalations, "
              f"{len(done.reopened)} reopened, {len(done.digests)} digests")  # fmt: skip
        show_queue(rm, "rd06.sato", "2026-04-06T08:30", 10)
        verify(rm)


if __name__ == "__main__":
    try:
        main()
    except riskmon.RiskmonError as exc:  # expected failures are words, not tracebacks
        sys.exit(f"error: {exc.text('ja')}")
