"""The audit document written from the sample year: its title and cover, every section in the
Markdown, the HTML and the xlsx, in both languages, and times in business days, never hours."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.i18n import phrase
from riskmon.reports import assurance as doc
from riskmon.review.assurance import assurance
from riskmon.store.queries import unit_names
from tests.helpers import shipped

CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)  # the sample_db fixture's evaluation
SECTIONS = ["s_handling", "s_sample", "s_coverage", "s_acceptances", "s_cadence", "s_completeness", "s_publication", "s_findings",
            "s_changes", "s_planning"]  # fmt: skip


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_sample_years_audit_document(sample_db: Engine, tmp_path: Path, lang: str) -> None:
    report = assurance(sample_db, date(2025, 4, 1), date(2025, 9, 30), CAL, shipped(), sample_size=12, seed=3, as_of=AS_OF)
    with sample_db.connect() as conn:
        names = unit_names(conn, lang)
    written = doc.write(report.data, tmp_path, CAL, names, lang=lang, prepared_on=date(2025, 10, 6))
    assert [f.name for f in written.files] == ["assurance.md", "assurance.html", "assurance.xlsx"]
    md, html = (tmp_path / "assurance.md").read_text(encoding="utf-8"), (tmp_path / "assurance.html").read_text(encoding="utf-8")
    title = phrase("assurance", "title", lang)
    period = "令和7年度（上期）" if lang == "ja" else "FY2025 H1"
    assert md.startswith(f"# {title} {period}\n") and f"<h1>{escape(title)}</h1>" in html
    cover = (
        ("作成部署：監査部", "作成日：令和7年10月6日")
        if lang == "ja"
        else ("Prepared by: Internal Audit Department", "Prepared on: 6 Oct 2025")
    )
    assert all(line in md for line in cover)
    for key in SECTIONS:
        assert f"## {phrase('assurance', key, lang)}\n" in md and f"<h2>{escape(phrase('assurance', key, lang))}</h2>" in html
    assert "hours" not in md and "時間）" not in md  # business days only
    d = report.data
    assert d["audit_sample"]["population"] == d["closed"]  # nobody has reviewed the sample year's flags: none closed
    assert d["coverage"]["requirements"] > 0 and d["daily_reports"]["expected"] > 0 and d["publication"]["reports"] > 0
    sheets = load_workbook(tmp_path / "assurance.xlsx").sheetnames
    assert phrase("assurance", "x_coverage", lang) in sheets and phrase("assurance", "x_daily", lang) in sheets


def test_free_text_in_the_changes_stays_text(tmp_path: Path) -> None:
    data = {
        "period": {"from": "2025-04-01", "to": "2025-05-31"}, "as_of": "2025-05-31T23:59:59+09:00",
        "flags": 0, "closed": 0, "business_days_to_acknowledge": {}, "business_days_to_close": {},
        "closed_within_business_days": {"days": 5, "share": None}, "dismissals_by_reason": {}, "dismissals_by_person": {},
        "reopen_rate": None, "four_eyes": {"closures": 0, "compliant": 0, "share": None}, "rules_never_fired": [],
        "rules_most_dismissed": {}, "recurrence_for_audit_planning": {},
        "audit_sample": {"seed": 1, "requested": 10, "size": 0, "population": 0, "strata": [], "flag_ids": []}, "sample_cases": [],
        "coverage": {"basis": "rule_sources", "rows": [], "requirements": 0, "requirements_never_fired": [], "uncited_rules": []},
        "acceptances": {"rows": [], "total": 0, "expired": 0, "expiring": 0, "in_force": 0, "no_end": 0, "window_days": 30},
        "cadence": {"cadence_months": 2, "packs": [], "gaps": [{"from": "2025-04-01", "to": "2025-05-31"}], "longer_than_cadence": 0},
        "daily_reports": {"unit_types": [], "units": 0, "months": [], "expected": 0, "received": 0, "rate": None},
        "rejects": {"rows": [], "total": 0, "unhandled": 0},
        "publication": {"months": [], "reports": 0, "publish": 0, "withhold": 0, "undecided": 0, "undecided_cases": []},
        "findings": {"reported_in_period": 0, "open": 0, "overdue": 0, "rows": []},
        "changes": {"total": 1, "unapproved": 1, "self_approved": 0, "rows": [
            {"id": "1", "kind": "rule", "key": "R01", "diff": "<b>x</b> | y", "changed_by": "risk1",
             "changed_at": "2025-05-01T10:30+09:00", "approved_by": "", "approved_at": "", "note": "", "state": "unapproved"}]},
    }  # fmt: skip
    doc.write(data, tmp_path, CAL, {})
    md, html = (tmp_path / "assurance.md").read_text(encoding="utf-8"), (tmp_path / "assurance.html").read_text(encoding="utf-8")
    assert "| 2025-05-01T10:30+09:00 | rule | R01 | &lt;b&gt;x&lt;/b&gt; \\| y | risk1 | - | - | 承認なし | - |" in md
    assert '<td class="w">&lt;b&gt;x&lt;/b&gt; | y</td>' in html and "<b>x</b>" not in html
    assert "| 令和7年4月1日 | 令和7年5月31日 |" in md  # the gap: no committee pack at all
    assert "委員会資料は作成されていません" in md
