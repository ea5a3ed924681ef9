"""Personal API tokens and the audited users master, on SQLite and PostgreSQL (docs/security.md).

Each test states one claim of the security model: what is stored, when a token stops working,
who may revoke or list whose tokens, who may load the users master, and what the audit chain
records about it (channel and token id).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from riskmon import audit
from riskmon.accounts.admin import AdminRefused, UserAdmin
from riskmon.accounts.auth import Accounts
from riskmon.accounts.tokens import REF_LENGTH, Caller, TokenRefused, Tokens, hash_token
from riskmon.config import WebConfig
from riskmon.errors import Refused
from riskmon.review.service import ReviewService
from riskmon.review.users import actor
from riskmon.store.tables import ApiToken, AuditEntry, User, table_of
from tests.helpers import USERS

ADMIN_LINE = "adm1,管理者,RMD,user_admin\n"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def admin(engine: Engine, flags: dict[str, int], tmp_path: Path, clock: Clock) -> UserAdmin:
    """The review fixtures' users (loaded) plus one user_admin, adm1."""
    path = tmp_path / "users_admin.csv"
    path.write_text(USERS + ADMIN_LINE, encoding="utf-8")
    ua = UserAdmin(engine, Accounts(engine, WebConfig(), clock))
    ua.load_file(Caller("cli:ops", "cli"), path)  # the bootstrap: no user_admin yet
    return ua


def entries(engine: Engine, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.actor, r.subject, r.payload) for r in conn.execute(select(t).where(t.c.action == action).order_by(t.c.seq))]


def who(engine: Engine, user_id: str, tokens: Tokens) -> Caller:
    secret, _ = tokens.issue(user_id)
    return tokens.authenticate(secret)


def test_the_database_keeps_only_the_hash_and_the_audit_log_names_the_prefix(engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    secret, info = tokens.issue("po1", name="laptop", days=30)
    assert secret.startswith("rmt_") and len(secret) == 4 + 43  # 256 random bits, URL-safe base64
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(table_of(ApiToken))).mappings()]
    assert [r["id_hash"] for r in rows] == [hash_token(secret)] and secret not in repr(rows)
    assert info.id == hash_token(secret)[:REF_LENGTH] and info.expires_at == clock.now + timedelta(days=30)
    assert entries(engine, "token_created") == [("po1", "user:po1", {"channel": "cli", "token": info.id, "name": "laptop",
                                                                     "expires_at": info.expires_at.isoformat(),
                                                                     "scopes": "read,ingest,review"})]  # fmt: skip
    with engine.connect() as conn:
        assert secret not in repr(conn.execute(select(table_of(AuditEntry))).all())


