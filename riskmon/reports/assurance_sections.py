"""The audit document's sections as labelled tables: the one layout the Markdown, the HTML and the
xlsx all render (riskmon.reports.assurance), so the three cannot disagree.

A section is a title, sentences and tables; a table has a header, rows of typed cells (text,
numbers, dates) and the sheet name it has in the xlsx. Words come from the ``assurance`` catalogue
(riskmon.i18n.assurance) and the domain labels; dates stay dates until a format shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from riskmon.i18n import label, phrase
from riskmon.i18n.dates import month_text

Cell = str | int | float | date | None


@dataclass
class Table:
    sheet: str
    header: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    numeric: set[int] = field(default_factory=set)  # columns right-aligned
    lead: str = ""  # a sentence shown just before the table (after its caption)
    wrap: set[int] = field(default_factory=set)  # free-text columns that may wrap (the others never do in print)


@dataclass
class Section:
    title: str
    paras: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _month(key: str, lang: str) -> str:
    """``2025-04`` as people read it: 令和7年4月 / Apr 2025."""
    return month_text(int(key[:4]), int(key[5:]), lang)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _pct_cell(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 1)


def sections(d: dict[str, Any], lang: str, names: Mapping[str, str]) -> list[Section]:
    """Every section of the document, in order, from the data of riskmon.review.assurance."""

    def t(key: str, **kw: Any) -> str:
        text = phrase("assurance", key, lang)
        return text.format(**kw) if kw else text

    def unit(uid: str) -> str:
        return names.get(uid, uid)

    sep = "、" if lang == "ja" else ", "
    builders: list[Callable[[], Section]] = [
        lambda: _handling(d, t, lang, sep),
        lambda: _sample(d, t, lang, sep),
        lambda: _coverage(d, t, lang, sep),
        lambda: _acceptances(d, t, lang, sep),
        lambda: _cadence(d, t),
        lambda: _completeness(d, t, lang),
        lambda: _publication(d, t, lang, unit),
        lambda: _findings(d, t, lang, unit, sep),
        lambda: _changes(d, t),
        lambda: _planning(d, t, lang, unit),
    ]
    return [b() for b in builders]


T = Callable[..., str]


def _kv(items: Mapping[str, Any], t: T, sep: str) -> str:
    return sep.join(f"{k}: {v}" for k, v in items.items()) or t("none")


def _handling(d: dict[str, Any], t: T, lang: str, sep: str) -> Section:
    s = Section(t("s_handling"), [t("handling_lead", flags=f"{d['flags']:,}", closed=f"{d['closed']:,}")])
    ack, close = d["business_days_to_acknowledge"], d["business_days_to_close"]
    rows: list[list[Cell]] = []
    for sev in dict.fromkeys([*ack, *close]):
        a, c = ack.get(sev), close.get(sev)
        rows.append(
            [label(sev, lang), a["median"] if a else None, a["n"] if a else None, c["median"] if c else None, c["n"] if c else None]
        )
    n = t("h_flags")
    s.tables.append(Table(t("x_handling"), [t("h_severity"), t("h_ack"), n, t("h_close"), n], rows, numeric={1, 2, 3, 4}))
    within, four = d["closed_within_business_days"], d["four_eyes"]
    s.items += [
        f"{t('within', days=within['days'])}: {_pct(within['share'])}",
        f"{t('four_eyes')}: {four['compliant']}/{four['closures']} ({_pct(four['share'])})",
        f"{t('reopen')}: {_pct(d['reopen_rate'])}",
        f"{t('dismiss_reason')}: {_kv(d['dismissals_by_reason'], t, sep)}",
        f"{t('dismiss_person')}: {_kv(d['dismissals_by_person'], t, sep)}",
        f"{t('never_fired')}: {sep.join(d['rules_never_fired']) or t('none')}",
        f"{t('most_dismissed')}: {_kv(d['rules_most_dismissed'], t, sep)}",
    ]
    return s


def _sample(d: dict[str, Any], t: T, lang: str, sep: str) -> Section:
    a = d["audit_sample"]
    s = Section(t("s_sample"), [t("sample_size", population=f"{a['population']:,}", size=a["size"], requested=a["requested"],
                                  seed=a["seed"], strata=len(a["strata"])), t("sample_method")])  # fmt: skip
    strata: list[list[Cell]] = [[label(x["severity"], lang), label(x["resolution"], lang), label(x["risk_category"], lang),
                                 x["size"], x["drawn"]] for x in a["strata"]]  # fmt: skip
    s.tables.append(Table(t("x_strata"), [t("h_severity"), t("h_resolution"), t("h_domain"), t("h_stratum_size"), t("h_drawn")],
                          strata, numeric={3, 4}))  # fmt: skip
    cases: list[list[Cell]] = [[c["flag_id"], c["rule_id"], c["subject"], label(c["severity"], lang), label(c["resolution"], lang),
                                label(c["risk_category"], lang), _day(c["closed_on"]), sep.join(c["closed_by"])]
                               for c in d["sample_cases"]]  # fmt: skip
    s.tables.append(Table(t("x_sample"), [t("h_flag"), t("h_rule"), t("h_subject"), t("h_severity"), t("h_resolution"), t("h_domain"),
                                          t("h_closed_on"), t("h_closed_by")], cases, t("sample_cases"), {0}, wrap={2, 7}))  # fmt: skip
    return s


def _coverage(d: dict[str, Any], t: T, lang: str, sep: str) -> Section:
    c = d["coverage"]
    s = Section(t("s_coverage"), [t("coverage_basis"), t("coverage_lead", requirements=c["requirements"],
                                                                          never=len(c["requirements_never_fired"]))])  # fmt: skip
    rows: list[list[Cell]] = [[x["source"], x["rule_id"], x["title_ja"] if lang == "ja" else x["title_en"],
                               t("yes") if x["enabled"] else t("no"), x["flags"], t("fired") if x["flags"] else t("never")]
                              for x in c["rows"]]  # fmt: skip
    s.tables.append(Table(t("x_coverage"), [t("h_source"), t("h_rule"), t("h_title"), t("h_enabled"), t("h_flags"), t("h_fired")],
                          rows, numeric={4}, wrap={2}))  # fmt: skip
    if c["uncited_rules"]:
        s.items.append(f"{t('uncited')}: {sep.join(c['uncited_rules'])}")
    return s


def _acceptances(d: dict[str, Any], t: T, lang: str, sep: str) -> Section:
    a = d["acceptances"]
    s = Section(t("s_acceptances"), [t("acceptances_lead", total=a["total"], expired=a["expired"], expiring=a["expiring"],
                                       in_force=a["in_force"], days=a["window_days"])])  # fmt: skip
    rows: list[list[Cell]] = [[x["flag_id"], x["rule_id"], x["subject"], label(x["severity"], lang), _day(x["accepted_on"]),
                               sep.join(x["accepted_by"]), _day(x["until"]), t(f"st_{x['state']}")] for x in a["rows"]]  # fmt: skip
    if rows:
        s.tables.append(Table(t("x_acceptances"), [t("h_flag"), t("h_rule"), t("h_subject"), t("h_severity"), t("h_accepted_on"),
                                                   t("h_accepted_by"), t("h_until"), t("h_state")], rows,
                              numeric={0}, wrap={2, 5}))  # fmt: skip
    return s


def _cadence(d: dict[str, Any], t: T) -> Section:
    c = d["cadence"]
    s = Section(t("s_cadence"), [t("cadence_lead")])
    rows: list[list[Cell]] = [[_day(p["from"]), _day(p["to"]), p["months"], p["versions"], _day(p["first_as_of"]),
                               t("no") if p["longer_than_cadence"] else t("yes")] for p in c["packs"]]  # fmt: skip
    if rows:
        s.tables.append(Table(t("x_cadence"), [t("h_from"), t("h_to"), t("h_months"), t("h_versions"), t("h_first_as_of"),
                                               t("h_cadence_ok")], rows, t("h_pack_period"), {2, 3}))  # fmt: skip
    else:
        s.items.append(t("no_packs"))
    if c["gaps"]:
        s.tables.append(Table(t("x_gaps"), [t("h_from"), t("h_to")], [[_day(g["from"]), _day(g["to"])] for g in c["gaps"]], t("gaps")))
    else:
        s.items.append(t("no_gaps"))
    return s


def _completeness(d: dict[str, Any], t: T, lang: str) -> Section:
    dr, rj = d["daily_reports"], d["rejects"]
    s = Section(t("s_completeness"), [t("daily_lead", units=dr["units"], rate=_pct(dr["rate"]), received=f"{dr['received']:,}",
                                                        expected=f"{dr['expected']:,}")])  # fmt: skip
    rows: list[list[Cell]] = [
        [_month(m["month"], lang), m["business_days"], m["expected"], m["received"], _pct_cell(m["rate"])] for m in dr["months"]
    ]
    s.tables.append(Table(t("x_daily"), [t("h_month"), t("h_business_days"), t("h_expected"), t("h_received"), t("h_rate")], rows,
                          t("x_daily"), {1, 2, 3, 4}))  # fmt: skip
    r_rows: list[list[Cell]] = [[r["source"], label(r["record_type"]), r["rejected"], r["unhandled"]] for r in rj["rows"]]
    lead = t("rejects_lead", total=f"{rj['total']:,}", unhandled=f"{rj['unhandled']:,}")
    s.tables.append(Table(t("x_rejects"), [t("h_file"), t("h_record_type"), t("h_rejected"), t("h_unhandled")], r_rows,
                          t("x_rejects"), {2, 3}, lead, wrap={0}))  # fmt: skip
    return s


def _publication(d: dict[str, Any], t: T, lang: str, unit: Callable[[str], str]) -> Section:
    p = d["publication"]
    s = Section(t("s_publication"), [t("publication_lead", reports=f"{p['reports']:,}", publish=f"{p['publish']:,}",
                                       withhold=f"{p['withhold']:,}", undecided=f"{p['undecided']:,}")])  # fmt: skip
    rows: list[list[Cell]] = [[_month(m["month"], lang), m["reports"], m["publish"], m["withhold"], m["undecided"]] for m in p["months"]]
    s.tables.append(Table(t("x_publication"), [t("h_month"), t("h_reports"), t("h_publish"), t("h_withhold"), t("h_undecided")],
                          rows, numeric={1, 2, 3, 4}))  # fmt: skip
    if p["undecided_cases"]:
        u_rows: list[list[Cell]] = [[c["case_id"], unit(c["unit_id"]), _day(c["discovered_on"]), label(c["category"], lang)]
                                    for c in p["undecided_cases"]]  # fmt: skip
        s.tables.append(Table(t("x_undecided"), [t("h_case"), t("h_unit"), t("h_discovered_on"), t("h_category")], u_rows,
                              t("undecided_cases"), wrap={1}))  # fmt: skip
    return s


def _findings(d: dict[str, Any], t: T, lang: str, unit: Callable[[str], str], sep: str) -> Section:
    f = d["findings"]
    s = Section(t("s_findings"), [t("findings_lead", reported=f["reported_in_period"], open=f["open"], overdue=f["overdue"])])
    rows: list[list[Cell]] = [[x["finding_id"], unit(x["unit_id"]), _day(x["reported_on"]), label(x["level"], lang), _day(x["plan_on"]),
                               _day(x["followup_on"]), sep.join(x["overdue"]) or None] for x in f["rows"]]  # fmt: skip
    if rows:
        s.tables.append(Table(t("x_findings"), [t("h_finding"), t("h_unit"), t("h_reported_on"), t("h_level"), t("h_plan_on"),
                                                t("h_followup_on"), t("h_overdue")], rows, wrap={1}))  # fmt: skip
    return s


def _changes(d: dict[str, Any], t: T) -> Section:
    c = d["changes"]
    s = Section(t("s_changes"), [t("changes_lead", total=c["total"], unapproved=c["unapproved"], self_approved=c["self_approved"])])
    rows: list[list[Cell]] = [[x["changed_at"], x["kind"], x["key"], x["diff"], x["changed_by"], x["approved_by"] or None,
                               x["approved_at"] or None, t(f"ch_{x['state']}"), x["note"] or None] for x in c["rows"]]  # fmt: skip
    if rows:
        s.tables.append(Table(t("x_changes"), [t("h_changed_at"), t("h_kind"), t("h_key"), t("h_diff"), t("h_changed_by"),
                                               t("h_approved_by"), t("h_approved_at"), t("h_state"), t("h_note")], rows,
                              wrap={2, 3, 8}))  # fmt: skip
    return s


def _planning(d: dict[str, Any], t: T, lang: str, unit: Callable[[str], str]) -> Section:
    s = Section(t("s_planning"), [t("planning_lead")])
    rows: list[list[Cell]] = []
    for key, n in d["recurrence_for_audit_planning"].items():  # R05's subject: unit|category
        uid, _, category = key.partition("|")
        rows.append([unit(uid), label(category, lang) if category else None, n])
    if rows:
        s.tables.append(Table(t("x_planning"), [t("h_unit"), t("h_category"), t("h_flags")], rows, numeric={2}, wrap={0, 1}))
    else:
        s.items.append(t("none"))
    return s
