"""Hostile rule files: each is refused by ``riskmon rules check`` with file:line and a message in
both languages, quickly, and none runs code.

All files sit in one folder checked by one real ``riskmon rules check`` process with a timeout,
so a regression that hangs (the alias bomb, ``'x' * 4000000000``, nested ``range()`` loops)
fails this module instead of hanging the suite. Each file is otherwise a valid rule, so the
refusal shown is the hostile part's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riskmon.rules.yamlpos import load
from tests.helpers import ROOT, deadline_rule

BASE = deadline_rule("{id}", within="{business_days: 1}")
MESSAGE = 'message: {ja: "{{ case_id }}", en: "{{ case_id }}"}'


def _bomb(levels: int) -> str:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _with_message(template: str) -> str:
    return BASE.replace(MESSAGE, 'message: {ja: "{{ case_id }}", en: "' + template + '"}')


#: name → (file text, text at the refused line, Japanese words, English words)
HOSTILE: dict[str, tuple[str, str, str, str]] = {
    "python_object_tag": (BASE.replace("description: d", "description: !!python/object/apply:os.system ['touch PWNED']"),
                          "description:", "タグ「!!python/object/apply:os.system」は使えません", "is not allowed"),
    "python_name_tag": (BASE + "enabled: !!python/name:os.system\n", "enabled:", "タグ「!!python/name:os.system」", "is not allowed"),
    "alias_bomb": (_bomb(9), "lol0:", "アンカー（&）とエイリアス（*）は使えません", "anchors (&) and aliases (*) are not allowed"),
    "merge_key_alias": ("base: &b {kind: match}\n" + BASE.replace("kind: deadline\n", "<<: *b\n"), "base:",
                        "アンカー（&）とエイリアス（*）は使えません", "are not allowed in rule files"),
    "deep_nesting": (BASE + "enabled: " + "[" * 100_000 + "]" * 100_000 + "\n", "enabled:", "入れ子が深すぎます（20段まで）",
                     "nested too deeply (at most 20 levels)"),
    "huge_file": (BASE + "# " + "x" * 1_100_000 + "\n", "id:", "ファイルが大きすぎます", "file too large"),
    "huge_string": (BASE.replace("description: d", "description: " + "長" * 50_000), "description:", "値が長すぎます",
                    "value too long (50,000 characters; at most 10,000)"),
    "huge_int": (BASE.replace("business_days: 1", "business_days: 123456789012345678901234567890"), "within:",
                 "整数が大きすぎます", "integer out of range"),
    "infinity": (BASE.replace("business_days: 1", "business_days: .inf"), "within:", "数として使えない値です", "not a usable number: inf"),
    "unknown_key": (BASE + "exec: __import__('os').system('touch PWNED')\n", "exec:", "'exec' はdeadlineルールでは使えない項目です",
                    "'exec' is not a key of a deadline rule"),
    "duplicate_key": (BASE + "severity: {default: info}\n", "severity: {default: info}", "2回書かれています", "is written twice"),
    "nul_character": (BASE.replace("description: d", "description: d\x00"), "description:", "YAML に書けない文字があります（U+0000）",
                      "a character YAML does not allow (U+0000)"),
    "reserved_field": (BASE + "when: {field: sid, is: '1'}\n", "when:", "'sid' は予約語のため使えません", "'sid' is reserved"),
    "template_dunder": (_with_message("{{ ''.__class__.__mro__[1].__subclasses__() }}"), "message:", "_ で始まる名前は使えません",
                        "names starting with _ such as"),
    "template_globals": (_with_message("{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}"), "message:",
                         "このテンプレートは使えません", "template refused"),
    "template_multiply": (_with_message("{{ 'x' * 4000000000 }}"), "message:", "テンプレートが作る値が大きすぎます",
                          "builds a value that is too large (about 4,000,000,000 characters"),
    "template_power": (_with_message("{{ 10 ** 100000000 }}"), "message:", "テンプレートが作る値が大きすぎます", "too large"),
    "template_printf_width": (_with_message("{{ '%0999999999d' % 1 }}"), "message:", "% 書式の幅・精度は3桁までです",
                              "width and precision take at most 3 digits"),
    "template_nested_range": (_with_message("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"),
                              "message:", "for ループは入れ子にできません", "for loops cannot be nested"),
    "template_big_range": (_with_message("{% for a in range(100000000) %}{% endfor %}"), "message:", "range() は1,000個までです",
                           "range() is capped at 1,000 items"),
    "template_center": (_with_message("{{ case_id|center(4000000000) }}"), "message:", "フィルタ 'center' は使えません",
                        "the filter 'center' is not allowed"),
    "template_include": (_with_message("{% include '/etc/passwd' %}"), "message:", "{% include %}は使えません",
                         "{% include %} is not allowed"),
    "template_output": (_with_message("{% for i in range(999) %}{{ case_id }}{% endfor %}"), "message:", "展開結果が長すぎます",
                        "the rendered text is too long (at most 2,000 characters)"),
    "template_in_escalation": (BASE.replace("[risk_management_department]", "[\"{{ ''.__class__ }}\"]"), "escalation:",
                               "このテンプレートは使えません", "names starting with _"),
    "contains_too_long": (BASE + "when: {field: summary, contains: " + "誤" * 3000 + "}\n", "when:", "contains の値が長すぎます",
                          "contains value too long (3,000 characters; the decision engine takes at most 50)"),
    "contains_engine_refuses": (BASE + "when: {field: summary, not_contains: '000123'}\n", "when:",
                                "判定エンジン（durable_rules）が受け付けません", "refuses this value (error code: 503)"),
}  # fmt: skip


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, float]:
    """One real ``riskmon rules check`` over a folder of every hostile file (and not-UTF-8 too)."""
    home = tmp_path_factory.mktemp("hostile")
    shutil.copy(ROOT / "config.toml", home / "config.toml")
    folder = home / "rules"
    folder.mkdir()
    for i, (name, (text, *_)) in enumerate(HOSTILE.items()):
        (folder / f"{name}.yaml").write_text(text.replace("{id}", f"H{i}"), encoding="utf-8")
    (folder / "control.yaml").write_text(BASE.replace("{id}", "OK"), encoding="utf-8")  # the same rule, harmless
    (folder / "not_utf8.yaml").write_bytes(BASE.replace("{id}", "SJ").replace("description: d", "description: 事務").encode("cp932"))
    env = {k: v for k, v in os.environ.items() if k not in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", "from riskmon.cli.app import main; main()", "rules", "check", "rules"],
                          cwd=home, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    return home, done.returncode, done.stdout + done.stderr, time.monotonic() - started


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_rule_file_is_refused_at_its_line_in_both_languages(name: str, checked: tuple[Path, int, str, float]) -> None:
    _, code, output, _ = checked
    text, at, ja, en = HOSTILE[name]
    line = text[: text.index(at)].count("\n") + 1
    mine = [row for row in output.splitlines() if row.startswith(f"rules/{name}.yaml:")]
    assert code == 1
    assert len(mine) == 1, output[-3000:]
    assert mine[0].startswith(f"rules/{name}.yaml:{line}:"), mine
    assert ja in mine[0] and en in mine[0], mine
    assert "Traceback" not in output


def test_a_file_that_is_not_utf8_is_refused_with_its_line(checked: tuple[Path, int, str, float]) -> None:
    _, _, output, _ = checked
    assert "rules/not_utf8.yaml:2:13: UTF-8ではありません。UTF-8で保存し直してください / not UTF-8: save the file as UTF-8" in output


def test_all_of_them_are_refused_quickly_and_nothing_ran(checked: tuple[Path, int, str, float]) -> None:
    home, _, output, seconds = checked
    assert f"{len(HOSTILE) + 1}件の問題があります" in output
    # the harmless rule has no problem (only the warning that it has no test)
    assert [row for row in output.splitlines() if "rules/control.yaml" in row] == [
        "警告：rules/control.yaml:1:5: ルールOKにはテストがありません（rules/testsに追加してください） / rule OK has no test (add one under rules/tests)"  # noqa: E501
    ]
    assert seconds < 60  # about 3 s here; before, the bomb and the templates each ran for minutes
    assert not (home / "PWNED").exists() and not (home / "rules" / "PWNED").exists()


def test_rule_test_files_keep_aliases_but_not_a_bomb(tmp_path: Path) -> None:
    """Rule test files share event defaults with anchors; the expanded size is what is capped."""
    shared = tmp_path / "shared.yaml"
    shared.write_text("d: &d {type: daily_report}\ntests: [{events: [{<<: *d, event_id: A}]}]\n", encoding="utf-8")
    doc, problems = load(shared, allow_aliases=True)
    assert problems == [] and doc is not None
    assert doc.data["tests"][0]["events"] == [{"type": "daily_report", "event_id": "A"}]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb(9), encoding="utf-8")
    started = time.monotonic()
    doc, problems = load(bomb, allow_aliases=True)
    assert doc is None and [str(p) for p in problems] == [
        f"{bomb}:1:1: エイリアスを展開すると大きすぎます（200,000要素まで）"
        " / too large once its aliases are expanded (at most 200,000 values)"
    ]
    assert time.monotonic() - started < 5
