"""利用者管理: what a ``user_admin`` may change about other people's accounts, audited.

Why here and not in a route: the rules (only ``user_admin`` acts; nobody changes their own role or
deactivates themselves; deactivating ends every session at once) must hold whichever page or
command asks, and each change — or refused attempt — must land in the hash-chained audit log in
the same transaction as the change. The users master (:mod:`riskmon.review.users`) keeps the
facts (unit, role, active); passwords and sessions stay with :class:`~riskmon.accounts.auth.Accounts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from riskmon import audit
from riskmon.accounts import tokens
from riskmon.accounts.auth import Accounts
from riskmon.accounts.sessions import revoke_all
from riskmon.accounts.tokens import Caller
from riskmon.errors import Refused
from riskmon.review.permissions import USER_ADMIN, can_administer_users
from riskmon.review.users import ROLES as ROLES  # the roles an administrator can give: the users master's, no others
from riskmon.review.users import Actor, load_users
from riskmon.store.tables import Unit, User, WebCredential, WebSession, table_of


class AdminRefused(Refused):
    """A refused 利用者管理 action (a RiskmonError, so the CLI shows it and exits 1)."""


@dataclass(frozen=True)
class Done:
    ja: str
    en: str
    secret: str | None = None  # a generated one-time password, shown once


class UserAdmin:
    def __init__(self, engine: Engine, accounts: Accounts) -> None:
        self.engine, self.accounts = engine, accounts

    def list_users(self) -> list[dict[str, Any]]:
        """Every user with their unit, line, whether a password is set and how many live sessions."""
        u, un, c, s = table_of(User), table_of(Unit), table_of(WebCredential), table_of(WebSession)
        now = self.accounts.clock()
        live = (
            select(s.c.user_id, func.count().label("n"))
            .where(s.c.revoked_at.is_(None), s.c.expires_at > now, s.c.user_id.is_not(None))
            .group_by(s.c.user_id)
            .subquery()
        )
        q = (
            select(u, un.c.name_ja, un.c.name_en, un.c.line, c.c.must_change, c.c.user_id.label("has_password"), live.c.n)
            .join(un, un.c.unit_id == u.c.unit_id, isouter=True)
            .join(c, c.c.user_id == u.c.user_id, isouter=True)
            .join(live, live.c.user_id == u.c.user_id, isouter=True)
            .order_by(u.c.unit_id, u.c.user_id)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def set_role(self, by: Actor, user_id: str, role: str, session_ref: str) -> Done:
        def change(conn: Connection, target: dict[str, Any]) -> Done:
            if user_id == by.user_id:
                raise AdminRefused("自分自身の役割は変更できません", "nobody can change their own role")
            if role not in ROLES:
                raise AdminRefused(f"役割は{'、'.join(ROLES)}のいずれかです", f"the role must be one of {', '.join(ROLES)}")
            if role == target["role"]:
                raise AdminRefused("役割は変わっていません", "the role is unchanged")
            conn.execute(update(table_of(User)).where(table_of(User).c.user_id == user_id).values(role=role))
            revoked = revoke_all(conn, user_id, self.accounts.clock())  # the new role applies from a fresh login
            self._audit(conn, by, "role_change", user_id, session_ref, before=target["role"], after=role, revoked_sessions=revoked)
            return Done(f"{user_id}の役割を{role}にしました", f"{user_id} now has the role {role}")

        return self._run(by, "role_change", user_id, session_ref, change)

    def set_active(self, by: Actor, user_id: str, active: bool, session_ref: str) -> Done:
        action = "user_activated" if active else "user_deactivated"

        def change(conn: Connection, target: dict[str, Any]) -> Done:
            if user_id == by.user_id:
                raise AdminRefused("自分自身を有効・無効にはできません", "nobody can activate or deactivate themselves")
            if bool(target["active"]) == active:
                raise AdminRefused("状態は変わっていません", "nothing to change")
            conn.execute(update(table_of(User)).where(table_of(User).c.user_id == user_id).values(active=active))
            revoked, revoked_tokens = ([], []) if active else self._cut_off(conn, user_id)
            self._audit(conn, by, action, user_id, session_ref, revoked_sessions=revoked, revoked_tokens=revoked_tokens)
            if active:
                return Done(f"{user_id}を有効にしました", f"{user_id} is active")
            return Done(f"{user_id}を無効にし、セッション{len(revoked)}件とトークン{len(revoked_tokens)}件を終了しました",
                        f"{user_id} is deactivated; {len(revoked)} session(s) and {len(revoked_tokens)} token(s) ended")  # fmt: skip

        return self._run(by, action, user_id, session_ref, change)

    def reset_password(self, by: Actor, user_id: str, session_ref: str) -> Done:
        """A generated one-time password (to be changed at first login); every session ends."""
        self._check(by, "password_set", user_id, session_ref)
        secret = self.accounts.set_password(user_id, None, by=by.user_id, channel="web")
        return Done(f"{user_id}の一時パスワードを発行しました。この画面でのみ表示します",
                    f"a one-time password for {user_id} was issued; it is shown only here", secret)  # fmt: skip

    def revoke_sessions(self, by: Actor, user_id: str, session_ref: str) -> Done:
        self._check(by, "sessions_revoked", user_id, session_ref)
        n = self.accounts.revoke_sessions(user_id, by=by.user_id, channel="web")
        return Done(f"{user_id}のセッション{n}件を終了しました", f"{n} session(s) of {user_id} ended")

    def require_admin(self, by: Actor, action: str, session_ref: str) -> None:
        """Refuse (and audit) anyone but a user_admin, e.g. a look at the users page."""
        if not can_administer_users(by):
            with self.engine.begin() as conn:
                self._audit(conn, by, f"refused:{action}", "*", session_ref, reason="only a user_admin may manage users")
            raise AdminRefused("利用者管理の権限（user_admin）がありません", "only a user_admin may manage users")

    def revoke_tokens(self, by: Actor, user_id: str, session_ref: str) -> Done:
        """End every personal API token of a user (利用者管理's button beside 'end sessions')."""
        caller = Caller(by.user_id, "web", by, extra={"session": session_ref})
        self._check(by, "tokens_revoked", user_id, session_ref)
        n = len(tokens.Tokens(self.engine, self.accounts.clock).revoke(caller, user_id=user_id))
        return Done(f"{user_id}のトークン{n}件を失効させました", f"{n} token(s) of {user_id} revoked")

    def load_upload(self, by: Actor, path: Path, session_ref: str) -> tuple[int, list[tuple[int, list[Any]]], list[str]]:
        """利用者管理's upload: exactly :meth:`load_file` (the rules and audit of ``riskmon users
        load``), in the name of the logged-in user_admin, with channel ``web`` and the session in
        every audit entry. ``path`` is the upload saved under its own file name, which messages show."""
        return self.load_file(Caller(by.user_id, "web", by, extra={"session": session_ref}), path, shown=path.name)

    def load_file(self, caller: Caller, path: Path, *, shown: str | None = None) -> tuple[int, list[tuple[int, list[Any]]], list[str]]:
        """``riskmon users load``, as an audited 利用者管理 action in one transaction: only a
        user_admin's token may load (or the operator's shell while the master has no active
        user_admin yet — the bootstrap); nobody changes their own role or active flag; a file with
        any bad line stores nothing (its refusal is audited); each role change, activation and
        deactivation is audited as if made on the page, and a deactivated user loses their
        sessions and tokens. Returns stored, refused lines, and what changed.
        ``shown`` names the file in a whole-file refusal (see :func:`load_users`)."""
        t = table_of(User)
        now = self.accounts.clock()
        try:
            with self.engine.begin() as conn:
                before = {r["user_id"]: dict(r) for r in conn.execute(select(t)).mappings()}
                if caller.actor is None:
                    if any(u["active"] and u["role"] == USER_ADMIN for u in before.values()):
                        raise AdminRefused("利用者マスタの読込にはuser_adminの個人用APIトークンが必要です（RISKMON_TOKEN）",
                                           "loading the users master needs a user_admin's personal API token (RISKMON_TOKEN)")  # fmt: skip
                elif not can_administer_users(caller.actor):
                    raise AdminRefused("利用者管理の権限（user_admin）がありません", "only a user_admin may manage users")
                stored, bad = load_users(conn, path, shown=shown)
                if bad:  # nothing was stored: the refusal is audited, with the lines the loader must fix
                    audit.append(conn, caller.name, "refused:users_loaded", f"file:{path.name}"[:400],
                                 {**caller.via, "reason": f"{len(bad)} line(s) refused; no user loaded",
                                  "rejected_lines": [n for n, _ in bad]}, now)  # fmt: skip
                    return 0, bad, []
                after = {r["user_id"]: dict(r) for r in conn.execute(select(t)).mappings()}
                changes = self._load_changes(conn, caller, before, after)
                audit.append(conn, caller.name, "users_loaded", f"file:{path.name}"[:400],
                             {**caller.via, "stored": stored, "rejected_lines": [n for n, _ in bad],
                              "bootstrap": caller.actor is None}, now)  # fmt: skip
                return stored, bad, changes
        except AdminRefused as refusal:
            with self.engine.begin() as conn:
                audit.append(conn, caller.name, "refused:users_loaded", f"file:{path.name}"[:400],
                             {**caller.via, "reason": refusal.en}, now)  # fmt: skip
            raise

    def _load_changes(self, conn: Connection, caller: Caller, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        """Audit what a load changed, refusing a change of the loader's own account."""
        changes: list[str] = []
        for user_id, now_row in sorted(after.items()):
            was = before.get(user_id)
            moved = [k for k in ("role", "active") if was is not None and was[k] != now_row[k]]
            if caller.actor is not None and user_id == caller.actor.user_id and moved:
                raise AdminRefused("自分自身の役割・有効状態は変更できません（利用者ファイルの該当行を元に戻してください）",
                                   "nobody can change their own role or active flag (restore your line in the users file)")  # fmt: skip
            payload: dict[str, Any] = {**caller.via}
            if was is None:
                action = "user_created"
                payload["role"] = now_row["role"]
            elif "role" in moved:
                action = "role_change"
                payload.update(before=was["role"], after=now_row["role"])
            elif "active" in moved:
                action = "user_activated" if now_row["active"] else "user_deactivated"
            else:
                continue
            if was is not None and (not now_row["active"] or "role" in moved):  # a new role applies from a fresh login
                revoked, revoked_tokens = self._cut_off(conn, user_id, tokens_too=not now_row["active"])
                payload.update(revoked_sessions=revoked, revoked_tokens=revoked_tokens)
            if "active" in moved and action == "role_change":
                payload["active"] = bool(now_row["active"])
            audit.append(conn, caller.name, action, f"user:{user_id}", payload, self.accounts.clock())
            changes.append(f"{action}:{user_id}")
        return changes

    def _cut_off(self, conn: Connection, user_id: str, *, tokens_too: bool = True) -> tuple[list[str], list[str]]:
        """End a user's sessions (and tokens): a deactivated user keeps no way in."""
        now = self.accounts.clock()
        return revoke_all(conn, user_id, now), tokens.revoke_all(conn, user_id, now) if tokens_too else []

    # -- machinery ------------------------------------------------------------------------------
    def _check(self, by: Actor, action: str, user_id: str, session_ref: str) -> None:
        """Permission and existence, with the refusal audited."""
        self._run(by, action, user_id, session_ref, lambda conn, target: Done("", ""))

    def _run(self, by: Actor, action: str, user_id: str, session_ref: str, change: Any) -> Done:
        try:
            with self.engine.begin() as conn:
                if not can_administer_users(by):
                    raise AdminRefused("利用者管理の権限（user_admin）がありません", "only a user_admin may manage users")
                row = conn.execute(select(table_of(User)).where(table_of(User).c.user_id == user_id)).mappings().first()
                if row is None:
                    raise AdminRefused(f"利用者「{user_id}」は登録されていません", f"unknown user '{user_id}'")
                done: Done = change(conn, dict(row))
                return done
        except AdminRefused as refusal:
            with self.engine.begin() as conn:
                self._audit(conn, by, f"refused:{action}", user_id, session_ref, reason=refusal.en)
            raise

    def _audit(self, conn: Connection, by: Actor, action: str, user_id: str, session_ref: str, **payload: Any) -> None:
        audit.append(conn, by.user_id, action, f"user:{user_id}"[:400], {"channel": "web", "session": session_ref, **payload},
                     self.accounts.clock())  # fmt: skip