def test_a_token_proves_its_owner_and_records_its_last_use(engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    secret, info = tokens.issue("po1")
    clock.now += timedelta(hours=2)
    found = tokens.authenticate(secret)
    assert (found.name, found.channel, found.token, found.actor is not None and found.actor.unit_id) == ("po1", "api", info.id, "PO-001")
    assert [t.last_used_at for t in tokens.listing(found)] == [clock.now]


@pytest.mark.parametrize("why", ["expired", "revoked", "deactivated", "unknown"])
def test_a_token_stops_working(why: str, engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    secret, info = tokens.issue("po1", days=1)
    boss = who(engine, "adm1", tokens)
    assert boss.actor is not None
    if why == "expired":
        clock.now += timedelta(days=1)
    elif why == "revoked":
        tokens.revoke(boss, info.id)
    elif why == "deactivated":
        done = admin.set_active(boss.actor, "po1", False, "sess")
        assert done.en == "po1 is deactivated; 0 session(s) and 1 token(s) ended"
        assert entries(engine, "user_deactivated")[-1][2]["revoked_tokens"] == [info.id]
    else:
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with pytest.raises(TokenRefused) as refused:
        tokens.authenticate(secret)
    assert refused.value.en.startswith("the API token is not valid")
    reason = {"expired": "expired", "revoked": "revoked", "deactivated": "revoked", "unknown": "unknown token"}[why]
    assert entries(engine, "token_refused")[-1][2]["reason"] == reason


def test_only_the_owner_or_a_user_admin_revokes_and_refusals_are_audited(engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    _, mine = tokens.issue("po1")
    po2, boss = who(engine, "po2", tokens), who(engine, "adm1", tokens)
    with pytest.raises(Refused, match="only a user_admin may revoke another user's tokens"):
        tokens.revoke(po2, mine.id)
    assert entries(engine, "refused:tokens_revoked")[-1][:2] == ("po2", f"token:{mine.id}")
    with pytest.raises(Refused, match="only a user_admin may list another user's tokens"):
        tokens.listing(po2, "po1")
    assert [t.user_id for t in tokens.listing(po2)] == ["po2"]
    assert sorted({t.user_id for t in tokens.listing(boss)}) == ["adm1", "po1", "po2"]
    assert tokens.revoke(boss, user_id="po1") == [mine.id]
    actor_, _, payload = entries(engine, "tokens_revoked")[-1]
    assert (actor_, payload) == ("adm1", {"channel": "api", "token": boss.token, "revoked": [mine.id]})


def test_expiry_is_bounded(engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    with pytest.raises(Refused, match="--expires-days must be 1 to 366"):
        Tokens(engine, clock).issue("po1", days=400)


def test_case_actions_record_the_channel_and_the_token(engine: Engine, admin: UserAdmin, flags: dict[str, int], clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    po1 = who(engine, "po1", tokens)
    service = ReviewService(engine, clock, via=po1.via)
    assert service.acknowledge(po1.name, flags["medium"]).ok
    assert not service.dismiss(po1.name, flags["high"], "誤検知").ok
    (_, _, done), (_, _, refused) = entries(engine, "acknowledge")[-1], entries(engine, "refused:dismiss")[-1]
    assert (done["channel"], done["token"]) == ("api", po1.token) and (refused["channel"], refused["token"]) == ("api", po1.token)


def test_loading_the_users_master_needs_a_user_admin_once_there_is_one(engine: Engine, admin: UserAdmin, tmp_path: Path,
                                                                        clock: Clock) -> None:  # fmt: skip
    path = tmp_path / "users2.csv"
    path.write_text(USERS + ADMIN_LINE, encoding="utf-8")
    with pytest.raises(AdminRefused, match="needs a user_admin's personal API token"):
        admin.load_file(Caller("cli:ops", "cli"), path)
    tokens = Tokens(engine, clock)
    with pytest.raises(AdminRefused, match="only a user_admin may manage users"):
        admin.load_file(who(engine, "risk1", tokens), path)
    assert [(a, p["reason"]) for a, _, p in entries(engine, "refused:users_loaded")] == [
        ("cli:ops", "loading the users master needs a user_admin's personal API token (RISKMON_TOKEN)"),
        ("risk1", "only a user_admin may manage users"),
    ]
    boss = who(engine, "adm1", tokens)
    assert admin.load_file(boss, path)[0] == 8
    first = entries(engine, "users_loaded")
    assert [(a, p["bootstrap"], p.get("token")) for a, _, p in first] == [("cli:ops", True, None), ("adm1", False, boss.token)]


def test_nobody_changes_their_own_role_by_loading_a_file(engine: Engine, admin: UserAdmin, tmp_path: Path, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    boss = who(engine, "adm1", tokens)
    path = tmp_path / "self.csv"
    path.write_text(USERS.replace("risk2,リスク2,RMD,risk_officer", "risk2,リスク2,RMD,auditor") + "adm1,管理者,RMD,risk_officer\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(AdminRefused, match="nobody can change their own role"):
        admin.load_file(boss, path)
    with engine.connect() as conn:  # the whole load was refused: risk2's line did not go in either
        assert (actor(conn, "adm1").role, actor(conn, "risk2").role) == ("user_admin", "risk_officer")


def test_a_load_audits_role_changes_and_deactivation_cuts_sessions_and_tokens(engine: Engine, admin: UserAdmin, tmp_path: Path,
                                                                               clock: Clock) -> None:  # fmt: skip
    tokens = Tokens(engine, clock)
    boss = who(engine, "adm1", tokens)
    _, po1_token = tokens.issue("po1")
    path = tmp_path / "change.csv"
    lines = (USERS + ADMIN_LINE).replace("risk2,リスク2,RMD,risk_officer", "risk2,リスク2,RMD,auditor").splitlines()
    full = [lines[0] + ",email,active"] + [line + (",,false" if line.startswith("po1,") else ",,true") for line in lines[1:]]
    path.write_text("\n".join(full) + "\n", encoding="utf-8")
    stored, bad, changes = admin.load_file(boss, path)
    assert (stored, bad, changes) == (8, [], ["user_deactivated:po1", "role_change:risk2"])
    via = {"channel": "api", "token": boss.token}
    assert entries(engine, "role_change")[-1] == ("adm1", "user:risk2", {**via, "before": "risk_officer", "after": "auditor",
                                                                         "revoked_sessions": [], "revoked_tokens": []})  # fmt: skip
    assert entries(engine, "user_deactivated")[-1] == (
        "adm1",
        "user:po1",
        {**via, "revoked_sessions": [], "revoked_tokens": [po1_token.id]},
    )
    with engine.connect() as conn:
        assert conn.execute(select(table_of(User).c.active).where(table_of(User).c.user_id == "po1")).scalar_one() is False
    with engine.connect() as conn:
        assert audit.verify(conn)[1] == []


def test_a_user_admin_revokes_tokens_on_the_users_page_service(engine: Engine, admin: UserAdmin, clock: Clock) -> None:
    tokens = Tokens(engine, clock)
    secret, info = tokens.issue("po1")
    boss, po2 = who(engine, "adm1", tokens), who(engine, "po2", tokens)
    assert boss.actor is not None and po2.actor is not None
    with pytest.raises(AdminRefused, match="only a user_admin may manage users"):
        admin.revoke_tokens(po2.actor, "po1", "s-po2")
    assert admin.revoke_tokens(boss.actor, "po1", "s-adm").en == "1 token(s) of po1 revoked"
    assert entries(engine, "tokens_revoked")[-1] == ("adm1", "user:po1", {"channel": "web", "session": "s-adm", "revoked": [info.id]})
    with pytest.raises(TokenRefused):
        tokens.authenticate(secret)


def test_with_database_access_an_operator_could_plant_a_token_which_is_why_the_chain_matters(engine: Engine, admin: UserAdmin,
                                                                                              clock: Clock) -> None:  # fmt: skip
    """docs/security.md: nothing inside the database stops direct SQL; a planted token works, but
    no ``token_created`` entry exists for it in the audit chain."""
    secret = "rmt_planted-by-sql"
    with engine.begin() as conn:
        conn.execute(table_of(ApiToken).insert().values(id_hash=hash_token(secret), user_id="risk1", name="", created_at=clock.now,
                                                        expires_at=clock.now + timedelta(days=1)))  # fmt: skip
    assert Tokens(engine, clock).authenticate(secret).name == "risk1"
    assert [p["token"] for _, _, p in entries(engine, "token_created")] == []
