"""Personal API tokens: how a person proves who they are on the command line.

Why: ``--user`` was a claim, so one person could satisfy four eyes by typing a colleague's id. A
token is issued to its owner only (``riskmon users token create`` after the owner's password is
checked), shown once, and kept as the SHA-256 of its 256 random bits — like a web session, a copy
of the database cannot be replayed. Its id, the first 12 hex digits of that hash, is what
``token list``, ``token revoke`` and the audit log name it by. A token ends at its expiry, when it
is revoked, or when its user is deactivated (:func:`revoke_all`, called by 利用者管理).

Every issue, revocation and refused use is appended to the hash-chained audit log with its
channel (``cli`` for the operator's shell, ``api`` for a token) and the token id; a use of the
JSON API (``/api/v1``, issue #14) is audited on each request too (:meth:`Tokens.authenticate`'s ``use``).

Scopes (issue #14): a token may ``read``, ``ingest`` and/or ``review`` — a limit on top of its
user's powers, never a power of its own, so a review token of a third-line user still cannot act.
A *service token* is for another system: a user_admin issues it for a service account (a user of
the users master like any other, whose unit and role riskmon decides), without that account's
password, and the issuer is kept beside it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from riskmon import audit
from riskmon.errors import NotFound, Refused
from riskmon.review.permissions import can_administer_users
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.tables import ApiToken, table_of

PREFIX = "rmt_"  # makes a leaked token recognisable in a log or a paste
DEFAULT_DAYS = 90
MAX_DAYS = 366
REF_LENGTH = 12
SCOPES = ("read", "ingest", "review")


class TokenRefused(UnknownUser):
    """No token, or one that is unknown, expired, revoked or whose user is inactive: the command
    cannot start (exit status 2, like an unknown user)."""

    def __init__(self, ja: str, en: str) -> None:
        NotFound.__init__(self, ja, en)


def parse_scopes(values: list[str] | tuple[str, ...] | str) -> frozenset[str]:
    """``read``, ``ingest``, ``review`` (a list, or one comma-separated string); none, or an
    unknown word, is refused with the words that are allowed."""
    words = [w.strip() for v in ([values] if isinstance(values, str) else values) for w in v.split(",") if w.strip()]
    unknown = [w for w in words if w not in SCOPES]
    if unknown or not words:
        shown = ", ".join(unknown) or "-"
        raise Refused(f"スコープ「{shown}」は使えません。使えるスコープ：{', '.join(SCOPES)}",
                      f"scope '{shown}' is not allowed; the scopes are {', '.join(SCOPES)}")  # fmt: skip
    return frozenset(words)


def scopes_text(scopes: frozenset[str]) -> str:
    return ",".join(s for s in SCOPES if s in scopes)


NO_TOKEN = TokenRefused(
    "この操作には個人用APIトークンが必要です。riskmon users token create <利用者ID> で発行し、"
    "環境変数 RISKMON_TOKEN か --token-file で渡してください（--user は使えなくなりました）",
    "this needs your personal API token: create one with riskmon users token create <user id> and pass it in "
    "RISKMON_TOKEN or with --token-file (--user is no longer accepted)",
)
BAD_TOKEN = ("APIトークンが無効です（不明・期限切れ・失効済み、または利用者が無効）。riskmon users token create で発行し直してください",
             "the API token is not valid (unknown, expired, revoked, or its user is inactive); create a new one with "
             "riskmon users token create")  # fmt: skip


@dataclass(frozen=True)
class Caller:
    """Who is asking, and through which channel: a person proven by a token (``actor`` set,
    channel ``api``), or the operator's shell (``actor`` None, channel ``cli``)."""

    name: str  # what the audit log names as the actor: a user id, or cli:<login name>
    channel: str
    actor: Actor | None = None
    token: str | None = None  # the token's id (hash prefix), never the secret
    extra: dict[str, str] = field(default_factory=dict)  # e.g. the web session's hash prefix
    scopes: frozenset[str] = frozenset(SCOPES)  # what the token allows (the shell: everything its powers allow)

    @property
    def via(self) -> dict[str, str]:
        """What every audit entry this caller causes carries: channel and token id."""
        return {"channel": self.channel, **({"token": self.token} if self.token else {}), **self.extra}


