"""Users and what their unit makes them: first, second or third line (S4:41).

The users master is loaded whole or not at all: one bad line — an unknown unit, an unknown role
(a typo such as ``risk_oficer`` must not quietly become a role nothing grants), or a user id that
is not a plain identifier (``=cmd|x`` would be a formula in every export and audit extract that
names the user) — and no line is stored, so the master never holds half of what its editor meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.domain import Line
from riskmon.errors import IngestError, NotFound
from riskmon.events.fields import Id, Text
from riskmon.events.reasons import Reason, did_you_mean, translate, unknown_unit
from riskmon.i18n import phrase
from riskmon.ingest.readers import SourceFile
from riskmon.store.tables import Unit, User, table_of

#: the role that manages accounts (利用者管理)
USER_ADMIN = "user_admin"
#: every role the users master may give; what a role allows is riskmon.review.permissions' decision
ROLES = ("member", "site_manager", "regional_manager", "risk_officer", "auditor", "executive", USER_ADMIN)
#: the longest user id (the ``users.user_id`` column)
MAX_USER_ID = 64
#: a user id: ASCII letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit — so
#: never ``=``, ``+``, ``-`` or ``@``, which a spreadsheet would read as the start of a formula
USER_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_USER_ID - 1}}}", re.ASCII)


def user_id_problem(value: str) -> Reason | None:
    """Why ``value`` (stripped, as the master stores it) cannot be a user id, or None."""
    if USER_ID.fullmatch(value.strip()):
        return None
    ja, en = (phrase("review", "users_bad_id", lang).format(value=_shown(value), max=MAX_USER_ID) for lang in ("ja", "en"))
    return Reason("user_id", "bad_user_id", ja, en)


def role_problem(value: str) -> Reason | None:
    """Why ``value`` is not a role of :data:`ROLES` (with the closest one, if any), or None."""
    if value.strip() in ROLES:
        return None
    guess = did_you_mean(value.strip(), ROLES)
    words = []
    for lang in ("ja", "en"):
        hint = phrase("review", "users_did_you_mean", lang).format(guess=guess) if guess else ""
        words.append(phrase("review", "users_unknown_role", lang).format(value=_shown(value), hint=hint, roles=", ".join(ROLES)))
    return Reason("role", "unknown_role", words[0], words[1])


def _shown(value: str) -> str:
    """A bad value as a message shows it: stripped, control characters escaped, at most 40 characters."""
    text = value.strip()
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 40 else text[:37] + "..."


def _read_line(data: dict[str, Any]) -> tuple[UserRecord | None, list[Reason]]:
    """One line of the users file as a record, or every problem it has (the user id and role
    checks, and the schema's, in column order)."""
    user_id, role = data.get("user_id"), data.get("role")
    found = (user_id_problem(user_id) if isinstance(user_id, str) else None, role_problem(role) if isinstance(role, str) else None)
    own = [r for r in found if r is not None]
    try:
        user, schema = UserRecord.model_validate(data), []
    except ValidationError as exc:
        user, schema = None, [r for r in translate(exc) if r.field not in {o.field for o in own}]
    problems = sorted(own + schema, key=lambda r: _FIELD_ORDER.get(r.field, len(_FIELD_ORDER)))
    return (None if problems else user), problems


class UserRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    user_id: Id
    name: Id
    unit_id: Id
    role: str = "member"
    email: Text | None = None
    active: bool = True
    person_id: Id | None = None  # links two accounts of one person (four eyes never counts them twice)


_FIELD_ORDER = {name: i for i, name in enumerate(UserRecord.model_fields)}


@dataclass(frozen=True)
class Actor:
    """The person acting, with the facts every permission check needs."""

    user_id: str
    name: str
    unit_id: str
    line: Line
    role: str
    units_overseen: frozenset[str]  # their unit and the units whose parent it is (a 地域部's offices)
    person_id: str | None = None  # the person behind the account, when the users master links accounts
    unit_type: str | None = None  # what the unit is (risk_management_department, executive, …): whose domain powers it holds


class UnknownUser(NotFound):
    def __init__(self, text: str) -> None:  # raised as "english / 日本語"
        en, _, ja = text.partition(" / ")
        super().__init__(ja or en, en)


def load_users(conn: Connection, path: Path, *, shown: str | None = None) -> tuple[int, list[tuple[int, list[Reason]]]]:
    """Validate the users file and, when every line is good, upsert it; returns how many were
    stored (0 when any line is refused) and the refused lines with their reasons. ``shown`` is
    what a message calls the file when ``path`` means nothing to the reader (the web upload's own
    name rather than the server's temporary copy)."""
    units = {r[0] for r in conn.execute(select(table_of(Unit).c.unit_id))}
    good: list[dict[str, Any]] = []
    bad: list[tuple[int, list[Reason]]] = []
    source = SourceFile(path)
    for record in source:
        user, problems = _read_line(record.data if record.data is not None else {})
        if user is None:
            bad.append((record.line, problems))
            continue
        if user.unit_id not in units:
            bad.append((record.line, [unknown_unit("unit_id", user.unit_id, units)]))
            continue
        good.append(user.model_dump())
    if source.failure is not None:  # the master is loaded whole or not at all
        ja, en = (source.failure.describe(lang).split("。" if lang == "ja" else ". ")[0] for lang in ("ja", "en"))
        raise IngestError(
            f"{shown or path}: {ja}。利用者は1名も登録していません。ファイルを直して再度読み込んでください",
            f"{shown or path}: {en}. No user was loaded; fix the file and load it again",
        )
    if bad:  # the master is loaded whole or not at all
        return 0, bad
    if good:
        t = table_of(User)
        ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t)
        conn.execute(
            ins.on_conflict_do_update(index_elements=["user_id"], set_={c: ins.excluded[c] for c in good[0] if c != "user_id"}), good
        )
    return len(good), bad


def actor(conn: Connection, user_id: str | None, *, active_only: bool = True) -> Actor:
    """The user as policy sees them. ``active_only=False`` finds a deactivated account too: who
    proposed a closure stays a fact after their account is switched off."""
    if not user_id:
        raise UnknownUser("no user given: use --user or RISKMON_USER / 利用者を --user か RISKMON_USER で指定してください")
    u, units = table_of(User), table_of(Unit)
    q = select(u, units.c.line, units.c.unit_type).join(units, units.c.unit_id == u.c.unit_id).where(u.c.user_id == user_id)
    row = conn.execute(q).mappings().first()
    if row is None or (active_only and not row["active"]):
        raise UnknownUser(f"unknown or inactive user '{user_id}' / 利用者 '{user_id}' は登録されていません")
    children = {r[0] for r in conn.execute(select(units.c.unit_id).where(units.c.parent_unit_id == row["unit_id"]))}
    return Actor(row["user_id"], row["name"], row["unit_id"], Line(row["line"]), row["role"], frozenset({row["unit_id"], *children}),
                 row["person_id"], row["unit_type"])  # fmt: skip
