"""Change records of the rule book and config values (riskmon.review.changes), on SQLite and
PostgreSQL: the baseline, a config value and a rule text changed, four eyes, who may read and
approve, the audit entries, and evaluation recording without ever failing on unapproved changes."""

from __future__ import annotations

import textwrap
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon import Riskmon
from riskmon.business_calendar import TOKYO
from riskmon.config import PathsConfig, Settings
from riskmon.review import changes
from riskmon.review.change_snapshot import config_items, digest
from riskmon.review.changes import ChangeRecord, changes_between
from riskmon.review.policy import Refused
from riskmon.review.users import actor
from riskmon.store.tables import AuditEntry, table_of
from tests.helpers import USERS, deadline_rule

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO)
#: the config keys a Settings with these two tables yields (the sections' defaults included)
CONFIG_KEYS = [
    "deadlines.prevention_plan_days", "thresholds.many_customers", "escalation.critical_start", "escalation.default_path",
    "escalation.steps", "calendar.business_hours_end", "calendar.business_hours_start", "calendar.extra_closures",
    "calendar.year_end_closure", "time.fiscal_year_start_month", "time.timezone",
]  # fmt: skip


def _settings(tmp_path: Path, many: int = 30) -> Settings:
    return Settings(thresholds={"many_customers": many}, deadlines={"prevention_plan_days": 30}, base_dir=tmp_path,
                    paths=PathsConfig(rules=Path("rules")))  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(engine: Engine, tmp_path: Path, units_file: Path) -> tuple[Engine, Path, Clock]:
    """A rule folder with one rule (T1), the test units and users in the database."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "t1.yaml").write_text(deadline_rule("T1"), encoding="utf-8")
    (tmp_path / "users.csv").write_text(USERS + "risk1b,リスク1,RMD,risk_officer\n", encoding="utf-8")  # a second account of risk1
    clock = Clock()
    with Riskmon(_settings(tmp_path), engine=engine, clock=clock) as rm:
        rm.ingest([units_file])
        assert rm.load_users(tmp_path / "users.csv") == (8, [])
    return engine, tmp_path, clock


def _rm(world: tuple[Engine, Path, Clock], many: int = 30) -> Riskmon:
    engine, folder, clock = world
    return Riskmon(_settings(folder, many), engine=engine, clock=clock)


def _who(engine: Engine, user_id: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return actor(conn, user_id)


def _audit(engine: Engine) -> list[tuple[str, str, str]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.actor, r.action, r.subject) for r in conn.execute(select(t.c.actor, t.c.action, t.c.subject).order_by(t.c.seq))]


def test_the_first_recording_is_the_baseline_one_initial_record_per_rule_and_value(world: tuple[Engine, Path, Clock]) -> None:
    rm = _rm(world)
    found = rm.changes.record("risk1")
    assert [(r.kind, r.key, r.change) for r in found] == [("config", k, "initial") for k in sorted(CONFIG_KEYS)] + [
        ("rule", "T1", "initial")
    ]
    text = deadline_rule("T1")
    t1 = found[-1]
    assert (t1.before, t1.after, t1.changed_by, t1.changed_at, t1.approved_by) == (None, digest(text), "risk1", T0, None)
    assert t1.rule_version == rm.rule_book().rules[0].version
    assert t1.diff == f"--- T1 —\n+++ T1 {digest(text)}\n@@ -0,0 +1,14 @@\n" + "".join(f"+{line}\n" for line in text.splitlines())
    many = next(r for r in found if r.key == "thresholds.many_customers")
    assert (many.before, many.after, many.diff) == (None, "30", "thresholds.many_customers: — → 30")
    assert rm.changes.record("risk1") == []  # nothing changed: nothing recorded
    assert [a for a in _audit(world[0]) if a[1] == "changes_recorded"] == [("risk1", "changes_recorded", "rulebook")]  # one for the lot


def test_a_config_value_change_is_recorded_with_its_old_and_new_value(world: tuple[Engine, Path, Clock]) -> None:
    _rm(world).changes.record("risk1")
    world[2].now = T0 + timedelta(days=1)
    found = _rm(world, many=25).changes.record("risk2")
    assert found == [ChangeRecord(found[0].id, "config", "thresholds.many_customers", "30", "25",
                                  "thresholds.many_customers: 30 → 25", "risk2", T0 + timedelta(days=1), None, None, None,
                                  "changed", None)]  # fmt: skip


def test_a_rule_edit_is_recorded_as_its_text_diff_and_a_removed_rule_as_removed(world: tuple[Engine, Path, Clock]) -> None:
    _, folder, clock = world
    _rm(world).changes.record("risk1")
    old, new = deadline_rule("T1"), deadline_rule("T1", "{business_days: 3}")
    (folder / "rules" / "t1.yaml").write_text(new, encoding="utf-8")
    (folder / "rules" / "t2.yaml").write_text(deadline_rule("T2"), encoding="utf-8")
    clock.now = T0 + timedelta(hours=1)
    found = _rm(world).changes.record("risk2")
    assert [(r.key, r.change, r.before, r.after) for r in found] == [
        ("T1", "changed", digest(old), digest(new)), ("T2", "added", None, digest(deadline_rule("T2")))]  # fmt: skip
    assert found[0].diff == (
        f"--- T1 {digest(old)}\n+++ T1 {digest(new)}\n@@ -5,7 +5,7 @@\n event: error_report\n start: discovered_at\n"
        " stop: risk_notified_at\n-within: {business_days: 5}\n+within: {business_days: 3}\n severity: {default: high}\n"
        " risk_category: administrative\n owner: {line: first, unit: \"{{ unit_id }}\"}\n"
    )  # fmt: skip
    (folder / "rules" / "t2.yaml").unlink()
    gone = _rm(world).changes.record("risk2")
    assert [(r.key, r.change, r.after) for r in gone] == [("T2", "removed", None)]
    assert gone[0].diff.startswith(f"--- T2 {digest(deadline_rule('T2'))}\n+++ T2 —\n")
    (folder / "rules" / "t2.yaml").write_text(deadline_rule("T2"), encoding="utf-8")
    assert [(r.key, r.change) for r in _rm(world).changes.record("risk2")] == [("T2", "added")]  # back again


def test_approval_is_four_eyes_and_audited(world: tuple[Engine, Path, Clock]) -> None:
    engine = world[0]
    rm = _rm(world)
    rm.changes.record("risk1")
    change = _rm(world, many=25).changes.record("risk1")[0]
    for user, words in (("risk1", "recorded by risk1, who cannot approve it (four eyes)"),
                        ("risk1b", "risk1b and risk1, who recorded the change, are accounts of one person")):  # fmt: skip
        with pytest.raises(Refused) as refusal:
            rm.changes.approve(change.id, _who(engine, user), "確認")
        assert words in refusal.value.en
    with pytest.raises(Refused, match="needs a note"):
        rm.changes.approve(change.id, _who(engine, "risk2"), "  ")
    done = rm.changes.approve(change.id, _who(engine, "risk2"), "委員会資料と照合", via={"channel": "api"})
    assert (done.approved_by, done.approved_at, done.note) == ("risk2", T0, "委員会資料と照合")
    assert rm.changes.get(change.id) == done
    with pytest.raises(Refused, match="already approved by risk2"):
        rm.changes.approve(change.id, _who(engine, "risk2"), "again")
    assert _audit(engine)[-6:] == [
        ("risk1", "changes_recorded", "rulebook"),
        ("risk1", "refused:change_approve", f"change:{change.id}"),
        ("risk1b", "refused:change_approve", f"change:{change.id}"),
        ("risk2", "refused:change_approve", f"change:{change.id}"),
        ("risk2", "change_approved", f"change:{change.id}"),
        ("risk2", "refused:change_approve", f"change:{change.id}"),
    ]


def test_a_job_recorded_change_may_be_approved_by_any_second_line_user(world: tuple[Engine, Path, Clock]) -> None:
    rm = _rm(world)
    first = rm.changes.record("job:nightly")[0]
    assert rm.changes.approve(first.id, _who(world[0], "risk1"), "初回記録を確認").approved_by == "risk1"


def test_only_the_second_line_approves_and_the_first_line_reads_nothing(world: tuple[Engine, Path, Clock]) -> None:
    engine = world[0]
    rm = _rm(world)
    change = rm.changes.record("job:nightly")[0]
    with pytest.raises(Refused, match="only the second line"):
        rm.changes.approve(change.id, _who(engine, "po1"), "ok")
    with pytest.raises(Refused, match="the third line and governance read the change records and approve nothing; the second line does"):
        rm.changes.approve(change.id, _who(engine, "auditor"), "ok")
    for user in ("po1", "rd1", "hq1"):
        with pytest.raises(Refused, match=r"only the second line .* and the third line .* may read"):
            rm.changes.find(_who(engine, user))
        with pytest.raises(Refused):
            rm.changes.get(change.id, _who(engine, user))
    assert len(rm.changes.find(_who(engine, "auditor"))) == len(CONFIG_KEYS) + 1
    assert rm.changes.get(change.id, _who(engine, "risk2")) == change
    assert ("po1", "refused:changes_read", "change_records") in _audit(engine)


def test_changes_between_is_half_open_and_unapproved_lists_the_rest(world: tuple[Engine, Path, Clock]) -> None:
    engine, _, clock = world
    _rm(world).changes.record("risk1")
    clock.now = T0 + timedelta(days=2)
    later = _rm(world, many=25).changes.record("risk1")[0]
    with engine.connect() as conn:
        assert [r.id for r in changes_between(conn, T0 + timedelta(days=1), T0 + timedelta(days=3))] == [later.id]
        assert changes_between(conn, T0 + timedelta(days=1), T0 + timedelta(days=2)) == []
        assert len(changes_between(conn, T0, T0 + timedelta(days=2))) == len(CONFIG_KEYS) + 1
    _rm(world).changes.approve(later.id, _who(engine, "risk2"), "ok")
    with engine.connect() as conn:
        assert later.id not in [r.id for r in changes.unapproved(conn)]
        assert len(changes.unapproved(conn)) == len(CONFIG_KEYS) + 1
        with pytest.raises(ValueError, match="timezone-aware"):
            changes_between(conn, datetime(2026, 4, 1), T0)


def test_evaluation_records_changes_as_its_runner_and_never_fails_on_unapproved_ones(world: tuple[Engine, Path, Clock]) -> None:
    rm = _rm(world)
    run = rm.evaluate(T0, changed_by="job:nightly")
    assert run.errors == {}
    assert {r.changed_by for r in rm.changes.find()} == {"job:nightly"}
    assert rm.changes.unapproved_count() == len(CONFIG_KEYS) + 1
    rm.evaluate(T0, dry_run=True, changed_by="x")  # a dry run writes nothing, change records included
    assert _rm(world, many=20).evaluate(T0 + timedelta(days=1), dry_run=True).errors == {}
    assert rm.changes.unapproved_count() == len(CONFIG_KEYS) + 1
    assert _rm(world, many=20).evaluate(T0 + timedelta(days=1)).errors == {}  # unapproved changes: reported, not enforced
    assert [(r.key, r.changed_by) for r in rm.changes.find(only_unapproved=True)][-1] == ("thresholds.many_customers", "riskmon")


def test_the_shipped_config_values_are_all_listed() -> None:
    from riskmon.config import load_settings
    from tests.helpers import ROOT

    keys = [i.key for i in config_items(load_settings(ROOT / "config.toml"))]
    assert "thresholds.many_customers" in keys and "feeds.infosec_many_persons" in keys and "escalation.steps" in keys
    assert not any(k.startswith(("paths.", "database.", "web.", "notify.")) for k in keys)


def test_a_rule_of_a_file_holding_several_is_its_own_lines_of_the_file(world: tuple[Engine, Path, Clock]) -> None:
    _, folder, _ = world
    (folder / "rules" / "t1.yaml").unlink()
    one, two = (textwrap.indent(deadline_rule(i), "    ").replace("    id:", "  - id:", 1) for i in ("T1", "T2"))
    (folder / "rules" / "both.yaml").write_text("# two rules\nrules:\n" + one + two, encoding="utf-8")
    found = {r.key: r for r in _rm(world).changes.record("risk1") if r.kind == "rule"}
    assert found["T1"].diff.splitlines()[3:5] == ["+  - id: T1", "+    title: {ja: テスト, en: test}"]
    assert found["T2"].diff.splitlines()[3:] == [f"+{line}" for line in two.splitlines()]
    assert found["T1"].after == digest(one)


def test_two_recordings_at_once_record_each_change_once(world: tuple[Engine, Path, Clock]) -> None:
    _rm(world).changes.record("risk1")
    start = threading.Barrier(2)
    done: list[int] = []

    def record() -> None:
        with _rm(world, many=25) as rm:
            start.wait()
            done.append(len(rm.changes.record("job:nightly")))

    threads = [threading.Thread(target=record) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == [0, 1]
    with world[0].connect() as conn:
        assert [r.key for r in changes.list_changes(conn, T0 - timedelta(days=1), only_unapproved=True) if r.change == "changed"] == [
            "thresholds.many_customers"
        ]


def test_the_third_lines_report_shows_the_periods_changes_as_its_moment_knew_them(world: tuple[Engine, Path, Clock]) -> None:
    """The assurance report reads changes_between for its period: a change recorded after the
    report's moment is absent, and an approval given after it is shown as not yet given."""
    from riskmon.review.assurance import assurance

    engine, _, clock = world
    rm = _rm(world)
    rm.changes.record("risk1")  # baseline on 2026-04-01
    clock.now = T0 + timedelta(days=10)
    change = _rm(world, many=25).changes.record("risk1")[0]
    clock.now = T0 + timedelta(days=20)
    rm.changes.approve(change.id, _who(engine, "risk2"), "委員会資料と照合")
    clock.now = T0 + timedelta(days=200)  # outside the period
    _rm(world, many=20).changes.record("risk1")
    cal = rm.calendar

    def shown(as_of: datetime) -> list[tuple[str, str | None]]:
        data = assurance(engine, T0.date(), T0.date() + timedelta(days=90), cal, ["T1"], as_of=as_of).data["changes"]
        return [(r["key"], r["approved_by"] or None) for r in data["rows"] if r["key"] == "thresholds.many_customers"]

    assert shown(T0 + timedelta(days=15)) == [("thresholds.many_customers", None), ("thresholds.many_customers", None)]
    assert shown(T0 + timedelta(days=300)) == [("thresholds.many_customers", None), ("thresholds.many_customers", "risk2")]
