"""Users and what their unit makes them: first, second or third line (S4:41)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.domain import Line
from riskmon.errors import IngestError, NotFound
from riskmon.events.models import Id, Text
from riskmon.events.reasons import Reason, translate, unknown_unit
from riskmon.ingest.readers import SourceFile
from riskmon.store.tables import Unit, User, table_of


class UserRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    user_id: Id
    name: Id
    unit_id: Id
    role: str = "member"
    email: Text | None = None
    active: bool = True
    person_id: Id | None = None  # links two accounts of one person (four eyes never counts them twice)


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


class UnknownUser(NotFound):
    def __init__(self, text: str) -> None:  # raised as "english / 日本語"
        en, _, ja = text.partition(" / ")
        super().__init__(ja or en, en)


def load_users(conn: Connection, path: Path, *, shown: str | None = None) -> tuple[int, list[tuple[int, list[Reason]]]]:
    """Validate and upsert the users file; returns how many were stored and the refused lines.
    ``shown`` is what a message calls the file when ``path`` means nothing to the reader (the web
    upload's own name rather than the server's temporary copy)."""
    units = {r[0] for r in conn.execute(select(table_of(Unit).c.unit_id))}
    good: list[dict[str, Any]] = []
    bad: list[tuple[int, list[Reason]]] = []
    source = SourceFile(path)
    for record in source:
        try:
            user = UserRecord.model_validate(record.data if record.data is not None else {})
        except ValidationError as exc:
            bad.append((record.line, translate(exc)))
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
    row = conn.execute(select(u, units.c.line).join(units, units.c.unit_id == u.c.unit_id).where(u.c.user_id == user_id)).mappings().first()
    if row is None or (active_only and not row["active"]):
        raise UnknownUser(f"unknown or inactive user '{user_id}' / 利用者 '{user_id}' は登録されていません")
    children = {r[0] for r in conn.execute(select(units.c.unit_id).where(units.c.parent_unit_id == row["unit_id"]))}
    return Actor(row["user_id"], row["name"], row["unit_id"], Line(row["line"]), row["role"], frozenset({row["unit_id"], *children}),
                 row["person_id"])  # fmt: skip
