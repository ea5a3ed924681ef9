"""The accounts' tables: local passwords, server-side web sessions, failed-login counters and
personal API tokens (riskmon.accounts). Only hashes of secrets are kept."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from riskmon.store.columns import tz


class WebCredential(SQLModel, table=True):
    """A user's local web password (argon2id), apart from the users master so ``users load`` never
    touches it; ``must_change`` forces a generated password to be replaced at first login."""

    __tablename__ = "web_credentials"
    user_id: str = Field(primary_key=True, max_length=64)
    password_hash: str = Field(max_length=255)
    must_change: bool = True
    changed_at: datetime = tz(nullable=False)
    lang: str | None = Field(default=None, max_length=8)  # the user's preferred language on the web


class WebSession(SQLModel, table=True):
    """A server-side web session. Only the SHA-256 of the cookie's value is stored, so a copy of the
    table lets nobody in; a session without a user is the anonymous one that carries the login form's
    CSRF token and is replaced (rotated) at login."""

    __tablename__ = "web_sessions"
    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: str | None = Field(default=None, max_length=64, index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = tz(nullable=False)
    last_seen_at: datetime = tz(nullable=False)
    expires_at: datetime = tz(nullable=False)  # the absolute lifetime
    revoked_at: datetime | None = tz(nullable=True)
    client: str | None = Field(default=None, max_length=64)
    lang: str | None = Field(default=None, max_length=8)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account (``user:<id>``, kept for unknown ids too, so a lock says nothing
    about whether the account exists) and per client address (``addr:<ip>``)."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    lockouts: int = 0  # how many times it was locked: each lock lasts twice the one before
    last_failure_at: datetime | None = tz(nullable=True)
    locked_until: datetime | None = tz(nullable=True)


class ApiToken(SQLModel, table=True):
    """A personal API token for the CLI's case actions and reads (``riskmon users token create``).
    Like a web session, only the SHA-256 of the secret is kept; the audit log and ``token list``
    name a token by the first 12 hex digits of that hash (its id), never by the secret."""

    __tablename__ = "api_tokens"
    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=64, index=True)
    name: str = Field(default="", max_length=100)
    created_at: datetime = tz(nullable=False)
    expires_at: datetime = tz(nullable=False)
    last_used_at: datetime | None = tz(nullable=True)
    revoked_at: datetime | None = tz(nullable=True)
    scopes: str = Field(default="read,ingest,review", max_length=40)  # what the token may do on top of its user's powers (#14)
    issued_by: str | None = Field(default=None, max_length=64)  # the user_admin who issued a service token; None: its owner
