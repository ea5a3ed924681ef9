"""One catalogue of words: every entry has both languages, every key a web template asks for exists,
the 機構's wording holds, and the exports' headers follow the language."""

from __future__ import annotations

import ast
import io
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment, nodes
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskmon import domain, i18n
from riskmon.cli.app import app
from riskmon.domain import Bucket, CaseAction, FlagStatus, Line, ReviewStatus, Severity
from riskmon.i18n import catalogue, label, phrase, translator
from riskmon.review import flag_list, permissions
from riskmon.web import export, routes_events
from tests.helpers import ROOT, UNITS_CSV, error_report, write_jsonl

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
ENTRIES = list(catalogue())
RISKMON = Path(__file__).resolve().parents[1] / "riskmon"
WEB = RISKMON / "web"
TEMPLATES = sorted((WEB / "templates").glob("*.html"))


def lacking(entries: Iterable[tuple[str, tuple[str, str]]]) -> list[str]:
    """Entries missing a language: an empty side (English may be empty only where the catalogue
    declares it has no word), or English that is still Japanese (an untranslated label)."""
    bad = []
    for where, (ja, en) in entries:
        empty_en = en.strip() == "" and where not in i18n.NO_ENGLISH
        if ja.strip() == "" or empty_en or JAPANESE.search(en):
            bad.append(where)
    return bad


@pytest.mark.parametrize(("where", "pair"), ENTRIES, ids=[w for w, _ in ENTRIES])
def test_every_entry_has_its_other_language(where: str, pair: tuple[str, str]) -> None:
    assert lacking([(where, pair)]) == []


def test_only_the_counter_word_has_no_english() -> None:
    # 件 after a number: English says "3", not "3 items"; the exception cannot go stale
    assert {"web:count_suffix"} == i18n.NO_ENGLISH
    assert [pair for where, pair in ENTRIES if where in i18n.NO_ENGLISH] == [("件", "")]


def test_the_catalogue_covers_the_domain_the_vocabulary_the_documents_and_the_pages() -> None:
    where = {w.split(":")[0] for w, _ in ENTRIES}
    assert where == {"domain", "vocabulary", "report", "review", "web", "condition", "evidence", "publication", "assurance", "powers"}
    assert len([w for w, _ in ENTRIES if w.startswith("domain:")]) == len(domain.LABELS)


@pytest.mark.parametrize(
    ("namespace", "key", "pair", "where"),
    [("report", "untranslated", ("未翻訳", "未翻訳"), "report:untranslated"),
     ("web", "blank_english", ("空欄", " "), "web:blank_english"),
     ("web", "blank_japanese", ("", "blank"), "web:blank_japanese")],
)  # fmt: skip
def test_the_completeness_check_catches_a_missing_language(monkeypatch: pytest.MonkeyPatch, namespace: str, key: str,
                                                            pair: tuple[str, str], where: str) -> None:  # fmt: skip
    monkeypatch.setitem(i18n._PHRASES[namespace], key, pair)
    assert lacking(catalogue()) == [where]


