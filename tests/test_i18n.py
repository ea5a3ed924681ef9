"""One catalogue of words: every entry has both languages, and the 機構's wording holds."""

from __future__ import annotations

import re

import pytest

from riskmon import domain, i18n
from riskmon.domain import Bucket, CaseAction, FlagStatus, Line, ReviewStatus, Severity
from riskmon.i18n import catalogue, label, phrase

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
ENTRIES = list(catalogue())


@pytest.mark.parametrize(("where", "pair"), ENTRIES, ids=[w for w, _ in ENTRIES])
def test_every_entry_has_its_other_language(where: str, pair: tuple[str, str]) -> None:
    ja, en = pair
    assert ja.strip() != "" and en.strip() != ""
    assert JAPANESE.search(en) is None  # an English label still in Japanese is an untranslated one


def test_the_catalogue_covers_the_domain_the_vocabulary_and_the_report() -> None:
    where = {w.split(":")[0] for w, _ in ENTRIES}
    assert where == {"domain", "vocabulary", "report", "review"}
    assert len([w for w, _ in ENTRIES if w.startswith("domain:")]) == len(domain.LABELS)


def test_the_completeness_check_catches_a_missing_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(i18n._PHRASES["report"], "untranslated", ("未翻訳", "未翻訳"))
    bad = [w for w, (ja, en) in catalogue() if not ja.strip() or not en.strip() or JAPANESE.search(en)]
    assert bad == ["report:untranslated"]


def test_the_agencys_wording() -> None:
    assert [label(s) for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)] == ["重大", "高", "中", "低"]
    assert (label(CaseAction.ACKNOWLEDGE), label(CaseAction.CONFIRM), label(ReviewStatus.RESOLVED)) == ("受領", "承認", "完了")
    assert label(ReviewStatus.DISMISSED) == "却下" and label("file") == "ファイル全体"
    assert [w for w, (ja, _) in ENTRIES if "クローズ" in ja] == []  # 完了, never クローズ
    assert phrase("report", "resolved") == "完了"


def test_one_lookup_for_enums_and_codes() -> None:
    assert (label(Line.SECOND, "en"), label("second", "en"), label("daily_report")) == ("second line", "second line", "日次業務報告")
    # "open" is two things: the enum member says which
    assert (label(FlagStatus.OPEN), label(ReviewStatus.OPEN), label("open")) == ("発生中", "未対応", "open")
    assert (label(Bucket.AWAITING_ME, "en"), label(None), label("no_such_code")) == ("awaiting my confirmation", "", "no_such_code")
    with pytest.raises(KeyError):
        phrase("report", "no_such_phrase")
