"""``riskmon users load`` refuses a users file with an unknown role or a user id that is not a plain
identifier — the whole file, nothing loaded — naming file, line and field (issue #11), on SQLite
and PostgreSQL, with real files. Japanese by default, English with ``--lang en``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.cli.errors import ExitCode
from riskmon.review.users import MAX_USER_ID, ROLES, role_problem, user_id_problem
from riskmon.store.tables import AuditEntry, User, table_of
from tests.cli.token_support import token_cli_folder

HEADER = "user_id,name,unit_id,role\n"
#: line 2 is good; 3 and 4 name roles nobody has; 5 is a formula, not a user id
BAD = HEADER + "po1,事務所長,PO-001,site_manager\nx.sato,佐藤,RMD,superuser\nrisk9,リスク9,RMD,risk_oficer\n=cmd|x,誰か,PO-001,member\n"
ALL_ROLES = "member, site_manager, regional_manager, risk_officer, auditor, executive, user_admin"
ID_RULE_JA = "は利用者IDに使えません。英字・数字・「.」「_」「-」だけで、英字か数字で始まる64文字以内にしてください"
ID_RULE_EN = " cannot be a user id: use letters, digits, '.', '_' and '-' only, start with a letter or digit, at most 64 characters"


class Loader:
    """``riskmon users load`` on one database (the operator's shell: the master has no user_admin yet)."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.runner, self.folder = CliRunner(), folder
        self.env = {"RISKMON_DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    def __call__(self, content: str, *lang: str, name: str = "users.csv") -> Any:
        (self.folder / name).write_text(content, encoding="utf-8")
        return self.runner.invoke(app, [*lang, "users", "load", name], env=self.env)


@pytest.fixture
def load(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loader:
    token_cli_folder(tmp_path, monkeypatch)
    loader = Loader(engine, tmp_path)
    result = loader.runner.invoke(app, ["ingest", str(units_file)], env=loader.env)
    assert result.exit_code == 0, result.output
    return loader


def users(engine: Engine) -> dict[str, str]:
    t = table_of(User)
    with engine.connect() as conn:
        return {r.user_id: r.role for r in conn.execute(select(t.c.user_id, t.c.role))}


def audited(engine: Engine) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, t.c.subject, t.c.payload).where(t.c.action.like("%users_loaded")).order_by(t.c.seq))
        return [(r.action, r.subject, r.payload) for r in rows]


def test_a_bad_role_or_user_id_refuses_the_whole_file(load: Loader, engine: Engine) -> None:
    result = load(BAD)
    assert result.exit_code == ExitCode.REJECTED
    assert result.stdout == ""
    assert result.stderr == (
        f"users.csv:3: role: 不明なロール「superuser」です。候補：{ALL_ROLES}\n"
        f"users.csv:4: role: 不明なロール「risk_oficer」です（もしかして「risk_officer」？）。候補：{ALL_ROLES}\n"
        f"users.csv:5: user_id: 「=cmd|x」{ID_RULE_JA}\n"
        "利用者は1名も登録していません。ファイルを直して再度読み込んでください\n"
    )
    assert users(engine) == {}  # line 2 too: nothing is loaded when any line is bad
    assert audited(engine) == [
        ("refused:users_loaded", "file:users.csv",
         {"channel": "cli", "reason": "3 line(s) refused; no user loaded", "rejected_lines": [3, 4, 5]}),
    ]  # fmt: skip


def test_the_same_in_english(load: Loader, engine: Engine) -> None:
    result = load(BAD, "--lang", "en")
    assert result.exit_code == ExitCode.REJECTED
    assert result.stderr == (
        f"users.csv:3: role: unknown role 'superuser'; valid roles: {ALL_ROLES}\n"
        f"users.csv:4: role: unknown role 'risk_oficer' (did you mean 'risk_officer'?); valid roles: {ALL_ROLES}\n"
        f"users.csv:5: user_id: '=cmd|x'{ID_RULE_EN}\n"
        "no user was loaded; fix the file and load it again\n"
    )
    assert users(engine) == {}


def test_every_problem_of_a_line_is_named_in_field_order(load: Loader, engine: Engine) -> None:
    long_id = "a" * (MAX_USER_ID + 1)
    result = load(HEADER + f"@admin,管理,RMD,root\n{long_id},長い,RMD,member\n-x,,RMD,auditor\n")
    assert result.exit_code == ExitCode.REJECTED
    assert result.stderr.splitlines() == [
        f"users.csv:2: user_id: 「@admin」{ID_RULE_JA}",
        f"users.csv:2: role: 不明なロール「root」です。候補：{ALL_ROLES}",
        f"users.csv:3: user_id: 「{'a' * 37}...」{ID_RULE_JA}",
        f"users.csv:4: user_id: 「-x」{ID_RULE_JA}",
        "users.csv:4: name: 必須項目がありません",
        "利用者は1名も登録していません。ファイルを直して再度読み込んでください",
    ]
    assert users(engine) == {}


def test_a_good_file_loads_every_role(load: Loader, engine: Engine) -> None:
    lines = "".join(f"u{i}.x_{role[:3]}-{i},利用者{i},RMD,{role}\n" for i, role in enumerate(ROLES))
    result = load(HEADER + lines + "9lives,九,PO-001,\n")  # no role: a member
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"利用者{len(ROLES) + 1}名を登録しました\n", "")
    assert sorted(users(engine).values()) == sorted([*ROLES, "member"])
    assert [(a, p["stored"]) for a, _, p in audited(engine)] == [("users_loaded", len(ROLES) + 1)]


@pytest.mark.parametrize("good", ["po1", "x.sato", "risk_1", "A-9", "9lives", "a" * MAX_USER_ID, " padded "])
def test_plain_identifiers_are_user_ids(good: str) -> None:
    assert user_id_problem(good) is None


@pytest.mark.parametrize("bad", ["=cmd|x", "+1", "-x", "@x", ".x", "_x", "", "a b", "佐藤", "ａｂｃ", "a/b", "a\tb", "a" * 65])
def test_anything_else_is_not(bad: str) -> None:
    problem = user_id_problem(bad)
    assert problem is not None and (problem.field, problem.code) == ("user_id", "bad_user_id")


def test_control_characters_are_shown_escaped() -> None:
    problem = user_id_problem("a\x1b[31mb")
    assert problem is not None and problem.en.startswith("'a\\x1b[31mb' cannot be a user id")


def test_roles_are_checked_with_a_suggestion_only_when_one_is_close() -> None:
    assert [role_problem(r) for r in ROLES] == [None] * len(ROLES)
    typo, far = role_problem("site_manger"), role_problem("superuser")
    assert typo is not None and "（もしかして「site_manager」？）" in typo.ja
    assert far is not None and "もしかして" not in far.ja and "did you mean" not in far.en


@given(st.text(max_size=80))
def test_no_accepted_user_id_can_start_a_spreadsheet_formula(text: str) -> None:
    if user_id_problem(text) is None:
        stored = text.strip()  # what the master keeps
        assert stored[:1] not in ("=", "+", "-", "@", "")
        assert len(stored) <= MAX_USER_ID and stored.isascii()


@given(st.from_regex(r"[=+\-@][A-Za-z0-9._-]{0,20}", fullmatch=True))
def test_ids_starting_like_a_formula_are_always_refused(text: str) -> None:
    assert user_id_problem(text) is not None