@dataclass(frozen=True)
class TokenInfo:
    id: str
    user_id: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scopes: frozenset[str] = frozenset(SCOPES)
    issued_by: str | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


def check_days(days: int) -> None:
    """A token lives 1 to MAX_DAYS days: none is issued for ever."""
    if not 1 <= days <= MAX_DAYS:
        raise Refused(f"有効期間は1〜{MAX_DAYS}日です（{days}は使えません）", f"--expires-days must be 1 to {MAX_DAYS} (not {days})")


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(row: Any) -> TokenInfo:
    return TokenInfo(row["id_hash"][:REF_LENGTH], row["user_id"], row["name"], row["created_at"], row["expires_at"],
                     row["last_used_at"], row["revoked_at"], frozenset(row["scopes"].split(",")), row["issued_by"])  # fmt: skip


def revoke_all(conn: Connection, user_id: str, at: datetime) -> list[str]:
    """Revoke every live token of ``user_id`` (a deactivation, a leaver); returns their ids."""
    t = table_of(ApiToken)
    live = [r[0] for r in conn.execute(select(t.c.id_hash).where(t.c.user_id == user_id, t.c.revoked_at.is_(None)))]
    if live:
        conn.execute(update(t).where(t.c.id_hash.in_(live)).values(revoked_at=at))
    return [h[:REF_LENGTH] for h in live]


