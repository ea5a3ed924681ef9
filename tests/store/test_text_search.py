"""The flag list's free text, served by an index (riskmon.store.text_search), finds exactly what
the plain ``LIKE`` scan finds — on SQLite (FTS5 trigram table) and PostgreSQL (pg_trgm) — for
queries long enough to use the index and for the one- and two-character ones that cannot.

The store: flags raised by the shipped rule R01, copied into a corpus whose titles, messages and
subjects are drawn from a small alphabet of Japanese, ASCII of both cases, an accented letter
(SQLite's ``lower()`` folds only ASCII, FTS5 folds more), and the characters ``LIKE`` and FTS5
treat specially (``%``, ``_``, ``\\``, ``"``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, select, text, update

from riskmon.store import text_search
from riskmon.store.tables import Flag, table_of
from riskmon.store.text_search import like_clause, text_clause
from tests.helpers import error_report, raise_flags

ALPHABET = '未提出報告書遅延のアイ%_\\" aAbBcCéÉ1'
FIXED = {  # title_ja of the hand-picked flags the exact cases below look for
    "percent": "達成率100%の報告",
    "underscore": "file_name 未提出",
    "backslash": "C:\\temp の報告書",
    "upper": "ABC 報告書",
    "quote": 'say "未提出"',
}


@pytest.fixture
def corpus(engine: Engine, units_file: Path, tmp_path: Path) -> dict[str, int]:
    """Five hand-picked flags and 80 random ones; name (or "r<n>") -> id."""
    raise_flags(engine, units_file, tmp_path, [error_report("E0", "C0")], ["R01"])
    f = table_of(Flag)
    rng = random.Random(11)

    def words(n: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, n)))

    with engine.begin() as conn:
        base = dict(conn.execute(select(f)).mappings().one())
        conn.execute(delete(f))
        rows = [
            {**base, "key": f"T:{name}", "title_ja": title, "title_en": "", "message_ja": "", "message_en": "", "subject": name}
            for name, title in FIXED.items()
        ]
        rows += [{**base, "key": f"T:r{n}", "title_ja": words(12), "title_en": words(12), "message_ja": words(30),
                  "message_en": words(30), "subject": words(8), "rule_id": "R01"} for n in range(80)]  # fmt: skip
        for row in rows:
            del row["id"]
            conn.execute(f.insert().values(**row))
        return {r.key.removeprefix("T:"): r.id for r in conn.execute(select(f.c.key, f.c.id))}


def _ids(conn: Connection, clause: object) -> list[int]:
    f = table_of(Flag)
    return [r[0] for r in conn.execute(select(f.c.id).where(clause).order_by(f.c.id))]  # type: ignore[arg-type]


def _both(engine: Engine, q: str) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        return _ids(conn, text_clause(conn, q)), _ids(conn, like_clause(q))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_indexed_search_finds_exactly_what_like_finds(engine: Engine, corpus: dict[str, int], data: st.DataObject) -> None:
    with engine.connect() as conn:
        texts = [r[0] + r[1] for r in conn.execute(select(table_of(Flag).c.title_ja, table_of(Flag).c.message_ja))]
    source = data.draw(st.sampled_from(texts))
    start = data.draw(st.integers(0, max(0, len(source) - 1)))
    q = data.draw(st.one_of(st.just(source[start : start + data.draw(st.integers(1, 6))]), st.text(ALPHABET, min_size=1, max_size=6)))
    indexed, scanned = _both(engine, q)
    assert indexed == scanned, q


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", ["percent"]),  # a literal %, not "anything"
        ("0%の", ["percent"]),
        ("_", ["underscore"]),  # a literal _, not "any one character"
        ("e_n", ["underscore"]),
        ("\\", ["backslash"]),
        ("c:\\t", ["backslash"]),
        ("abc", ["upper"]),  # case is ignored
        ('"未提', ["quote"]),  # FTS5's quote is an ordinary character to the search
        ("未提出", ["quote", "underscore"]),  # three characters: the index serves it
        ("未提", ["quote", "underscore"]),  # two: a scan
        ("報", ["backslash", "percent", "upper"]),  # one: a scan
    ],
)
def test_special_characters_and_short_queries(engine: Engine, corpus: dict[str, int], q: str, expected: list[str]) -> None:
    fixed = {corpus[name]: name for name in FIXED}
    indexed, scanned = _both(engine, q)
    assert indexed == scanned
    assert sorted(fixed[i] for i in indexed if i in fixed) == expected


def test_the_index_follows_every_change_of_a_flag(engine: Engine, corpus: dict[str, int]) -> None:
    f = table_of(Flag)
    with engine.begin() as conn:
        conn.execute(update(f).where(f.c.id == corpus["upper"]).values(title_ja="XYZ 改訂済み"))
        conn.execute(delete(f).where(f.c.id == corpus["percent"]))
    assert _both(engine, "abc 報告") == ([], [])
    assert _both(engine, "xyz 改訂") == ([corpus["upper"]], [corpus["upper"]])
    assert _both(engine, "100%") == ([], [])
    assert _both(engine, str(corpus["quote"])) == _both(engine, str(corpus["quote"]))  # the id as text


def test_a_long_query_uses_the_index(engine: Engine, corpus: dict[str, int]) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert text_search.sqlite_trigram_supported() and text_search.has_fts(conn)
            sql = _compiled(conn, text_clause(conn, "未提出"))
            plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "VIRTUAL TABLE INDEX" in plan and "flags_fts" in plan, plan
            assert "flags_fts" not in _compiled(conn, text_clause(conn, "未提"))  # two characters: no index can serve
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show what it can use
            sql = _compiled(conn, text_clause(conn, "未提出"))
            plan = " ".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")))
            assert all(index in plan for index in text_search.TRGM_INDEXES.values()), plan


def _compiled(conn: Connection, clause: object) -> str:
    """The statement with its values written in, as the planner of a custom plan sees it."""
    f = table_of(Flag)
    return str(select(f.c.id).where(clause).compile(conn, compile_kwargs={"literal_binds": True}))  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the FTS5 table is SQLite's: run there only, never skipped
def test_without_the_trigram_table_the_search_still_answers(engine: Engine, corpus: dict[str, int]) -> None:
    """A SQLite without FTS5 trigrams gets no table from the migration; the search scans."""
    with engine.connect() as conn:
        before = _ids(conn, text_clause(conn, "未提出"))
    with engine.begin() as conn:
        text_search.sqlite_drop(conn)
    with engine.connect() as conn:
        assert not text_search.has_fts(conn)
        assert "flags_fts" not in str(select(table_of(Flag).c.id).where(text_clause(conn, "未提出")))
        assert _ids(conn, text_clause(conn, "未提出")) == before
    assert {corpus["quote"], corpus["underscore"]} <= set(before)
