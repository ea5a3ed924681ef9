"""Issue #9 items 1-2: text from data reaches people as text in every report and export.

Hostile unit names, event text, contractor names and case ids are ingested into a real database
(SQLite and PostgreSQL), evaluated with the shipped rules, and every output is generated: the
committee pack (HTML, Markdown, xlsx), the 月次公表 (Markdown, xlsx), the assurance report and
``flags list --format csv``. Nothing may arrive as HTML or Markdown markup, as a broken table, or
as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.cli.app import app
from riskmon.config import PowersConfig
from riskmon.flags.evaluation import evaluate
from riskmon.reports import committee, monthly
from riskmon.reports.assurance import to_markdown
from riskmon.review.assurance import assurance
from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from riskmon.store.tables import Flag, table_of
from tests.helpers import UNITS_CSV, error_report, run, shipped, write_jsonl

CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)

UNIT_NAME = '=HYPERLINK("http://evil.example/","x")|<script>alert(1)</script>'
SUMMARY = '@SUM(1)"><img src=x onerror=alert(1)>*bold* [link](http://evil.example/)'
CONTRACTOR = "-2+3<script>alert(1)</script>"
DESCRIPTION = '+1+1|"><img src=x onerror=alert(1)>'
CASE_ID = "=C1|<b>x</b>"
REASON = '<script>alert(1)</script>|"><img src=x onerror=alert(1)>'
HOSTILE = (UNIT_NAME, SUMMARY, CONTRACTOR, DESCRIPTION, CASE_ID)
USERS = "user_id,name,unit_id,role\nrisk1,リスク1,RMD,risk_officer\nrisk2,リスク2,RMD,risk_officer\n"


@pytest.fixture
def hostile(engine: Engine, tmp_path: Path) -> Engine:
    """A database holding the hostile strings, evaluated as of 2025-09-30."""
    units = tmp_path / "units.csv"
    rows = list(csv.reader(io.StringIO(UNITS_CSV)))
    for row in rows:
        if row[0] == "PO-001":
            row[1] = UNIT_NAME
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    events = [
        {"event_id": "CON1", "type": "contract", "unit_id": "HQ-NP", "contract_id": "K-1", "contractor_id": "CT-1",
         "contractor_name": CONTRACTOR, "handles_personal_info": False, "start_on": "2025-01-06", "end_on": "2026-03-31",
         "new_contractor": False},
        {"event_id": "IN1", "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": "I-1", "contract_id": "K-1",
         "inspection_type": "in_performance", "inspected_on": "2025-06-10",
         "nonconformities": [{"nc_id": "NC1", "aspect": "staff_roster", "description": DESCRIPTION, "due_on": "2025-07-10"}]},
        error_report("E1", CASE_ID, discovered_at="2025-05-12T10:00:00", summary=SUMMARY),
    ]  # fmt: skip
    report = run(engine, units, write_jsonl(tmp_path / "events.jsonl", events))
    assert report.rejections == [] and sum(report.accepted.values()) == 9, report
    users = tmp_path / "users.csv"
    users.write_text(USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (2, [])
    evaluate(engine, shipped(), AS_OF, CAL)
    return engine


def unpiped_cells(line: str) -> int:
    """How many cells a Markdown table row has (a ``\\|`` is text inside a cell)."""
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def assert_tables_intact(md: str) -> None:
    """Every row of every table has as many cells as the table's header."""
    header: int | None = None
    for line in md.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = unpiped_cells(line)
        assert unpiped_cells(line) == header, line


def assert_no_markup(text: str) -> None:
    for raw in ("<script", "<img", "<b>"):
        assert raw not in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no Markdown link: its "[" and "]" are escaped


def xlsx_strings(path: Path) -> dict[str, tuple[str, bool]]:
    """Every text cell of the workbook: value -> (data_type, quote prefix); and no formula anywhere."""
    out = {}
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    out[cell.value] = (cell.data_type, bool(cell.quotePrefix))
    return out


def test_committee_pack_shows_hostile_text_as_text(hostile: Engine, tmp_path: Path) -> None:
    content = committee.build(hostile, date(2025, 4, 1), date(2025, 9, 30), AS_OF, CAL, shipped())
    overdue = {(o["rule_id"], o["case_id"], o["owner"]) for o in content["priority_deadlines"]["overdue"]}
    assert overdue == {
        ("R01", CASE_ID, UNIT_NAME),
        ("R03P", CASE_ID, UNIT_NAME),
        ("R04", CASE_ID, UNIT_NAME),
        ("R16", CASE_ID, "リスク統括部"),
        ("R17", CASE_ID, UNIT_NAME),
    }  # R16: the second line reports to 役員等
    assert content["risky_offices"][0]["name"] == UNIT_NAME
    assert [(d["contractor"], d["description"]) for d in content["inspections"]["details"]] == [(CONTRACTOR, DESCRIPTION)]
    committee.write(hostile, content, tmp_path / "pack", CAL)

    html = (tmp_path / "pack" / "committee.html").read_text(encoding="utf-8")
    assert_no_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=C1|&lt;b&gt;x&lt;/b&gt;" in html
    assert "+1+1|&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    for text in (UNIT_NAME, CONTRACTOR, DESCRIPTION, CASE_ID):
        assert str(escape(text)) in html
    assert html.count("<svg") == 2  # the charts are still drawn (built from escaped labels)

    md = (tmp_path / "pack" / "committee.md").read_text(encoding="utf-8")
    assert_no_markup(md)
    assert_tables_intact(md)
    assert '| =HYPERLINK("http://evil.example/","x")\\|&lt;script&gt;alert(1)&lt;/script&gt; |' in md
    assert "| =C1\\|&lt;b&gt;x&lt;/b&gt; |" in md
    assert '| +1+1\\|"&gt;&lt;img src=x onerror=alert(1)&gt; |' in md
    assert "| -2+3&lt;script&gt;alert(1)&lt;/script&gt; |" in md

    cells = xlsx_strings(tmp_path / "pack" / "committee.xlsx")
    for text in (UNIT_NAME, CONTRACTOR, DESCRIPTION, CASE_ID):
        assert cells[text] == ("s", True), text


