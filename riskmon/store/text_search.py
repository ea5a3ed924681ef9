"""Free-text search over flags (the フラグ一覧's ``q``): a substring match served by an index.

What the search means is fixed by its first version and stays so: a flag matches when one of its
searched columns (:data:`SEARCHED`, and its id as text), lower-cased, contains the query
lower-cased, with ``%``, ``_`` and ``\\`` taken literally — one SQL ``LIKE`` per column
(:func:`like_clause`). Scanned that way, every search reads seven text columns of every flag
(tens of thousands at 1M events): a word of Japanese has no spaces to split on, so only an index
of character trigrams can serve a substring of it.

- **PostgreSQL**: a ``pg_trgm`` GIN index on ``lower(column)`` for each searched column
  (migration 0014_text_search). The query is :func:`like_clause` unchanged; the planner answers
  each ``LIKE '%…%'`` from its index (a bitmap OR over the columns) once the pattern has a
  trigram, and scans when it has none (queries of one or two characters) — same results.
- **SQLite**: an FTS5 table with the ``trigram`` tokenizer (:data:`FTS_TABLE`; SQLite ≥ 3.34 built
  with FTS5), kept in sync with ``flags`` by triggers, so every writer (the evaluator, the review
  service, a migration) keeps it current without knowing it exists. A query of at least three
  characters first asks the FTS table for candidates (a phrase match: the query as a substring,
  case folded), then applies :func:`like_clause` to them, so the answer is exactly the LIKE
  answer: the trigram match only narrows what LIKE has to look at (it finds every flag LIKE
  finds: FTS5 folds case character by character, wider than SQLite's ASCII-only ``lower()``).
  Shorter queries, and a SQLite without FTS5 trigrams (the migration then skips the table), use
  :func:`like_clause` alone.

The FTS table, its shadow tables, its triggers and the trigram indexes are not in the SQLModel
metadata (SQLAlchemy cannot describe a virtual table or an operator class):
:func:`include_object` keeps Alembic's comparison from reporting them. A later SQLite migration
that rebuilds ``flags`` (Alembic's batch mode) drops the triggers with the old table and must
call :func:`sqlite_create_triggers` again.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, String, and_, cast, column, func, literal_column, or_, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from riskmon.store.tables import Flag, table_of

#: the flag columns the free text searches, besides the id
SEARCHED = ("title_ja", "title_en", "message_ja", "message_en", "subject", "rule_id")
FTS_TABLE = "flags_fts"
#: a trigram index needs at least this many characters of query
MIN_INDEXED = 3
#: PostgreSQL's trigram index per searched column; "id" is ``lower(CAST(id AS VARCHAR))``
TRGM_INDEXES = {name: f"ix_flags_trgm_{name}" for name in (*SEARCHED, "id")}
_FTS_COLUMNS = (*SEARCHED, "id_text")
_TRIGGERS = ("flags_fts_insert", "flags_fts_update", "flags_fts_delete")


def like_pattern(q: str) -> str:
    """The ``LIKE`` pattern of a query: lower-cased, ``\\``, ``%`` and ``_`` escaped with ``\\``."""
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def like_clause(q: str) -> ColumnElement[bool]:
    """The free-text condition as it has always been: a substring of a searched column or the id."""
    f = table_of(Flag)
    like = like_pattern(q)
    cols = [*(f.c[name] for name in SEARCHED), cast(f.c.id, String)]
    return or_(*(func.lower(c).like(like, escape="\\") for c in cols))


def text_clause(conn: Connection, q: str) -> ColumnElement[bool]:
    """The free-text condition for ``conn``'s store: :func:`like_clause`'s answer, from an index
    when there is one that can serve ``q`` (see the module's doc)."""
    if conn.dialect.name != "sqlite" or len(q.lower()) < MIN_INDEXED or not has_fts(conn):
        return like_clause(q)
    fts = table(FTS_TABLE, column("rowid"))
    phrase = '"' + q.lower().replace('"', '""') + '"'
    candidates = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(phrase))
    return and_(table_of(Flag).c.id.in_(candidates), like_clause(q))


def has_fts(conn: Connection) -> bool:
    """Whether this SQLite store has the trigram table (the migration skips it on a SQLite without
    FTS5 trigrams) and the triggers that keep it current."""
    names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE name = :t OR (type = 'trigger' AND tbl_name = 'flags')"),
                                        {"t": FTS_TABLE})}  # fmt: skip
    return FTS_TABLE in names and set(_TRIGGERS) <= names


def sqlite_trigram_supported() -> bool:
    """Whether the SQLite library Python uses has FTS5 with the trigram tokenizer (3.34+)."""
    try:
        with sqlite3.connect(":memory:") as probe:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(a, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    return True


def _fts_values(row: str) -> str:
    return ", ".join([*(f"{row}.{c}" for c in SEARCHED), f"CAST({row}.id AS TEXT)"])


def sqlite_create_triggers(conn: Connection) -> None:
    """The triggers that keep :data:`FTS_TABLE` equal to ``flags`` (on every insert, delete and
    change of a searched column)."""
    cols = ", ".join(_FTS_COLUMNS)
    insert = f"INSERT INTO {FTS_TABLE} (rowid, {cols}) VALUES (new.id, {_fts_values('new')});"
    delete = f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"
    conn.execute(text(f"CREATE TRIGGER flags_fts_insert AFTER INSERT ON flags BEGIN {insert} END"))
    conn.execute(text(f"CREATE TRIGGER flags_fts_delete AFTER DELETE ON flags BEGIN {delete} END"))
    # the evaluator sets the texts of every flag it updates, most of them unchanged: only a real
    # change rewrites the flag's trigrams
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *SEARCHED))
    conn.execute(text(f"CREATE TRIGGER flags_fts_update AFTER UPDATE OF id, {', '.join(SEARCHED)} ON flags "
                      f"WHEN {changed} BEGIN {delete} {insert} END"))  # fmt: skip


def sqlite_create(conn: Connection) -> bool:
    """Make :data:`FTS_TABLE` from the flags already stored, and its triggers; False (and nothing
    made) when this SQLite has no FTS5 trigram tokenizer."""
    if not sqlite_trigram_supported():
        return False
    cols = ", ".join(_FTS_COLUMNS)
    conn.execute(text(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, tokenize='trigram case_sensitive 0')"))
    conn.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, {cols}) SELECT id, {_fts_values('flags')} FROM flags"))
    sqlite_create_triggers(conn)
    return True


def sqlite_drop(conn: Connection) -> None:
    for trigger in _TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def postgresql_create(conn: Connection) -> None:
    """``pg_trgm`` (in ``public`` when it is new: an extension made in a schema that is later
    dropped would take every index using it along) and a trigram index per searched column."""
    schema = conn.execute(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                               "WHERE e.extname = 'pg_trgm'")).scalar()  # fmt: skip
    if schema is None:
        public = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first() is not None
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if public else "")))
        schema = conn.execute(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                   "WHERE e.extname = 'pg_trgm'")).scalar_one()  # fmt: skip
    for name, index in TRGM_INDEXES.items():
        expr = "CAST(id AS VARCHAR)" if name == "id" else name
        conn.execute(text(f'CREATE INDEX {index} ON flags USING gin (lower({expr}) "{schema}".gin_trgm_ops)'))


def postgresql_drop(conn: Connection) -> None:
    for index in TRGM_INDEXES.values():
        conn.execute(text(f"DROP INDEX IF EXISTS {index}"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparison: the search objects exist in the store on purpose, not in the models."""
    if type_ == "table" and name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name in TRGM_INDEXES.values())
