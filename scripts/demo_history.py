"""Last year as it happened (part of `make demo`, before the sample year is evaluated).

The sample carries FY2024's 事務処理誤り so the year-on-year rules have a year to compare with.
Had riskmon been running then, those cases' flags would have been raised in FY2024 and worked by
the second line as each case closed — not left open into FY2025's committee packs. This script
replays that, through the same ``riskmon.Riskmon`` and review service the CLI and the web use:

0. リスク統括部 puts the rule book and the config values in force: one risk officer records them
   (the change records' baseline) and another approves them — four eyes, the recorder's own
   approval refused — so no evaluation of the demo warns of unapproved changes;
1. the rules are evaluated, as the nightly job (``job:nightly``), as of the end of FY2024 and as of the end of its first following
   quarter (flags of late steps of FY2024 cases appear only after the year ends);
2. after each, リスク統括部 works the flags of FY2024's cases in the following business days, on
   the review service's clock: a flag whose case had closed by then is resolved with a note
   (remediated, or explained for a late report), a high or critical one proposed by one risk
   officer and confirmed by the other (four eyes); a flag whose case was still open stays open,
   as it would have.

The sample year is then evaluated (the Makefile's next step): flags first seen here keep their
history, and the 上期 committee pack shows FY2024's cases as the second line left them. A second
`make demo` finds the history recorded and does nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import riskmon
from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.store import FlagFilter
from riskmon.review.policy import Refused
from riskmon.review.service import ReviewService
from riskmon.review.users import actor

#: the end of FY2024 and of the quarter after it, 23:00 as the nightly evaluation
CHECKPOINTS = ("2025-03-31T23:00", "2025-06-30T23:00")
FY2025_START = "2025-04-01"
PROPOSER, CONFIRMER = "rmd.suzuki", "rmd.tanaka"  # リスク統括部 (sample_events/users.csv)
FOUR_EYES = ("high", "critical")
NIGHTLY = "job:nightly"  # who an evaluation records changes as, as the scheduler's nightly job does
APPROVAL_NOTE = "ルールブック（rules/*.yaml）と設定値を委員会資料と照合した（運用開始時の初回記録）"
#: rule → (resolution, note) for a FY2024 case's flag once the case is closed
NOTES: dict[str, tuple[str, str]] = {
    "R01": ("explained", "報告の遅れの経緯を確認し、発見当日中の報告を拠点に再周知した"),
    "R02": ("remediated", "お客様対応・原因分析・再発防止策の完了を確認し、役員等へ報告済み"),
    "R15": ("explained", "第一報の遅れの経緯を確認し、事件・事故の第一報手順を再周知した"),
}
DEFAULT_NOTE = ("remediated", "遅れていた対応の完了を確認した（案件はクローズ済み）")


class Clock:
    """The review service's clock: business hours of the days after a checkpoint, a few minutes
    per action, as a risk officer working through a list."""

    def __init__(self, cal: BusinessCalendar, start: datetime) -> None:
        self.cal = cal
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def tick(self, minutes: int = 6) -> None:
        self.at += timedelta(minutes=minutes)
        local = self.at.astimezone(self.cal.tz)
        if local.time() > time(17, 30):
            day = self.cal.next_business_day(local.date())
            self.at = self.cal.at(day, time(9, 30))


def last_year_case(flag: dict[str, Any]) -> str | None:
    """The FY2024 case a flag is about (``ER-YYYYMM-…`` discovered before FY2025), if any."""
    subject = str(flag.get("subject") or "")
    if subject.startswith("ER-") and f"{subject[3:7]}-{subject[7:9]}-01" < FY2025_START:
        return subject
    return None


def closed_at(rm: riskmon.Riskmon, case_id: str) -> datetime | None:
    """When the case's 完了 step happened, from its stored event (None: not closed)."""
    ev = rm.event(f"{case_id}-closed")
    return ev["fields"]["at"] if ev is not None else None