def word_tables(source: str) -> list[int]:
    """The lines where a dict literal maps keys to two or more (Japanese, English) pairs: a word
    table of its own, which the catalogue's lookup and its completeness test would not see."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            pairs = [v for v in node.values if isinstance(v, ast.Tuple) and len(v.elts) == 2
                     and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                     and JAPANESE.search(str(v.elts[0].value))]  # fmt: skip
            if len(pairs) >= 2:
                lines.append(node.lineno)
    return lines


def test_no_module_keeps_a_word_table_outside_the_catalogue() -> None:
    modules = [p for p in RISKMON.rglob("*.py") if "i18n" not in p.relative_to(RISKMON).parts]
    found = {str(p.relative_to(RISKMON)): word_tables(p.read_text(encoding="utf-8")) for p in modules}
    assert {m: lines for m, lines in found.items() if lines} == {}
    assert word_tables('W = {"a": ("語", "word"), "b": ("表", "table")}') == [1]  # the scan sees one


# -- the web templates ---------------------------------------------------------------------------

#: ``t('prefix_' ~ value)``: the values the code can give, for each prefix a template uses
PREFIXED: dict[str, list[str]] = {
    "act_": list(permissions.ACTIONS),
    "note_": [a for a in permissions.ACTIONS if a not in ("take_on", "confirm")],  # the actions with a note field
    "sort_": list(flag_list.SORTS),
    "by_": list(routes_events.LOOKUPS),
    "f_": [f for f in flag_list.FIELDS if f != "page"],  # flags.html shows a page problem without a field label
}


def _keyword_values(name: str) -> set[str]:
    """What the web modules pass to a template as ``name="..."`` (``title_key``, ``body_key``)."""
    found: set[str] = set()
    for module in WEB.glob("*.py"):
        found |= set(re.findall(rf'\b{name}="([a-z0-9_]*)"', module.read_text(encoding="utf-8")))
    return found - {""}  # an empty key is guarded in the template ({% if body_key %})


def _loop_values(tree: nodes.Template, name: str) -> set[str] | None:
    """The constants a ``{% for ... name ... in [...] %}`` over a literal list binds ``name`` to."""
    for loop in tree.find_all(nodes.For):
        targets = [loop.target] if isinstance(loop.target, nodes.Name) else getattr(loop.target, "items", [])
        names = [t.name for t in targets if isinstance(t, nodes.Name)]
        if name not in names or not isinstance(loop.iter, nodes.List):
            continue
        position = names.index(name)
        values: set[str] = set()
        for item in loop.iter.items:
            element = item.items[position] if isinstance(item, nodes.Tuple) and len(names) > 1 else item
            values |= {c.value for c in element.find_all(nodes.Const) if isinstance(c.value, str)}
            if isinstance(element, nodes.Const) and isinstance(element.value, str):
                values.add(element.value)
        return values
    return None


def keys_asked_for(source: str) -> tuple[set[str], list[str]]:
    """Every catalogue key a template's ``t(...)`` calls can ask for, and the calls this check
    cannot resolve (a new way of calling ``t`` must be taught here, never skipped)."""
    tree = Environment().parse(source)
    keys: set[str] = set()
    unresolved: list[str] = []
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "t"):
            continue
        arg = call.args[0] if len(call.args) == 1 else None
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            keys.add(arg.value)
        elif isinstance(arg, nodes.Concat) and isinstance(arg.nodes[0], nodes.Const) and arg.nodes[0].value in PREFIXED:
            keys |= {arg.nodes[0].value + v for v in PREFIXED[arg.nodes[0].value]}
        elif isinstance(arg, nodes.Name) and (values := _loop_values(tree, arg.name) or _keyword_values(arg.name)):
            keys |= values
        else:
            unresolved.append(f"line {call.lineno}: t({arg})")
    return keys, unresolved


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_every_key_a_template_asks_for_is_in_the_catalogue(template: Path) -> None:
    keys, unresolved = keys_asked_for(template.read_text(encoding="utf-8"))
    assert unresolved == []
    assert sorted(keys - set(i18n._PHRASES["web"])) == []
    assert keys  # the scan found the template's words (every page has some)


def test_the_template_check_catches_an_unknown_key_and_an_unknown_form() -> None:
    source = "{{ t('queue_title') }} {{ t('no_such_key') }} {{ t('act_' ~ a) }} {{ t(mystery) }} {{ t('zz_' ~ b) }}"
    keys, unresolved = keys_asked_for(source)
    assert sorted(keys - set(i18n._PHRASES["web"])) == ["no_such_key"]
    assert {"queue_title", "act_confirm", "act_reopen"} <= keys
    assert unresolved == ["line 1: t(Name(name='mystery', ctx='load'))",
                          "line 1: t(Concat(nodes=[Const(value='zz_'), Name(name='b', ctx='load')]))"]  # fmt: skip


def test_variables_resolve_to_the_keys_the_code_passes() -> None:
    users = (WEB / "templates" / "users.html").read_text(encoding="utf-8")
    assert {"u_activate", "u_deactivate", "u_reset", "u_revoke"} <= keys_asked_for(users)[0]
    error = keys_asked_for((WEB / "templates" / "error.html").read_text(encoding="utf-8"))[0]
    passed = {"csrf_title", "csrf_body", "not_found_title", "forbidden_title", "forbidden_body", "quarantine_second_line",
              "too_large_title", "changes_second_third_line", "sso_no_password_title", "sso_no_password"}  # fmt: skip
    assert error == passed | {"back_to_start"}  # title_key and body_key as the routes pass them, and the literal


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_templates_hold_no_japanese_of_their_own(template: Path) -> None:
    # words come from the catalogue; the one exception is the language switch, which names
    # Japanese in Japanese whatever the page's language (as it names English in English).
    # Kana and kanji only: the full-width brackets around a count are punctuation, not words.
    text = template.read_text(encoding="utf-8").replace("日本語", "")
    assert re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", text) == []


# -- the words themselves ------------------------------------------------------------------------


def test_the_agencys_wording() -> None:
    assert [label(s) for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)] == ["重大", "高", "中", "低"]
    assert (label(CaseAction.ACKNOWLEDGE), label(CaseAction.CONFIRM), label(ReviewStatus.RESOLVED)) == ("受領", "承認", "完了")
    assert label(ReviewStatus.DISMISSED) == "却下" and label("file") == "ファイル全体"
    assert [w for w, (ja, _) in ENTRIES if "クローズ" in ja] == []  # 完了, never クローズ
    assert phrase("report", "resolved") == "完了"


def test_one_lookup_for_enums_codes_and_phrases() -> None:
    assert (label(Line.SECOND, "en"), label("second", "en"), label("daily_report")) == ("second line", "second line", "日次業務報告")
    # "open" is two things: the enum member says which
    assert (label(FlagStatus.OPEN), label(ReviewStatus.OPEN), label("open")) == ("発生中", "未対応", "open")
    assert (label(Bucket.AWAITING_ME, "en"), label(None), label("no_such_code")) == ("awaiting my confirmation", "", "no_such_code")
    assert (translator("web", "ja")("queue_title"), translator("web", "en")("queue_title")) == ("本日の確認", "Today's review")
    assert phrase("web", "logged_out", "en") == "You have logged out"
    with pytest.raises(KeyError):
        phrase("report", "no_such_phrase")
    with pytest.raises(KeyError):
        translator("web", "en")("no_such_word")


@pytest.mark.parametrize(
    ("lang", "sheet", "headers"),
    [("ja", "フラグ一覧", ["番号", "重大度", "状態", "件名", "担当部署", "担当部署名", "ルール", "リスク区分", "対象", "検知日時",
                         "期限", "内容"]),
     ("en", "Flags", ["No.", "Severity", "Status", "Title", "Owner unit", "Owner unit name", "Rule", "Risk category", "Subject",
                      "First seen", "Due", "Message"])],
)  # fmt: skip
def test_the_flag_exports_headers_follow_the_language(lang: str, sheet: str, headers: list[str]) -> None:
    book = load_workbook(io.BytesIO(export.xlsx_bytes([], {}, lang, ZoneInfo("Asia/Tokyo"))))
    assert book.sheetnames == [sheet]
    assert [c.value for c in book[sheet][1]] == headers
    csv_head = b"".join(export.csv_chunks([], {}, lang, ZoneInfo("Asia/Tokyo"))).decode("utf-8-sig")
    assert csv_head == ",".join(headers) + "\r\n"


def test_the_committee_packs_xlsx_follows_the_cli_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    config = (ROOT / "config.toml").read_text(encoding="utf-8").replace('url = "sqlite:///var/riskmon.db"', 'url = "sqlite:///t.db"')
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")])

    def cli(*args: str) -> int:
        result = CliRunner().invoke(app, ["--config", str(tmp_path / "config.toml"), *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code

    assert (cli("db", "upgrade"), cli("ingest", "units.csv", "e.jsonl")) == (0, 0)
    sheets = {}
    for lang in ("ja", "en"):
        assert cli("--lang", lang, "report", "committee", "--from", "2025-04-01", "--to", "2025-04-30", "--out", lang) == 0
        (xlsx,) = (tmp_path / lang).rglob("committee.xlsx")
        sheets[lang] = load_workbook(xlsx).sheetnames
    assert sheets == {
        "ja": [
            "外部委託検査",
            "不適事項",
            "事務処理誤り_月別",
            "事務処理誤り_分類別",
            "重点三事案_期限超過",
            "重点三事案_期限後完了",
            "拠点別発生率",
            "リスクの高い拠点",
        ],
        "en": [
            "Inspections",
            "Nonconformities",
            "Errors by month",
            "Errors by category",
            "Overdue priority",
            "Completed late",
            "Error rates by office",
            "Highest-risk offices",
        ],
    }
