"""Local accounts: logging in (with lockout), changing and setting passwords, revoking sessions.

One service for the web application and the CLI, with no web import. Everything it does —
login, failed login, lockout, logout, password change or reset, session revocation — is written to
the hash-chained audit log with its channel (``web``/``cli``) and the session's hash prefix.

Lockout counts failures per account and per client address (:class:`~riskmon.store.tables.LoginThrottle`);
reaching the threshold locks the key for ``lockout_base_seconds``, doubling with each further lock
up to ``lockout_max_seconds``. An unknown user id is counted, locked and answered exactly like a
known one, and its password is checked against a dummy hash, so neither the message nor the
timing tells an attacker which ids exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon import audit
from riskmon.accounts import passwords
from riskmon.accounts.sessions import Clock, Session, SessionStore, revoke_all
from riskmon.config import WebConfig
from riskmon.errors import NotFound, Refused
from riskmon.store.tables import LoginThrottle, Unit, User, WebCredential, table_of

BAD_LOGIN = ("利用者IDまたはパスワードが正しくありません", "wrong user id or password")
PASSWORDS_OFF = ("パスワードでのログインは使えません（シングルサインオンのみ）", "password login is off (single sign-on only)")


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: tuple[str, str] = ("", "")
    cookie: str | None = None  # the new session's secret, on success
    session: Session | None = None
    must_change: bool = False
    locked: bool = False


def locked_message(until: datetime, now: datetime) -> tuple[str, str]:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (f"ログインの失敗が続いたため、一時的にロックされています。約{minutes}分後に再度お試しください",
            f"too many failed logins: locked for now; try again in about {minutes} min")  # fmt: skip


def _audit(conn: Connection, actor: str, action: str, subject: str, at: datetime, channel: str, **payload: Any) -> None:
    audit.append(conn, actor[:64], action, subject[:400], {"channel": channel, **payload}, at)


class Accounts:
    """Accounts of one database, under one web configuration and clock."""

    def __init__(self, engine: Engine, config: WebConfig, clock: Clock, *, local_passwords: bool = True) -> None:
        self.engine, self.config, self.clock = engine, config, clock
        self.local_passwords = local_passwords  # false with [sso] local_passwords = false: a password proves nothing
        self.sessions = SessionStore(engine, config, clock)

    # -- logging in and out ---------------------------------------------------------------------
    def login(self, user_id: str, password: str, client: str, previous: Session | None = None, channel: str = "web") -> LoginResult:
        """Check a login. On success the previous (anonymous) session is revoked and a new one
        created — the session id is rotated, so an id planted before login is worth nothing after."""
        user_id = user_id.strip()[:64]
        keys = (f"user:{user_id}", f"addr:{client or '-'}")
        now = self.clock()
        if not self.local_passwords:
            with self.engine.begin() as conn:
                _audit(conn, user_id or "-", "login_refused", keys[0], now, channel, client=client, reason="local passwords are off")
            return LoginResult(False, PASSWORDS_OFF)
        with self.engine.connect() as conn:
            cred = self._credential(conn, user_id)
            locked = [u for u in self._locks(conn, keys) if u > now]
        # Always one argon2 verification, whether or not the user exists or is locked.
        matches = passwords.verify_password(cred["password_hash"] if cred else passwords.dummy_hash(), password[: passwords.MAX_LENGTH])
        ok = matches and cred is not None
        with self.engine.begin() as conn:
            if locked:
                _audit(conn, user_id or "-", "login_refused_locked", keys[0], now, channel, client=client, until=max(locked).isoformat())
                return LoginResult(False, locked_message(max(locked), now), locked=True)
            if not ok:
                _audit(conn, user_id or "-", "login_failed", keys[0], now, channel, client=client, known_user=cred is not None)
                limits = (self.config.lockout_threshold, self.config.address_threshold)
                new_locks = [u for key, limit in zip(keys, limits, strict=True) if (u := self._fail(conn, key, limit, now, channel))]
                if new_locks:
                    return LoginResult(False, locked_message(max(new_locks), now), locked=True)
                return LoginResult(False, BAD_LOGIN)
            assert cred is not None
            self._clear(conn, keys[0])
            if passwords.needs_rehash(cred["password_hash"]):
                self._store_hash(conn, user_id, passwords.hash_password(password), cred["must_change"])
            if previous is not None:
                self.sessions.revoke(conn, previous.id_hash)
            self.sessions.purge(conn)
            secret, session = self.sessions.create(conn, user_id, client, cred["lang"])
            _audit(conn, user_id, "login", f"user:{user_id}", now, channel, session=session.ref, client=client)
        return LoginResult(True, cookie=secret, session=session, must_change=bool(cred["must_change"]))

    def logout(self, session: Session, channel: str = "web") -> None:
        with self.engine.begin() as conn:
            self.sessions.revoke(conn, session.id_hash)
            _audit(conn, session.user_id or "-", "logout", f"user:{session.user_id}", self.clock(), channel, session=session.ref)

    def anonymous_session(self, client: str, lang: str | None = None) -> tuple[str, Session]:
        """The pre-login session that holds the login form's CSRF token."""
        with self.engine.begin() as conn:
            return self.sessions.create(conn, None, client, lang)

    def must_change(self, user_id: str) -> bool:
        if not self.local_passwords:
            return False
        with self.engine.connect() as conn:
            cred = self._credential(conn, user_id)
        return cred is not None and bool(cred["must_change"])  # none: a single sign-on user with no password

    # -- passwords ------------------------------------------------------------------------------
    def change_password(self, session: Session, current: str, new: str, channel: str = "web") -> list[tuple[str, str]]:
        """The user's own change; returns the problems (nothing changed) or [] (changed, and every
        other session of the user revoked)."""
        user_id = session.user_id or ""
        now = self.clock()
        with self.engine.connect() as conn:
            cred = self._credential(conn, user_id)
        if cred is None or not passwords.verify_password(cred["password_hash"], current[: passwords.MAX_LENGTH]):
            problems = [("現在のパスワードが正しくありません", "the current password is wrong")]
        else:
            problems = passwords.policy_problems(new, user_id)
            if new == current:
                problems.append(
                    ("新しいパスワードは現在のものと異なるものにしてください", "the new password must differ from the current one")
                )
        with self.engine.begin() as conn:
            if problems:
                _audit(conn, user_id, "password_change_refused", f"user:{user_id}", now, channel, session=session.ref,
                       reasons=[en for _, en in problems])  # fmt: skip
                return problems
            self._store_hash(conn, user_id, passwords.hash_password(new), must_change=False)
            revoked = revoke_all(conn, user_id, now, keep=session.id_hash)
            _audit(conn, user_id, "password_change", f"user:{user_id}", now, channel, session=session.ref, revoked_sessions=revoked)
        return []

    def set_password(self, user_id: str, password: str | None, by: str, channel: str = "cli") -> str | None:
        """An administrator's reset. ``password=None`` generates a one-time password (returned, to be
        shown once) that must be changed at first login. Every session of the user is revoked."""
        generated = password is None
        secret = passwords.generate_password() if password is None else password
        if not generated:
            problems = passwords.policy_problems(secret, user_id)
            if problems:
                raise Refused("\n".join(ja for ja, _ in problems), "\n".join(en for _, en in problems))
        now = self.clock()
        with self.engine.begin() as conn:
            self._require_user(conn, user_id)
            self._store_hash(conn, user_id, passwords.hash_password(secret), must_change=generated)
            self._clear(conn, f"user:{user_id}")
            revoked = revoke_all(conn, user_id, now)
            _audit(conn, by, "password_set", f"user:{user_id}", now, channel, generated=generated, revoked_sessions=revoked)
        return secret if generated else None

    def revoke_sessions(self, user_id: str, by: str, channel: str = "cli") -> int:
        """Administrator's revoke-all: every live session of the user ends now."""
        now = self.clock()
        with self.engine.begin() as conn:
            self._require_user(conn, user_id)
            revoked = revoke_all(conn, user_id, now)
            _audit(conn, by, "sessions_revoked", f"user:{user_id}", now, channel, sessions=revoked)
        return len(revoked)

    def set_lang(self, user_id: str, lang: str) -> None:
        with self.engine.begin() as conn:
            t = table_of(WebCredential)
            conn.execute(update(t).where(t.c.user_id == user_id).values(lang=lang))

    # -- machinery ------------------------------------------------------------------------------
    def _credential(self, conn: Connection, user_id: str) -> dict[str, Any] | None:
        """The credential of an active user whose unit exists, or None."""
        c, u, units = table_of(WebCredential), table_of(User), table_of(Unit)
        row = conn.execute(
            select(c).join(u, u.c.user_id == c.c.user_id).join(units, units.c.unit_id == u.c.unit_id)
            .where(c.c.user_id == user_id, u.c.active.is_(True))
        ).mappings().first()  # fmt: skip
        return dict(row) if row else None

    def _require_user(self, conn: Connection, user_id: str) -> None:
        if conn.execute(select(table_of(User).c.user_id).where(table_of(User).c.user_id == user_id)).first() is None:
            raise NotFound(f"利用者{user_id}は登録されていません（riskmon users load で登録します）",
                           f"no user {user_id} (users are added with riskmon users load)")  # fmt: skip

    def _store_hash(self, conn: Connection, user_id: str, hashed: str, must_change: bool) -> None:
        t = table_of(WebCredential)
        values = {"user_id": user_id, "password_hash": hashed, "must_change": must_change, "changed_at": self.clock()}
        ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t).values(**values)
        conn.execute(ins.on_conflict_do_update(index_elements=["user_id"], set_={k: v for k, v in values.items() if k != "user_id"}))

    def _locks(self, conn: Connection, keys: tuple[str, ...]) -> list[datetime]:
        t = table_of(LoginThrottle)
        return [r[0] for r in conn.execute(select(t.c.locked_until).where(t.c.key.in_(keys), t.c.locked_until.is_not(None)))]

    def _fail(self, conn: Connection, key: str, limit: int, now: datetime, channel: str) -> datetime | None:
        """Count one failure against ``key``; returns the lock's end when this failure locks it."""
        t = table_of(LoginThrottle)
        ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t)
        conn.execute(ins.values(key=key, failures=0, lockouts=0).on_conflict_do_nothing(index_elements=["key"]))
        row = conn.execute(select(t).where(t.c.key == key).with_for_update()).mappings().one()
        recent = row["last_failure_at"] is not None and now - row["last_failure_at"] < timedelta(minutes=self.config.failure_window_minutes)
        failures = (row["failures"] if recent else 0) + 1
        values: dict[str, Any] = {"failures": failures, "last_failure_at": now}
        until = None
        if failures >= limit:
            seconds = min(self.config.lockout_base_seconds * 2 ** row["lockouts"], self.config.lockout_max_seconds)
            until = now + timedelta(seconds=seconds)
            values.update(failures=0, lockouts=row["lockouts"] + 1, locked_until=until)
            _audit(conn, "riskmon", "lockout", key, now, channel, until=until.isoformat(), lockouts=row["lockouts"] + 1, failures=failures)
        conn.execute(update(t).where(t.c.key == key).values(**values))
        return until

    def _clear(self, conn: Connection, key: str) -> None:
        t = table_of(LoginThrottle)
        conn.execute(update(t).where(t.c.key == key).values(failures=0, lockouts=0, locked_until=None, last_failure_at=None))
