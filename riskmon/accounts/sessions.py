"""Server-side web sessions: created, looked up (idle and absolute limits), rotated, revoked.

The cookie carries 256 random bits; the table keeps only their SHA-256, so a database copy or
backup cannot be replayed as a login. A session is valid while it is not revoked, younger than
the absolute lifetime and used within the idle timeout; every check is against the injected
clock, so the route tests can move time. Each session carries its own CSRF token
(:mod:`riskmon.web.csrf`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update

from riskmon.config import WebConfig
from riskmon.store.tables import WebSession, table_of

Clock = Callable[[], datetime]
_TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often per session


@dataclass(frozen=True)
class Session:
    id_hash: str
    user_id: str | None
    csrf_token: str
    created_at: datetime
    lang: str | None

    @property
    def ref(self) -> str:
        """What the audit log names the session by: a prefix of its hash, never the secret."""
        return self.id_hash[:12]


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    def __init__(self, engine: Engine, config: WebConfig, clock: Clock) -> None:
        self.engine, self.config, self.clock = engine, config, clock

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.config.idle_minutes)

    def create(self, conn: Connection, user_id: str | None, client: str | None, lang: str | None = None) -> tuple[str, Session]:
        """A new session; returns the cookie value (the only copy of the secret) and the session."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(hash_id(secret), user_id, csrf, now, lang)
        conn.execute(table_of(WebSession).insert().values(
            id_hash=session.id_hash, user_id=user_id, csrf_token=csrf, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(hours=self.config.absolute_hours), client=(client or "")[:64], lang=lang,
        ))  # fmt: skip
        return secret, session

    def lookup(self, secret: str | None) -> Session | None:
        """The live session for a cookie value, or None (unknown, revoked, idle too long, too old)."""
        if not secret or len(secret) > 128:
            return None
        t = table_of(WebSession)
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id_hash == hash_id(secret))).mappings().first()
        if row is None or row["revoked_at"] is not None or now >= row["expires_at"] or now - row["last_seen_at"] >= self.idle:
            return None
        if now - row["last_seen_at"] >= _TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(t).where(t.c.id_hash == row["id_hash"]).values(last_seen_at=now))
        return Session(row["id_hash"], row["user_id"], row["csrf_token"], row["created_at"], row["lang"])

    def revoke(self, conn: Connection, id_hash: str) -> None:
        t = table_of(WebSession)
        conn.execute(update(t).where(t.c.id_hash == id_hash, t.c.revoked_at.is_(None)).values(revoked_at=self.clock()))

    def set_lang(self, id_hash: str, lang: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(table_of(WebSession)).where(table_of(WebSession).c.id_hash == id_hash).values(lang=lang))

    def purge(self, conn: Connection) -> int:
        """Forget sessions that can no longer be used (a day after they ended, so recent ones can
        still be matched with the audit log's hash prefixes)."""
        t = table_of(WebSession)
        cutoff = self.clock() - timedelta(days=1)
        gone = conn.execute(delete(t).where(t.c.expires_at < cutoff))
        return int(gone.rowcount or 0)


def revoke_all(conn: Connection, user_id: str, at: datetime, keep: str | None = None) -> list[str]:
    """Revoke every live session of ``user_id`` (except ``keep``, an id hash); returns their hash prefixes."""
    t = table_of(WebSession)
    live = [r[0] for r in conn.execute(select(t.c.id_hash).where(t.c.user_id == user_id, t.c.revoked_at.is_(None), t.c.expires_at > at))]
    targets = [h for h in live if h != keep]
    if targets:
        conn.execute(update(t).where(t.c.id_hash.in_(targets)).values(revoked_at=at))
    return [h[:12] for h in targets]
