"""Login, lockout, sessions and forced password change over HTTP (TestClient), on both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon import audit
from riskmon.accounts.auth import Accounts
from riskmon.accounts.sessions import hash_id
from riskmon.store.tables import AuditEntry, WebSession, table_of
from tests.web.support import PASSWORD, Clock, csrf_of, login

BAD = "利用者IDまたはパスワードが正しくありません"
LOCKED = "ログインの失敗が続いたため、一時的にロックされています"


def entries(engine: Engine, action: str | None = None) -> list[dict[str, Any]]:
    t = table_of(AuditEntry)
    q = select(t).order_by(t.c.seq) if action is None else select(t).where(t.c.action == action).order_by(t.c.seq)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def response(r: object) -> httpx.Response:
    assert isinstance(r, httpx.Response)
    return r


def test_login_rotates_the_session_and_audits_it(engine: Engine, client: TestClient) -> None:
    form = client.get("/login")
    assert form.status_code == 200
    anonymous = client.cookies["riskmon_session"]
    r = client.post("/login", data={"user_id": "po1", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/"})
    assert (r.status_code, r.headers["location"]) == (303, "/")
    logged_in = client.cookies["riskmon_session"]
    assert logged_in != anonymous
    sessions = table_of(WebSession)
    with engine.connect() as conn:
        rows = {r.id_hash: r for r in conn.execute(select(sessions))}
    assert rows[hash_id(anonymous)].revoked_at is not None and rows[hash_id(anonymous)].user_id is None
    assert rows[hash_id(logged_in)].user_id == "po1" and rows[hash_id(logged_in)].revoked_at is None
    assert logged_in not in {r.id_hash for r in rows.values()}  # only the hash is stored
    [entry] = entries(engine, "login")
    assert (entry["actor"], entry["subject"]) == ("po1", "user:po1")
    assert entry["payload"] == {"channel": "web", "session": hash_id(logged_in)[:12], "client": "testclient"}
    # the anonymous id planted before login is worth nothing afterwards
    client.cookies.set("riskmon_session", anonymous)
    assert client.get("/").status_code == 303


def test_cookie_flags_and_the_https_prefix(make_client: Callable[..., TestClient]) -> None:
    plain = make_client().get("/login").headers["set-cookie"]
    assert plain.startswith("riskmon_session=") and "HttpOnly" in plain and "SameSite=lax" in plain and "Secure" not in plain
    secure = make_client(https=True).get("/login").headers["set-cookie"]
    assert secure.startswith("__Host-riskmon_session=") and "Secure" in secure and "HttpOnly" in secure and "Path=/" in secure


def test_wrong_password_and_unknown_user_get_the_same_answer(engine: Engine, client: TestClient) -> None:
    known = response(login(client, "po1", "wrong password 1"))
    unknown = response(login(client, "nobody", "wrong password 1"))
    assert (known.status_code, unknown.status_code) == (401, 401)
    assert BAD in known.text and BAD in unknown.text
    failed = entries(engine, "login_failed")
    assert [(e["actor"], e["payload"]["known_user"], e["payload"]["channel"]) for e in failed] == [
        ("po1", True, "web"),
        ("nobody", False, "web"),
    ]


def test_five_failures_lock_the_account_for_a_growing_time(engine: Engine, client: TestClient, clock: Clock) -> None:
    for _ in range(4):
        assert response(login(client, "po1", "not the password")).status_code == 401
    fifth = response(login(client, "po1", "not the password"))
    assert fifth.status_code == 429 and LOCKED in fifth.text and "約1分後" in fifth.text
    right = response(login(client, "po1"))  # even the right password is refused while locked
    assert right.status_code == 429 and LOCKED in right.text
    [lock] = entries(engine, "lockout")
    assert (lock["subject"], lock["payload"]["lockouts"], lock["payload"]["channel"]) == ("user:po1", 1, "web")
    assert [e["actor"] for e in entries(engine, "login_refused_locked")] == ["po1"]
    clock.advance(seconds=61)
    for _ in range(5):
        last = response(login(client, "po1", "not the password"))
    assert last.status_code == 429 and "約2分後" in last.text  # the second lock lasts twice as long
    clock.advance(seconds=121)
    assert response(login(client, "po1")).status_code == 303


def test_an_unknown_user_is_locked_exactly_like_a_known_one(client: TestClient) -> None:
    answers = [response(login(client, "ghost", "not the password")) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert LOCKED in answers[-1].text


def test_failures_are_counted_per_client_address(make_client: Callable[..., TestClient], engine: Engine) -> None:
    client = make_client(address_threshold=3)
    for name in ("a1", "a2", "a3"):  # three different accounts from one address
        login(client, name, "not the password")
    blocked = response(login(client, "po1"))
    assert blocked.status_code == 429
    assert [e["subject"] for e in entries(engine, "lockout")] == ["addr:testclient"]


def test_idle_timeout(client: TestClient, clock: Clock) -> None:
    assert response(login(client, "po1")).status_code == 303
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # used: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30)
    r = client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/login")


def test_absolute_lifetime(client: TestClient, clock: Clock) -> None:
    assert response(login(client, "po1")).status_code == 303
    for _ in range(35):  # busy all day: never idle, 11h40m in
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=20)  # 12 h after login
    assert client.get("/").status_code == 303


def test_logout_revokes_the_session(engine: Engine, client: TestClient) -> None:
    login(client, "po1")
    cookie = client.cookies["riskmon_session"]
    page = client.get("/")
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert (r.status_code, r.headers["location"]) == (303, "/login?bye=1&lang=ja")
    client.cookies.set("riskmon_session", cookie)  # replaying the old cookie
    assert client.get("/").status_code == 303
    [entry] = entries(engine, "logout")
    assert entry["payload"] == {"channel": "web", "session": hash_id(cookie)[:12]}


def test_admin_revokes_every_session_of_a_user(engine: Engine, make_client: Callable[..., TestClient], clock: Clock) -> None:
    laptop, desk = make_client(), make_client()
    login(laptop, "po1")
    login(desk, "po1")
    other = make_client()
    login(other, "po2")
    assert Accounts(engine, laptop.app.state.ctx.settings.web, clock).revoke_sessions("po1", by="cli:admin") == 2  # type: ignore[attr-defined]
    assert laptop.get("/").status_code == 303 and desk.get("/").status_code == 303
    assert other.get("/").status_code == 200
    [entry] = entries(engine, "sessions_revoked")
    assert (entry["actor"], entry["subject"], entry["payload"]["channel"], len(entry["payload"]["sessions"])) == (
        "cli:admin",
        "user:po1",
        "cli",
        2,
    )


def test_a_generated_password_must_be_changed_at_first_login(engine: Engine, client: TestClient, clock: Clock) -> None:
    one_time = Accounts(engine, client.app.state.ctx.settings.web, clock).set_password("po1", None, by="cli:admin")  # type: ignore[attr-defined]
    assert one_time is not None and len(one_time) == 16
    r = response(login(client, "po1", one_time))
    assert (r.status_code, r.headers["location"]) == (303, "/password")
    assert client.get("/").headers["location"] == "/password"  # nothing else until it is changed
    page = client.get("/password")
    assert "初回ログインのため" in page.text
    weak = client.post("/password", data={"csrf_token": csrf_of(page.text), "current_password": one_time,
                                          "new_password": "password123", "confirm_password": "password123"})  # fmt: skip
    assert weak.status_code == 400
    assert "パスワードは12文字以上にしてください（現在11文字）" in weak.text and "よく使われるパスワードのため使えません" in weak.text
    new = "a long new passphrase"
    ok = client.post("/password", data={"csrf_token": csrf_of(page.text), "current_password": one_time,
                                        "new_password": new, "confirm_password": new})  # fmt: skip
    assert (ok.status_code, ok.headers["location"]) == (303, "/?changed=1")
    assert client.get("/").status_code == 200
    assert [e["action"] for e in entries(engine) if e["subject"] == "user:po1"][-3:] == [
        "login",
        "password_change_refused",
        "password_change",
    ]
    n, breaks = _verify(engine)
    assert breaks == [] and n == len(entries(engine))


def _verify(engine: Engine) -> tuple[int, list[audit.Break]]:
    with engine.connect() as conn:
        return audit.verify(conn)
