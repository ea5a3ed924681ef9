"""The job catalogue: what each named job does, as a function of (the riskmon, an as-of time).

The scheduler, ``riskmon jobs run NAME --as-of …`` and an embedding script (``rm.jobs.run``) all
run the same function, so a job run by hand for a past date gives the scheduled run's result. Each
job is a few calls on the composition root (riskmon.jobs.host.JobHost, which ``riskmon.Riskmon``
satisfies): the sequences themselves (ingest, evaluate, escalate-and-digest, the packs) exist
once, in the app; here is only which of them a job strings together, and on which days.

A report a job writes names its maker as :data:`~riskmon.reports.kept.SCHEDULER` (the レポート page's
「自動実行（スケジューラ）」), also when the job is run by hand: it is the job's code that decided the
period and the data date; ``job_runs`` says how the run was triggered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from riskmon import audit
from riskmon.business_calendar import add_months
from riskmon.config import Settings
from riskmon.domain import FOUR_EYES, OPEN_STATES, FlagStatus
from riskmon.jobs.host import JobHost
from riskmon.reports.kept import SCHEDULER
from riskmon.store.tables import Flag, table_of

#: a job: what it did, in one line for ``job_runs.detail`` (raise :class:`Skip` for "nothing to do")
JobFn = Callable[[JobHost, datetime], str]


class Skip(Exception):
    """The job has nothing to do at this time (e.g. not the first business day of the month)."""


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    cron: str  # default; [jobs.<name>] cron = "..." in config.toml overrides
    run: JobFn


def nightly(rm: JobHost, as_of: datetime) -> str:
    """Ingest the inbox, evaluate, reopen and escalate, write digests, deliver mail."""
    inbox = rm.path("inbox")
    parts = []
    if inbox.exists() and any(inbox.iterdir()):
        report = rm.ingest([inbox])
        parts.append(f"ingest: {sum(report.accepted.values())} accepted, {report.total_rejected} rejected")
    # the whole book ([paths] rules): flags of removed or disabled rules are retired; its changes and the
    # config values' are recorded as the job's (riskmon.review.changes)
    run = rm.evaluate(as_of, changed_by="job:nightly")
    parts.append(f"evaluate: run {run.run_id} {run.counts}")
    esc = rm.escalate(as_of)
    audit.record_anchor(rm.ready(), "nightly", settings=rm.settings)  # the chain's head, outside the database (docs/audit.md)
    parts.append(f"escalate: {len(esc.escalated)} escalated, {len(esc.reopened)} reopened, {len(esc.digests)} digests, "
                 f"{esc.delivery.messages} mails")  # fmt: skip
    if run.errors:
        raise RuntimeError(f"rules failed: {run.errors}; " + "; ".join(parts))
    return "; ".join(parts)


def weekly_digest(rm: JobHost, as_of: datetime) -> str:
    """Before the 常勤役員会 (S0:734): new critical and high flags of the week and what is overdue."""
    cal = rm.calendar
    since = as_of - timedelta(days=7)
    f = table_of(Flag)
    with rm.ready().connect() as conn:
        new = (
            conn.execute(select(f).where(f.c.first_seen >= since, f.c.severity.in_(FOUR_EYES)).order_by(f.c.severity, f.c.id))
            .mappings()
            .all()
        )
        overdue = conn.execute(select(f).where(f.c.status == FlagStatus.OPEN, f.c.review_status.in_(OPEN_STATES),
                                               f.c.due_at < as_of)).mappings().all()  # fmt: skip
    day = as_of.astimezone(cal.tz).date()
    lines = [f"# 常勤役員会向け週次ダイジェスト（{day.isoformat()}）", "", f"## 今週の critical / high（{len(new)}件）", ""]
    lines += [f"- [{r['severity']}] {r['message_ja']}" for r in new]
    lines += ["", f"## 期限超過（{len(overdue)}件）", ""]
    by_line: dict[str, int] = {}
    for r in overdue:
        by_line[r["owner_line"]] = by_line.get(r["owner_line"], 0) + 1
    lines += [f"- {k}: {v}" for k, v in sorted(by_line.items())]
    path = rm.path("reports") / f"weekly_{day.isoformat()}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{path} ({len(new)} new, {len(overdue)} overdue)"


def _first_business_day(rm: JobHost, as_of: datetime) -> date:
    """The day, for a job that runs only on the first business day of a month."""
    cal = rm.calendar
    day = as_of.astimezone(cal.tz).date()
    if day != cal.next_business_day(date(day.year, day.month, 1), inclusive=True):
        raise Skip(f"{day} is not the first business day of the month")
    return day


def _last_business_day(rm: JobHost, as_of: datetime) -> date:
    """The day, for a job that runs only on the last business day of a month."""
    cal = rm.calendar
    day = as_of.astimezone(cal.tz).date()
    month_end = add_months(date(day.year, day.month, 1), 1) - timedelta(days=1)
    if day != cal.previous_business_day(month_end, inclusive=True):
        raise Skip(f"{day} is not the last business day of the month")
    return day


def monthly_publication(rm: JobHost, as_of: datetime) -> str:
    """月次公表 draft for the month before, on the last business day of the month (S1:2090): a
    month's publication lists the cases whose customer response and report were completed in it,
    and their 公表判断 is taken in the following weeks — prepared on the first day, most would still
    be undecided (riskmon.reports.monthly.default_as_of is the same moment for a draft by hand)."""
    day = _last_business_day(rm, as_of)
    prev = add_months(date(day.year, day.month, 1), -1)
    return ", ".join(map(str, rm.reports.monthly(prev.year, prev.month, as_of=as_of, made_by=SCHEDULER)))


def _pack(rm: JobHost, as_of: datetime, first: date, last: date) -> str:
    """The pack's folder and data hash; first, when no PDF could be printed (no browser at
    ``[reports] browser``), why — the CLI says it when a person makes the pack, and the run record
    is where whoever reads ``riskmon jobs`` learns it of a scheduled one. The run stays ``ok``:
    the Markdown, HTML and xlsx were written and kept."""
    written = rm.reports.committee(first, last, as_of=as_of, lang="ja", made_by=SCHEDULER)
    done = f"{written.folder} ({written.data_hash[:12]})"
    if written.pdf_problem is None:
        return done
    return f"{written.pdf_problem.text(rm.settings.display.lang)}\n{done}"


def committee_pack(rm: JobHost, as_of: datetime) -> str:
    """Every two months (S2:270): the pack for the two months just ended, on the first business day."""
    day = _first_business_day(rm, as_of)
    this_month = date(day.year, day.month, 1)
    return _pack(rm, as_of, add_months(this_month, -2), this_month - timedelta(days=1))


def half_year_review(rm: JobHost, as_of: datetime) -> str:
    """After each fiscal half: the half's pack; after March also the year's (年次公表 groundwork)."""
    cal, day = rm.calendar, _first_business_day(rm, as_of)
    ended = add_months(date(day.year, day.month, 1), -1)
    fy, half = cal.fiscal_year(ended), cal.fiscal_half(ended)
    lo, hi = cal.fiscal_half_bounds(fy, half)
    out = [_pack(rm, as_of, lo, hi)]
    if half == 2:
        out.append(_pack(rm, as_of, *cal.fiscal_year_bounds(fy)))
    return "; ".join(out)


JOBS: dict[str, Job] = {
    j.name: j
    for j in (
        Job("nightly", "夜間処理（取込・評価・エスカレーション）", "0 2 * * *", nightly),
        Job("weekly_digest", "常勤役員会向け週次ダイジェスト", "0 7 * * mon", weekly_digest),
        Job("monthly_publication", "事務処理誤りの月次公表（案）", "30 7 22-31 * *", monthly_publication),
        Job("committee_pack", "リスク管理委員会資料（2か月ごと）", "0 8 1-7 2,4,6,8,10,12 *", committee_pack),
        Job("half_year_review", "半期・年次レビュー", "30 8 1-7 4,10 *", half_year_review),
    )
}


def cron_of(settings: Settings, name: str) -> str:
    """The job's schedule: ``[jobs.<name>] cron`` from config.toml, else its default."""
    return settings.jobs.cron(name) or JOBS[name].cron
