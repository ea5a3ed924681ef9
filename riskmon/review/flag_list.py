"""フラグ一覧: the filters read from the query string, validated, and turned into one SQL query.

Why SQL all the way: a store evaluated over a million events holds tens of thousands of flags;
the page asks for ``COUNT(*)`` and one ``LIMIT/OFFSET`` page, the export streams the filtered
rows, and nothing ever loads every flag into Python. Visibility is the policy's
(:func:`riskmon.review.permissions.visible_clause`), applied before any filter, so a first-line
user's total counts only their own units' flags.

An unknown filter value is an error the page shows, never an empty list: a typo in a bookmarked
URL must not look like "no flags".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, case, func, or_, select

from riskmon.domain import CLOSED_STATES, OPEN_STATES, Line, ReviewStatus, RiskCategory, Severity
from riskmon.review.permissions import visible_clause
from riskmon.review.users import Actor
from riskmon.rules.words import did_you_mean, hint
from riskmon.store.tables import Flag, Unit, table_of
from riskmon.store.text_search import text_clause

PAGE_SIZES = (25, 50, 100)
SORTS = ("severity", "first_seen", "due_at", "id", "owner_unit", "review_status")
#: the case states a filter may name, plus two groups
STATUS_GROUPS: dict[str, tuple[str, ...]] = {"active": tuple(OPEN_STATES), "closed": tuple(CLOSED_STATES)}
FIELDS = ("severity", "status", "line", "unit", "region", "rule", "category", "since", "until", "q", "sort", "dir", "page", "per")


@dataclass
class FlagQuery:
    severity: str = ""
    status: str = "active"
    line: str = ""
    unit: str = ""
    region: str = ""
    rule: str = ""
    category: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    sort: str = "severity"
    dir: str = "desc"
    page: int = 1
    per: int = 50
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (field, ja, en)

    def params(self, **override: Any) -> dict[str, str]:
        """The query string of this filter (for links to other pages, sorts and the export)."""
        values = {k: getattr(self, k) for k in FIELDS} | override
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items() if v not in ("", None)}


def parse(args: Mapping[str, str], conn: Connection) -> FlagQuery:
    """Read and validate the filters; every problem names its field, in both languages."""
    fq = FlagQuery()
    bad = fq.problems

    def refuse(name: str, value: str, allowed: list[str] | tuple[str, ...], near: str | None = None) -> None:
        shown = ", ".join(allowed[:12]) + (" …" if len(allowed) > 12 else "")
        ja, en = hint(near)
        bad.append((name, f"「{value}」は使えない値です{ja}（使える値：{shown}）", f"'{value}' is not a known value{en} (known: {shown})"))

    def choice(name: str, allowed: list[str] | tuple[str, ...]) -> str:
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            refuse(name, value, allowed)
            return ""
        return value

    def stored(name: str, column: Any, *where: Any) -> str:
        """A value that must exist in ``column``: one keyed lookup; the known values are read
        only to name them in the error, with the nearest one (a store has thousands of units)."""
        value = (args.get(name) or "").strip()
        if value and conn.execute(select(column).where(column == value, *where).limit(1)).first() is None:
            known = [r[0] for r in conn.execute(select(column).where(*where).distinct().order_by(column))]
            refuse(name, value, known, did_you_mean(value, known))
            return ""
        return value

    fq.severity = choice("severity", [s.value for s in Severity])
    fq.status = choice("status", [*STATUS_GROUPS, "all", *(s.value for s in ReviewStatus)]) or ("active" if "status" not in args else "")
    fq.line = choice("line", [s.value for s in Line])
    fq.category = choice("category", [s.value for s in RiskCategory])
    u, f = table_of(Unit), table_of(Flag)
    fq.unit = stored("unit", u.c.unit_id)
    fq.region = stored("region", u.c.unit_id, u.c.unit_type == "regional_division")
    fq.rule = stored("rule", f.c.rule_id)
    fq.sort = choice("sort", SORTS) or "severity"
    fq.dir = choice("dir", ("asc", "desc")) or ("desc" if fq.sort == "severity" else "asc")
    fq.since, fq.until = _day(args, "since", bad), _day(args, "until", bad)
    if fq.since and fq.until and fq.since > fq.until:
        bad.append(("until", "期間の終わりが始まりより前です", "the period ends before it starts"))
    fq.q = (args.get("q") or "").strip()[:200]
    fq.page = _number(args, "page", 1, bad)
    fq.per = _number(args, "per", 50, bad)
    if fq.per not in PAGE_SIZES:
        bad.append(("per", f"表示件数は次のいずれかです：{', '.join(map(str, PAGE_SIZES))}",
                    f"rows per page must be one of {', '.join(map(str, PAGE_SIZES))}"))  # fmt: skip
        fq.per = 50
    return fq


def _day(args: Mapping[str, str], name: str, bad: list[tuple[str, str, str]]) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        bad.append((name, f"「{value}」は日付（YYYY-MM-DD）ではありません", f"'{value}' is not a date (YYYY-MM-DD)"))
        return None


def _number(args: Mapping[str, str], name: str, default: int, bad: list[tuple[str, str, str]]) -> int:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        bad.append((name, f"「{value}」は1以上の整数ではありません", f"'{value}' is not a whole number of at least 1"))
        return default
    return int(value)


def _query(actor: Actor, fq: FlagQuery, conn: Connection, tz: ZoneInfo) -> Select[Any]:
    f, u = table_of(Flag), table_of(Unit)
    q = select(f).where(visible_clause(actor))
    if fq.severity:
        q = q.where(f.c.severity == fq.severity)
    if fq.status in STATUS_GROUPS:
        q = q.where(f.c.review_status.in_(STATUS_GROUPS[fq.status]))
    elif fq.status and fq.status != "all":
        q = q.where(f.c.review_status == fq.status)
    if fq.line:
        q = q.where(f.c.owner_line == fq.line)
    if fq.unit:
        q = q.where(f.c.owner_unit == fq.unit)
    if fq.region:
        offices = select(u.c.unit_id).where(u.c.parent_unit_id == fq.region)
        q = q.where(or_(f.c.owner_unit == fq.region, f.c.owner_unit.in_(offices)))
    if fq.rule:
        q = q.where(f.c.rule_id == fq.rule)
    if fq.category:
        q = q.where(f.c.risk_category == fq.category)
    if fq.since:
        q = q.where(f.c.first_seen >= datetime.combine(fq.since, time(0), tzinfo=tz))
    if fq.until:
        q = q.where(f.c.first_seen < datetime.combine(fq.until + timedelta(days=1), time(0), tzinfo=tz))
    if fq.q:
        q = q.where(text_clause(conn, fq.q))  # a substring, from a trigram index where one serves
    return q


def _ordered(q: Select[Any], fq: FlagQuery) -> Select[Any]:
    f = table_of(Flag)
    rank = case({s.value: s.rank for s in Severity}, value=f.c.severity, else_=-1)
    key = {"severity": rank, "first_seen": f.c.first_seen, "due_at": f.c.due_at, "id": f.c.id, "owner_unit": f.c.owner_unit,
           "review_status": f.c.review_status}[fq.sort]  # fmt: skip
    first = key.desc() if fq.dir == "desc" else key.asc()
    # ties: oldest first, then the id, so a page never shifts between two requests
    return q.order_by(first.nulls_last(), f.c.first_seen.asc(), f.c.id.asc())


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def page_of(conn: Connection, actor: Actor, fq: FlagQuery, tz: ZoneInfo) -> Page:
    """One page and the total, both counted in SQL."""
    q = _query(actor, fq, conn, tz)
    total = int(conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
    pages = max(1, -(-total // fq.per))
    page = min(fq.page, pages)
    rows = [dict(r) for r in conn.execute(_ordered(q, fq).limit(fq.per).offset((page - 1) * fq.per)).mappings()]
    return Page(rows, total, page, pages)


def stream(conn: Connection, actor: Actor, fq: FlagQuery, tz: ZoneInfo, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every filtered flag for an export, fetched in chunks rather than all at once."""
    result = conn.execution_options(stream_results=True, yield_per=chunk).execute(_ordered(_query(actor, fq, conn, tz), fq))
    for row in result.mappings():
        yield dict(row)
