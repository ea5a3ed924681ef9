"""Who may come in through single sign-on: the provider says who someone is, riskmon's users
master says whether they may come in, and with which unit and role (issue #14).

The configured claim (``[sso] user_claim``, ``preferred_username`` by default) names the riskmon
user id; the claim ``email`` is looked up in the users master's e-mail column instead, and only
when the provider has not said the address is unverified. Nothing else the provider sends — no
group, no role, no department — is read: a person's unit and role are riskmon's alone, so the
provider cannot widen what anyone sees. An unknown or deactivated user is refused with a page that
says so and whom to ask; every refusal and every login is in the audit log like a password
login's (``login`` / ``login_refused``, ``method: sso``, with the provider's ``sub``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from riskmon import audit
from riskmon.accounts.auth import Accounts
from riskmon.accounts.sessions import Session
from riskmon.config import SsoConfig
from riskmon.review.users import UnknownUser, actor
from riskmon.store.tables import User, WebCredential, table_of

ASK = ("利用者管理の担当者に連絡してください", "contact your user administrator")
#: ``users token create`` proves its owner by their password; with local passwords off there is none
PASSWORDS_OFF_FOR_TOKENS = (
    "このriskmonではローカルパスワードを使いません（[sso] local_passwords = false）。パスワードで本人を確かめる"
    "個人用APIトークンは発行できません。利用者管理の担当者（user_admin）に発行を依頼してください",
    "local passwords are off here ([sso] local_passwords = false), so no personal API token can be proven by a password; "
    "ask your user administrator (user_admin) to issue one",
)


def unknown_user(who: str) -> tuple[str, str]:
    return (f"riskmonの利用者として登録されていません（{who}）。{ASK[0]}", f"{who} is not registered as a riskmon user; {ASK[1]}")


def deactivated_user(who: str) -> tuple[str, str]:
    return (f"riskmonの利用者{who}は利用停止中です。{ASK[0]}", f"the riskmon user {who} is deactivated; {ASK[1]}")


@dataclass(frozen=True)
class SsoLogin:
    """The outcome: a new session, or the reason (audit code) and the words for the refusal page."""

    ok: bool
    named: str  # who the provider said it is (the claim's value), for the page and the audit log
    reason: str = ""
    message: tuple[str, str] = ("", "")
    cookie: str | None = None  # the new session's secret
    session: Session | None = None


def sso_login(accounts: Accounts, config: SsoConfig, claims: dict[str, Any], client: str, previous: Session | None = None) -> SsoLogin:
    """Log in the user the verified ``claims`` name, or refuse; either way audited (channel ``web``)."""
    named = claims.get(config.user_claim)
    now = accounts.clock()
    facts = {"channel": "web", "method": "sso", "issuer": config.issuer, "sub": str(claims.get("sub", ""))[:255], "client": client}
    with accounts.engine.begin() as conn:
        if not isinstance(named, str) or not named.strip():
            words = (f"認証基盤から利用者を示す情報（{config.user_claim}）が届きませんでした。{ASK[0]}",
                     f"the identity provider sent no {config.user_claim} to name the user; {ASK[1]}")  # fmt: skip
            return _refuse(conn, "-", "claim_missing", words, facts, now)
        named = named.strip()[:320]
        user_id, reason = _user_of(conn, config, named, claims)
        if reason:
            words = {"deactivated": deactivated_user(user_id or named),
                     "email_unverified": (f"認証基盤がメールアドレス{named}を確認済みとしていません。{ASK[0]}",
                                          f"the identity provider has not verified the address {named}; {ASK[1]}"),
                     "ambiguous_email": (f"メールアドレス{named}の利用者が複数登録されています。{ASK[0]}",
                                         f"more than one riskmon user has the address {named}; {ASK[1]}"),
                     }.get(reason, unknown_user(named))  # fmt: skip
            return _refuse(conn, user_id or named, reason, words, facts, now)
        assert user_id is not None
        if previous is not None:
            accounts.sessions.revoke(conn, previous.id_hash)
        accounts.sessions.purge(conn)
        c = table_of(WebCredential)
        lang = conn.execute(select(c.c.lang).where(c.c.user_id == user_id)).scalar()
        secret, session = accounts.sessions.create(conn, user_id, client, lang)
        audit.append(conn, user_id, "login", f"user:{user_id}", {**facts, "session": session.ref}, now)
    return SsoLogin(True, named, cookie=secret, session=session)


def _user_of(conn: Connection, config: SsoConfig, named: str, claims: dict[str, Any]) -> tuple[str | None, str]:
    """The riskmon user id the claim names and "" — or what is wrong (``unknown_user``,
    ``deactivated``, ``ambiguous_email``, ``email_unverified``)."""
    user_id: str | None = named
    if config.user_claim == "email":
        if claims.get("email_verified") is False:
            return None, "email_unverified"
        u = table_of(User)
        found = [r[0] for r in conn.execute(select(u.c.user_id).where(func.lower(u.c.email) == named.lower()).limit(2))]
        if len(found) > 1:
            return None, "ambiguous_email"  # two accounts on one address: which one is not the provider's to say
        user_id = found[0] if found else None
    if user_id is None:
        return None, "unknown_user"
    try:
        actor(conn, user_id)
    except UnknownUser:
        try:
            actor(conn, user_id, active_only=False)
        except UnknownUser:
            return None, "unknown_user"
        return user_id, "deactivated"
    return user_id, ""


def _refuse(conn: Connection, who: str, reason: str, words: tuple[str, str], facts: dict[str, str], now: Any) -> SsoLogin:
    audit.append(conn, who[:64], "login_refused", f"user:{who}"[:400], {**facts, "reason": reason}, now)
    return SsoLogin(False, who, reason, words)


def sso_failed(accounts: Accounts, config: SsoConfig, reason: str, client: str) -> None:
    """A login through the provider that failed before anyone was named (a state that does not
    match, a provider error, an ID token that does not verify): audited for the third line."""
    with accounts.engine.begin() as conn:
        audit.append(conn, "-", "login_refused", "sso", {"channel": "web", "method": "sso", "issuer": config.issuer, "reason": reason[:120],
                                                        "client": client}, accounts.clock())  # fmt: skip