def test_monthly_publication_shows_hostile_text_as_text(hostile: Engine, tmp_path: Path) -> None:
    # the 月次公表 lists a case once its customer response and detailed report are done (riskmon.reports.monthly):
    # E1 published, E2 withheld with a hostile reason, E3 awaiting its 公表判断 under a hostile case id
    def step(case: str, when: str, name: str, **kw: str) -> dict[str, object]:
        return {"event_id": f"{case}-{name}", "type": "error_update", "unit_id": "PO-001", "case_id": case, "at": when, "step": name,
                **kw}  # fmt: skip

    def settled(case: str, **prevention: str) -> list[dict[str, object]]:
        return [step(case, "2025-05-13T10:00:00", "customer_response_done"),
                step(case, "2025-05-20T10:00:00", "prevention_set", **prevention)]  # fmt: skip

    undecided = "=C3|<b>z</b>"
    events = [
        *settled(CASE_ID, note=SUMMARY), step(CASE_ID, "2025-05-25T10:00:00", "publication_decided", publication_decision="publish",
                                publication_reason="公表"),
        error_report("E2", "C2", discovered_at="2025-05-12T11:00:00"), *settled("C2"),
        step("C2", "2025-05-25T10:00:00", "publication_decided", publication_decision="withhold", publication_reason=REASON),
        error_report("E3", undecided, discovered_at="2025-05-14T10:00:00", summary=SUMMARY), *settled(undecided),
    ]  # fmt: skip
    assert run(hostile, write_jsonl(tmp_path / "steps.jsonl", events)).rejections == []
    md_file, html_file, xlsx_file = monthly.write(hostile, 2025, 5, AS_OF, CAL, tmp_path / "m")
    md = md_file.read_text(encoding="utf-8")
    assert_no_markup(md)
    assert_tables_intact(md)
    unit = '=HYPERLINK("http://evil.example/","x")\\|&lt;script&gt;alert(1)&lt;/script&gt;'
    summary = '@SUM(1)"&gt;&lt;img src=x onerror=alert(1)&gt;\\*bold\\* \\[link\\](http://evil.example/)'
    assert [line for line in md.splitlines() if line.startswith("| 1 |")] == [
        f"| 1 | 誤送付 | 未記録 | 未記録 | 不明（令和7年5月12日） | {unit} | {summary} | 1 | - | お客様対応済み（再発防止策の徹底中） "
        f"| 原因分析中 | {summary} |"  # the 再発防止策 someone typed is text too
    ]
    assert '| &lt;script&gt;alert(1)&lt;/script&gt;\\|"&gt;&lt;img src=x onerror=alert(1)&gt; | 1 |' in md
    assert f"| =C3\\|&lt;b&gt;z&lt;/b&gt; | 誤送付 | 不明（令和7年5月14日） | {unit} | {summary} |" in md
    html = html_file.read_text(encoding="utf-8")
    assert [raw for raw in ("<script", "<img", "<b>") if raw in html] == []  # a Markdown link is plain text in HTML
    for text in (UNIT_NAME, SUMMARY, REASON, undecided):
        assert str(escape(text)) in html
    cells = xlsx_strings(xlsx_file)
    assert cells[UNIT_NAME] == ("s", True) and cells[SUMMARY] == ("s", True) and cells[undecided] == ("s", True)
    assert cells[REASON] == ("s", False)


def test_assurance_report_shows_a_hostile_dismissal_reason_as_text(hostile: Engine) -> None:
    t = table_of(Flag)
    with hostile.connect() as conn:
        r08 = conn.execute(select(t.c.id).where(t.c.rule_id == "R08")).scalar_one()
    # R08's own domain (rule_domains: none) is its risk_category, 事務リスク: リスク統括部's risk1 may dismiss it
    assert ReviewService(hostile, powers=PowersConfig(rule_domains={})).dismiss("risk1", r08, REASON).status == "dismissed"
    md = to_markdown(assurance(hostile, date(2025, 4, 1), date(2025, 9, 30), CAL, ["R08"]).data, CAL, {}, "ja")
    assert_no_markup(md)
    assert '却下の理由: &lt;script&gt;alert(1)&lt;/script&gt;\\|"&gt;&lt;img src=x onerror=alert(1)&gt;: 1' in md


def test_flags_csv_export_neutralises_formulas(hostile: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.setenv("RISKMON_DATABASE_URL", hostile.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["flags", "list", "--status", "all", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {(r["rule_id"], r["subject"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows[("R03P", "'" + CASE_ID)]["owner_unit"] == "PO-001"
    r08 = [r for (rule, _), r in rows.items() if rule == "R08"]
    assert len(r08) == 1 and r08[0]["message"].startswith("'" + CONTRACTOR + "（契約K-1）")
    for r in rows.values():
        for value in r.values():
            assert not value.lstrip().startswith(("=", "+", "-", "@")), value
