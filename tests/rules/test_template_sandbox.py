"""Message templates at evaluation: hostile ones are refused quickly whatever the values, ordinary
ones render as before, and a refused template is recorded against its rule, never hangs the run."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.config import load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.flags import render
from riskmon.flags.evaluation import evaluate
from riskmon.rules import templates
from riskmon.store.tables import EvaluationRun, Flag, table_of
from tests.helpers import ROOT, error_report, run, write_jsonl

#: each would run for minutes or exhaust memory in Jinja's plain sandbox
HOSTILE = {
    "{{ 'x' * 4000000000 }}": "builds a value that is too large",
    "{{ case_id * 4000000000 }}": "builds a value that is too large",
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}": "cannot be nested",
    "{% for a in range(10**12) %}{% endfor %}": "range() is capped at 1,000 items",
    "{% for c in summary * 100 %}{% endfor %}": "a for loop is capped at 1,000 iterations",
    "{{ 7 ** 123456789 }}": "builds a value that is too large",
    "{{ '%0999999999d' % 1 }}": "width and precision take at most 3 digits",
    "{{ summary|replace('', summary * 100) }}": "builds a value that is too large",
    "{{ range(1000)|join(summary * 500) }}": "builds a value that is too large",
    "{{ summary.ljust(4000000000) }}": "only range() and the text methods",
    "{{ summary|center(4000000000) }}": "the filter 'center' is not allowed",
    "{{ lipsum(100000000) }}": "only range() and the text methods",
    "{% set ns = namespace(s='x') %}": "{% set %} is not allowed",
    "{{ ''.__class__.__mro__ }}": "names starting with _ such as '__mro__'",
    "{% for i in range(999) %}{{ summary }}{% endfor %}": "the rendered text is too long",
}

SCRIPT = textwrap.dedent("""\
    import json, sys, time
    from riskmon.flags.render import render
    out = {}
    for template in json.loads(sys.argv[1]):
        started = time.monotonic()
        try:
            render(template, {"case_id": "C1", "summary": "通知書を別のお客様へ送付"})
            out[template] = ["rendered", "", time.monotonic() - started]
        except Exception as exc:
            out[template] = [exc.__class__.__name__, str(exc), time.monotonic() - started]
    print(json.dumps(out))
""")


def test_hostile_templates_are_refused_quickly_at_evaluation() -> None:
    """In a child process with a timeout, so that a regression fails instead of hanging the suite."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(list(HOSTILE))],
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    results = json.loads(done.stdout)
    for template, words in HOSTILE.items():
        kind, message, seconds = results[template]
        assert kind == "TemplateRefused", (template, kind, message)
        assert words in message and " / " in message, (template, message)  # Japanese / English
        assert seconds < 1, (template, seconds)


def test_ordinary_templates_render_as_before() -> None:
    values = {"unit_name": "札幌中央年金事務所", "case_id": "C1", "value": 3.456, "missing_dates": "2025-04-01", "note": None}
    assert render.render("{{ unit_name }} の {{ case_id }}（{{ value|round(1) }} 件）", values) == "札幌中央年金事務所 の C1（3.5 件）"
    assert render.render("{{ note|default('なし', true) }} {{ 'x' * 3 }} {{ 2 ** 10 }}", values) == "なし xxx 1024"
    assert render.render("{% for d in range(3) %}{{ d }}{% endfor %}{% if value > 3 %}!{% endif %}", values) == "012!"
    assert render.render("{{ unit_name.strip()|upper }} {{ '%.1f' % value }}", values) == "札幌中央年金事務所 3.5"
    assert len(render.render("{{ 'x' * 2000 }}", values)) == templates.MAX_OUTPUT_CHARS  # the cap itself is allowed


def test_a_refused_template_is_recorded_against_its_rule_and_the_run_completes(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    """A rule that reached evaluation without ``rules check`` (the checker would refuse it): its
    4,000-character message is refused, the run records why, and the other rule still raises."""
    book = load_rules(ROOT / "rules", load_settings(ROOT / "config.toml").rule_values)
    r01, r02 = (r for r in book.rules if r.id in ("R01", "R02"))
    noisy = dataclasses.replace(r02, message={"ja": "{{ case_id * 2000 }}", "en": "{{ case_id }}"})
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")]))
    result = evaluate(engine, [r01, noisy], datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO), BusinessCalendar())
    assert list(result.errors) == ["R02"]
    assert result.errors["R02"].startswith("TemplateRefused: 展開結果が長すぎます（2,000文字まで）")
    with engine.connect() as conn:
        assert [r.rule_id for r in conn.execute(select(table_of(Flag).c.rule_id))] == ["R01"]
        runs = table_of(EvaluationRun)
        assert conn.execute(select(runs.c.status).where(runs.c.id == result.run_id)).scalar_one() == "completed_with_errors"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ unit_name.__class__ }}", "names starting with _ such as '__class__'"),
        ("{{ unit_name * 1000 }}", "the rendered text is too long"),
        ("{{ affected_customers / 0 }}", "the template fails with sample values (ZeroDivisionError"),
    ],
)
def test_rules_check_refuses_what_evaluation_would(tmp_path: Path, template: str, words: str) -> None:
    """Before, ``rules check`` said "no problems" and every evaluation recorded the error."""
    text = (ROOT / "rules" / "r02_priority_incident.yaml").read_text(encoding="utf-8")
    start = text.index("  en: ", text.index("message:"))
    line = text[:start].count("\n") + 1
    end = text.index("\n", start)
    (tmp_path / "r.yaml").write_text(text[:start] + f'  en: "{template}"' + text[end:], encoding="utf-8")
    book = load_rules(tmp_path, load_settings(ROOT / "config.toml").rule_values)
    assert [p.line for p in book.problems] == [line] and book.rules == []
    assert words in book.problems[0].message and ("使えません" in book.problems[0].message or "失敗します" in book.problems[0].message)
