"""``rm.reports``: the documents people are handed — the committee pack, the 月次・年次公表 drafts
and the third line's audit document — written into ``[paths] reports`` and kept (riskmon.reports.kept).

Split from riskmon.app, the composition root, since it is one concept: which folder a document
goes in, which data date it takes by default, and who is recorded as its maker.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from riskmon.errors import Lang
from riskmon.reports import assurance as assurance_doc
from riskmon.reports import committee, kept, monthly
from riskmon.reports.publication import annual
from riskmon.review.assurance import Assurance, assurance

if TYPE_CHECKING:
    from riskmon.app import Riskmon


class Reports:
    """The documents people are handed: the committee pack, the 月次公表 draft, the assurance view."""

    def __init__(self, rm: Riskmon) -> None:
        self._rm = rm

    def committee(self, first: date, last: date, *, as_of: datetime | None = None, out: str | Path | None = None,
                  lang: Lang | None = None, refresh: bool = False, made_by: str | None = None) -> committee.Written:  # fmt: skip
        """Write the pack for ``first``..``last`` with data as of ``as_of`` (default: the end of ``last``)
        into a dated folder under ``out`` (default ``[paths] reports``).

        The pack finds its flags again by a dry run of the enabled rules as of its data date, over
        what was known when the first pack for this period was made (``refresh``: everything
        ingested so far, kept as a new version if it differs). ``made_by``: who generates it (a user
        id, ``cli:<login>``, or ``riskmon.reports.kept.SCHEDULER``), stored with a new version."""
        rm, lang = self._rm, lang or self._rm.lang
        when = as_of or rm.calendar.end_of_day(last)
        content = committee.build(rm.ready(), first, last, when, rm.calendar, rm.check_rules().enabled, lang, refresh=refresh,
                                  prepared_on=rm.now().date())  # fmt: skip
        suffix = "" if lang == "ja" else f"_{lang}"
        folder = Path(out) if out is not None else rm.path("reports")
        pack = folder / f"committee_{first.isoformat()}_{last.isoformat()}{suffix}"
        return committee.write(rm.ready(), content, pack, rm.calendar, rm.settings.reports, made_by=made_by)

    def monthly(self, year: int, month: int, *, as_of: datetime | None = None, out: str | Path | None = None,
                lang: Lang | None = None, refresh: bool = False, made_by: str | None = None) -> list[Path]:  # fmt: skip
        """Write the 月次公表 draft for a month, with data as of the end of the following month (when
        it is prepared) unless given; ``refresh``: everything ingested so far (riskmon.reports.monthly)."""
        rm, lang = self._rm, lang or self._rm.lang
        when = as_of or monthly.default_as_of(year, month, rm.calendar)
        suffix = "" if lang == "ja" else f"_{lang}"
        folder = Path(out) if out is not None else rm.path("reports")
        return monthly.write(rm.ready(), year, month, when, rm.calendar, folder / f"monthly_{year}-{month:02d}{suffix}", lang=lang,
                             refresh=refresh, made_by=made_by)  # fmt: skip

    def annual(self, fy: int, *, as_of: datetime | None = None, out: str | Path | None = None, lang: Lang | None = None,
               refresh: bool = False, made_by: str | None = None) -> list[Path]:  # fmt: skip
        """Write the 年次公表 draft for a fiscal year, with data as of the end of the April after it
        unless given (riskmon.reports.publication.annual)."""
        rm, lang = self._rm, lang or self._rm.lang
        when = as_of or annual.default_as_of(fy, rm.calendar)
        suffix = "" if lang == "ja" else f"_{lang}"
        folder = Path(out) if out is not None else rm.path("reports")
        return annual.write(rm.ready(), fy, when, rm.calendar, folder / f"annual_FY{fy}{suffix}", lang=lang, refresh=refresh,
                            made_by=made_by)  # fmt: skip

    def assurance(self, first: date, last: date, *, sample: int = 10, seed: int = 1, as_of: datetime | None = None) -> Assurance:
        """The 監査部's audit data on the second line over a period, as of ``as_of`` (default now)."""
        rm = self._rm
        return assurance(rm.ready(), first, last, rm.calendar, rm.check_rules().rules, sample_size=sample, seed=seed, as_of=as_of)

    def write_assurance(self, report: Assurance, *, out: str | Path | None = None, lang: Lang | None = None,
                        made_by: str | None = None, name: str | None = None) -> assurance_doc.Written:  # fmt: skip
        """Write the audit document (Markdown, HTML, xlsx, PDF) into ``assurance_<from>_<to>`` (or
        ``name``) under ``out`` (default ``[paths] reports``), and keep it like a pack
        (riskmon.reports.kept: listed on the レポート page with ``made_by`` as its maker)."""
        rm, lang = self._rm, lang or self._rm.lang
        first, last = report.period
        suffix = "" if lang == "ja" else f"_{lang}"
        name = name or f"assurance_{first.isoformat()}_{last.isoformat()}"
        folder = (Path(out) if out is not None else rm.path("reports")) / f"{name}{suffix}"
        written = assurance_doc.write(report.data, folder, rm.calendar, rm.unit_names(lang), lang=lang, look=rm.settings.reports,
                                      prepared_on=rm.now().date())  # fmt: skip
        # kept per folder: one language's document is not the other's, and the 監査 page's is not the CLI's
        content = {**report.data, "lang": lang, "folder": folder.name}
        kept.keep(rm.ready(), "assurance", first, last, datetime.fromisoformat(report.data["as_of"]), kept.data_hash(content), folder,
                  content, made_by=made_by)  # fmt: skip
        return written

    def kept_assurance(self, first: date, last: date, *, lang: Lang | None = None, made_by: str | None = None) -> str:
        """The audit document's Markdown as the 監査 page shows it and its download serves it: data
        as of the end of ``last``, or of yesterday while the period runs, so one document stands
        for a period and day. The first one made is kept (its folder is named by that data date,
        so nothing else writes it) and read back on every later view, instead of recomputing the
        whole report on each GET; ``made_by``: who asked first."""
        rm, lang = self._rm, lang or self._rm.lang
        day = min(last, rm.now().astimezone(rm.settings.tz).date() - timedelta(days=1))
        as_of = rm.calendar.end_of_day(day)
        name = f"assurance_{first.isoformat()}_{last.isoformat()}_as_of_{day.isoformat()}"
        suffix = "" if lang == "ja" else f"_{lang}"
        with rm.ready().connect() as conn:  # only this folder holds it: `riskmon report assurance` writes its own on each run
            found = kept.first_in(conn, "assurance", first, last, as_of, lang, folder=f"{name}{suffix}")
        page = Path(found["folder"]) / "assurance.md" if found is not None else None
        if page is not None and page.is_file():
            return page.read_text(encoding="utf-8")
        written = self.write_assurance(self.assurance(first, last, as_of=as_of), lang=lang, made_by=made_by, name=name)
        return (written.folder / "assurance.md").read_text(encoding="utf-8")