class Tokens:
    """Tokens of one database under one clock: issue, authenticate, list, revoke — each audited."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock

    def issue(self, user_id: str, *, name: str = "", days: int = DEFAULT_DAYS, proof: dict[str, Any] | None = None,
              scopes: frozenset[str] = frozenset(SCOPES), issued_by: str | None = None) -> tuple[str, TokenInfo]:  # fmt: skip
        """A new token for ``user_id``, whose password the caller has just checked (``proof`` says
        how, for the audit log), or a service token a user_admin issues (``issued_by``, see
        :meth:`issue_service`). Returns the secret — its only copy — and the token."""
        check_days(days)
        parse_scopes(sorted(scopes))
        secret = PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            who = actor(conn, user_id)
            row = {"id_hash": hash_token(secret), "user_id": who.user_id, "name": name.strip()[:100], "created_at": now,
                   "expires_at": now + timedelta(days=days), "last_used_at": None, "revoked_at": None,
                   "scopes": scopes_text(scopes), "issued_by": issued_by}  # fmt: skip
            conn.execute(table_of(ApiToken).insert().values(**row))
            info = _info(row)
            audit.append(conn, issued_by or who.user_id, "token_created", f"user:{who.user_id}",
                         {"channel": "cli", "token": info.id, "name": info.name, "expires_at": info.expires_at.isoformat(),
                          "scopes": row["scopes"], **({"service": "true"} if issued_by else {}), **(proof or {})}, now)  # fmt: skip
        return secret, info

    def issue_service(self, caller: Caller, user_id: str, *, name: str, days: int, scopes: frozenset[str]) -> tuple[str, TokenInfo]:
        """A service token for ``user_id`` (a service account: unit and role are riskmon's), issued
        by a user_admin proven by their own token — never from the bare shell, so the audit log
        always names a person. A refusal is audited."""
        if caller.actor is None or not can_administer_users(caller.actor):
            now = self.clock()
            with self.engine.begin() as conn:
                audit.append(conn, caller.name, "refused:token_created", f"user:{user_id}",
                             {**caller.via, "reason": "only a user_admin issues service tokens"}, now)  # fmt: skip
            raise Refused("サービス用トークンを発行できるのは user_admin だけです（自分のトークンで --token-file を指定してください）",
                          "only a user_admin issues service tokens (pass your own token with --token-file)")  # fmt: skip
        return self.issue(user_id, name=name, days=days, scopes=scopes, issued_by=caller.actor.user_id,
                          proof={**caller.via, "issued_by": caller.actor.user_id})  # fmt: skip

    def authenticate(self, secret: str, use: dict[str, str] | None = None) -> Caller:
        """The person a token belongs to, as a :class:`Caller` on channel ``api``; its last use is
        recorded. A refused token is audited (under its id, if it names a stored token); ``use``
        (a JSON API request's method and path) audits an accepted use too, in the same transaction."""
        now = self.clock()
        digest = hash_token(secret.strip()) if secret.strip() else ""
        t = table_of(ApiToken)
        with self.engine.begin() as conn:
            row = conn.execute(select(t).where(t.c.id_hash == digest)).mappings().first() if digest else None
            problem = "unknown token" if row is None else ("revoked" if row["revoked_at"] is not None else
                                                           "expired" if now >= row["expires_at"] else None)  # fmt: skip
            who: Actor | None = None
            if row is not None and problem is None:
                try:
                    who = actor(conn, row["user_id"])
                except UnknownUser:
                    problem = "user inactive"
            if who is None or row is None:
                ref = row["id_hash"][:REF_LENGTH] if row is not None else digest[:REF_LENGTH]
                audit.append(conn, row["user_id"] if row is not None else "-", "token_refused", f"token:{ref}",
                             {"channel": "api", "token": ref, "reason": problem}, now)  # fmt: skip
            else:
                conn.execute(update(t).where(t.c.id_hash == digest).values(last_used_at=now))
                if use is not None:
                    audit.append(conn, who.user_id, "token_used", f"token:{digest[:REF_LENGTH]}",
                                 {"channel": "api", "token": digest[:REF_LENGTH], **use}, now)  # fmt: skip
        if who is None or row is None:
            raise TokenRefused(*BAD_TOKEN)
        return Caller(who.user_id, "api", who, row["id_hash"][:REF_LENGTH], scopes=frozenset(row["scopes"].split(",")))

    def listing(self, caller: Caller, user_id: str | None = None) -> list[TokenInfo]:
        """Tokens (never their secrets), newest first: the operator and a user_admin see anyone's,
        everyone else only their own."""
        if caller.actor is not None and not can_administer_users(caller.actor):
            if user_id not in (None, caller.actor.user_id):
                raise Refused("他の利用者のトークンは user_admin だけが一覧できます", "only a user_admin may list another user's tokens")
            user_id = caller.actor.user_id
        t = table_of(ApiToken)
        q = select(t).order_by(t.c.created_at.desc(), t.c.id_hash)
        if user_id:
            q = q.where(t.c.user_id == user_id)
        with self.engine.connect() as conn:
            return [_info(r) for r in conn.execute(q).mappings()]

    def revoke(self, caller: Caller, token_id: str | None = None, *, user_id: str | None = None) -> list[str]:
        """Revoke one token by its id, or every token of ``user_id``. The owner may revoke their
        own; a user_admin and the operator's shell anyone's (revoking only takes access away, so
        it is open to the operator like ``revoke-sessions``). Refusals are audited too."""
        now = self.clock()
        t = table_of(ApiToken)
        target = f"token:{token_id}" if token_id else f"user:{user_id}"
        try:
            with self.engine.begin() as conn:
                if token_id is not None:
                    rows = conn.execute(select(t.c.id_hash, t.c.user_id).where(t.c.id_hash.like(f"{token_id.lower()}%"))).all()
                    if len(token_id) < 8 or len(rows) != 1:
                        raise Refused(f"トークン '{token_id}' はありません（token list の id を指定してください）",
                                      f"no token '{token_id}' (give an id shown by token list)")  # fmt: skip
                    owner = rows[0][1]
                else:
                    owner = user_id or ""
                if caller.actor is not None and owner != caller.actor.user_id and not can_administer_users(caller.actor):
                    raise Refused("他の利用者のトークンを失効できるのは user_admin だけです",
                                  "only a user_admin may revoke another user's tokens")  # fmt: skip
                if token_id is not None:
                    conn.execute(update(t).where(t.c.id_hash == rows[0][0], t.c.revoked_at.is_(None)).values(revoked_at=now))
                    done = [rows[0][0][:REF_LENGTH]]
                else:
                    done = revoke_all(conn, owner, now)
                audit.append(conn, caller.name, "tokens_revoked", f"user:{owner}", {**caller.via, "revoked": done}, now)
        except Refused as refusal:
            with self.engine.begin() as conn:
                audit.append(conn, caller.name, "refused:tokens_revoked", target, {**caller.via, "reason": refusal.en}, now)
            raise
        return done
