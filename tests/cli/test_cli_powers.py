"""The scoped second-line powers on the command line (issue #12), on SQLite and PostgreSQL:
``flags powers``, an executive's ``flags approve``, governance's ``flags receipt`` and
``flags decision``, and 調達企画部's refused risk acceptance of a 重点三事案."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.store.tables import Flag, table_of
from tests.cli.token_support import Cli, token_cli_folder
from tests.helpers import UNITS_CSV, USERS, error_report, write_jsonl

UNITS = (
    UNITS_CSV
    + """PPD,調達企画部,Procurement Planning Dept.,procurement_planning_department,,,,true
EXEC,役員,Executives,executive,,,,true
RMC,リスク管理委員会,Risk Management Committee,risk_management_committee,,,,true
"""
)
MORE_USERS = (
    USERS
    + """ppd1,調達1,PPD,risk_officer
exec1,役員1,EXEC,executive
rmc1,委員会事務局,RMC,member
"""
)


@pytest.fixture
def cli(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Cli, int]]:
    """The R02 flag of a misdelivery (critical, リスク統括部's domain), and a CLI to work it."""
    token_cli_folder(tmp_path, monkeypatch)
    (tmp_path / "users.csv").write_text(MORE_USERS, encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    run = Cli(CliRunner(), engine.url.render_as_string(hide_password=False))
    events = write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1")])
    for args in (["ingest", str(units), str(events)], ["evaluate", "--as-of", "2025-04-10T12:00"], ["users", "load", "users.csv"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
    t = table_of(Flag)
    with engine.connect() as conn:
        flag_id = int(conn.execute(select(t.c.id).where(t.c.rule_id == "R02")).scalar_one())
    yield run, flag_id


def test_procurement_is_refused_and_told_who_owns_the_domain(cli: tuple[Cli, int]) -> None:
    run, f = cli
    result = run("--lang", "en", "flags", "resolve", str(f), "--resolution", "risk_accepted", "--note", "受容", "--until", "2025-09-30",
                 as_user="ppd1")  # fmt: skip
    assert result.exit_code == 1
    assert (f"flag {f} is in the administrative risk domain, owned by Risk Management Dept.; Procurement Planning Dept. "
            "cannot accept its risk alone (it may read, comment and propose a resolution)") in " ".join(result.output.split())  # fmt: skip
    powers = run("flags", "powers", str(f), "--format", "json", as_user="ppd1")
    assert powers.exit_code == 0, powers.output
    assert json.loads(powers.output) == {
        "flag_id": f, "domain": "administrative", "owners": ["risk_management_department"], "owner": False,
        "needs_executive_approval_to_accept_risk": True, "awaiting_executive_approval": False, "executive_approval": None,
        "allowed_actions": ["acknowledge", "comment", "propose", "take_on"],
    }  # fmt: skip
    table = run("flags", "powers", str(f), as_user="ppd1")
    assert table.exit_code == 0 and "事務リスク (administrative)" in table.output and "リスク統括部" in table.output


def test_an_executive_approves_then_four_eyes_close(cli: tuple[Cli, int]) -> None:
    run, f = cli
    assert run("flags", "resolve", str(f), "--resolution", "risk_accepted", "--note", "受容", "--until", "2025-09-30",
               as_user="risk1").exit_code == 0  # fmt: skip
    waiting = json.loads(run("flags", "powers", str(f), "--format", "json", as_user="exec1").output)
    assert waiting["awaiting_executive_approval"] is True and "exec_approve" in waiting["allowed_actions"]
    refused = run("--lang", "en", "flags", "approve", str(f), "--format", "json", as_user="exec1")
    assert refused.exit_code == 1
    said = json.loads(refused.output)
    assert (said["ok"], said["status"]) == (False, None) and said["message"].startswith("name the proposal you approve (--proposal ")
    digest = said["message"].split("--proposal ")[1][:16]
    early = run("--lang", "en", "flags", "confirm", str(f), "--proposal", digest, as_user="risk2")
    assert early.exit_code == 1 and f"none is recorded for proposal {digest} yet" in " ".join(early.output.split())
    approved = run("flags", "approve", str(f), "--proposal", digest, "--note", "期限付きで承認", "--format", "json", as_user="exec1")
    assert json.loads(approved.output) == {"flag_id": f, "ok": True, "status": "open", "message": "役員承認を記録しました"}
    assert run("flags", "confirm", str(f), "--proposal", digest, as_user="risk2").exit_code == 0
    history = json.loads(run("flags", "history", str(f), "--format", "json").output)
    assert [(h["actor"], h["action"]) for h in history][-3:] == [("risk1", "resolve"), ("exec1", "exec_approve"), ("risk2", "confirm")]
    assert history[-2]["detail"]["proposal_id"] == digest and history[-2]["detail"]["note"] == "期限付きで承認"


def test_governance_records_without_changing_the_case(cli: tuple[Cli, int]) -> None:
    run, f = cli
    receipt = run("flags", "receipt", str(f), "常勤役員会で報告を受けた", as_user="exec1")
    assert (receipt.exit_code, receipt.output) == (0, f"{f}: 記録しました（フラグの状態は変わりません）\n")
    decided = run("flags", "decision", str(f), "再発防止策の全国展開を決定", "--format", "json", as_user="rmc1")
    assert json.loads(decided.output)["status"] == "open"
    history = json.loads(run("flags", "history", str(f), "--format", "json").output)
    assert [(h["action"], h["from_status"], h["to_status"], h["detail"]["text"]) for h in history][-2:] == [
        ("receipt", "open", "open", "常勤役員会で報告を受けた"),
        ("committee_decision", "open", "open", "再発防止策の全国展開を決定"),
    ]
    refused = run("--lang", "en", "flags", "receipt", str(f), "x", as_user="auditor")
    assert refused.exit_code == 1 and "only governance users" in refused.output