def work(rm: riskmon.Riskmon, checkpoint: datetime) -> Counter[str]:
    """The second line's pass over FY2024's open case flags after ``checkpoint``."""
    cal = rm.calendar
    clock = Clock(cal, cal.at(cal.next_business_day(checkpoint.astimezone(cal.tz).date()), time(9, 30)))
    cases = ReviewService(rm.engine, clock=clock)
    done: Counter[str] = Counter()
    for flag in rm.flags(FlagFilter(review_status="open", limit=None)):
        case = last_year_case(flag)
        if case is None:
            continue
        closed = closed_at(rm, case)
        if closed is None or closed > clock():
            done["left open (case not closed yet)"] += 1
            continue
        resolution, note = NOTES.get(flag["rule_id"], DEFAULT_NOTE)
        flag_id = int(flag["id"])
        outcome = cases.resolve(PROPOSER, flag_id, resolution, f"{note}（{case}）")
        clock.tick()
        if outcome.ok and flag["severity"] in FOUR_EYES:
            proposal = cases.flag(CONFIRMER, flag_id).proposal
            outcome = cases.confirm(CONFIRMER, flag_id, proposal.digest if proposal else None)
            clock.tick(3)
        if not outcome.ok:
            raise SystemExit(f"flag {flag_id}: {outcome.text('ja')}")
        done[f"{flag['severity']} closed"] += 1
    return done


def approve_rule_book(rm: riskmon.Riskmon) -> None:
    """The rule book and config values in force, recorded by one risk officer and approved by
    another through the change records (riskmon.review.changes): the recorder's own approval is
    refused (four eyes). Changes recorded earlier are approved too; a second run finds none."""
    with rm.ready().connect() as conn:
        recorder, approver = actor(conn, PROPOSER), actor(conn, CONFIRMER)
    recorded = rm.changes.record_as(recorder)
    pending = rm.changes.find(only_unapproved=True)
    print(f"> {PROPOSER} records the rule book and config values in force: {len(recorded)} change records, "
          f"{len(pending)} not approved")  # fmt: skip
    own = next((r for r in pending if r.changed_by == PROPOSER), None)
    if own is not None:
        try:
            rm.changes.approve(own.id, recorder, APPROVAL_NOTE)
        except Refused as refusal:
            print(f"  {PROPOSER} approves change {own.id}: refused — {refusal.text('ja')}")
        else:
            raise SystemExit("the recorder approved their own change (four eyes not enforced)")
    for record in pending:
        try:
            rm.changes.approve(record.id, approver, APPROVAL_NOTE)
        except Refused as refusal:  # e.g. recorded by a name the users master does not know
            print(f"  {CONFIRMER} approves change {record.id}: refused — {refusal.text('ja')}")
    if pending:
        print(f"  {CONFIRMER} approves them: {rm.changes.unapproved_count()} not approved")


def main() -> None:
    with riskmon.Riskmon.from_config() as rm:
        cal = rm.calendar
        first = datetime.fromisoformat(CHECKPOINTS[0]).replace(tzinfo=cal.tz)
        stored, bad = rm.load_users(Path("sample_events/users.csv"))
        print(f"> users load sample_events/users.csv: {stored} users, {len(bad)} refused lines")
        approve_rule_book(rm)
        if rm.flags(FlagFilter(status="all", limit=1)):
            print("> FY2024's history is already recorded (or the year evaluated): nothing to replay.")
            return
        for text in CHECKPOINTS:
            when = first if text == CHECKPOINTS[0] else datetime.fromisoformat(text).replace(tzinfo=cal.tz)
            run = rm.evaluate(when, changed_by=NIGHTLY)
            if run.errors:
                raise SystemExit(f"evaluation as of {text} failed: {run.errors}")
            print(f"> evaluate as of {text}: {sum(run.per_rule.values())} flags")
            done = work(rm, when)
            print(f"  リスク統括部 works FY2024's case flags: {dict(sorted(done.items()))}")
        verified = rm.verify_audit()
        print(f"> audit verify: {verified.entries} entries, {'intact' if verified.intact else 'BROKEN'}")
        if not verified.intact:
            raise SystemExit("the audit trail does not verify")


if __name__ == "__main__":
    try:
        main()
    except riskmon.RiskmonError as exc:  # expected failures are words, not tracebacks
        sys.exit(f"error: {exc.text('ja')}")
