"""Markup shared by several pages, written once (templates/_macros.html): a flag's row in 本日の確認
and in フラグ一覧, and the pager of フラグ一覧 and 取込エラー — the same cells and the same links."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers import run
from tests.web.pages_support import copies_of


def row_of(html: str, flag_id: int) -> list[str]:
    """The cells of a flag's row, tags inside them included."""
    found = re.search(rf'<tr data-flag="{flag_id}" data-unit="[^"]*">(.*?)</tr>', html, re.S)
    assert found, flag_id
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def pager(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="pager" aria-label="ページ送り">(.*?)</nav>', html, re.S)
    assert nav, "no pager"
    return re.findall(r'<a href="([^"]+)" rel="(prev|next)">', nav.group(1))


def test_a_flag_row_is_the_same_in_the_queue_and_the_list(as_: Callable[[str], TestClient], flags: dict[str, int]) -> None:
    client = as_("po1")
    flag = flags["R01:C1"]
    queue, listed = row_of(client.get("/").text, flag), row_of(client.get("/flags?status=all").text, flag)
    title = f'<a href="/flags/{flag}">事務処理誤りのリスク統括部への報告遅延</a>'
    assert queue[:3] == [str(flag), '<span class="sev sev-high">高</span>', title] and len(queue) == 7
    select = f'<input type="checkbox" name="ids" value="{flag}" form="bulk" id="sel-{flag}" aria-label="フラグを選択 {flag}">'
    assert listed == [select, queue[0], queue[1], f'{title}<br><span class="subject">C1</span>', queue[3], queue[4], "R01", *queue[5:]]
    reader = row_of(as_("auditor").get("/flags?status=all").text, flag)
    assert reader == listed[1:]  # read-only: no selection box, nothing else missing


def test_the_flag_list_pager(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    copies_of(engine, flags["R01:C1"], 60)
    middle = as_("po1").get("/flags?per=25&status=all&sort=id&dir=asc&page=2").text
    assert pager(middle) == [("/flags?status=all&amp;sort=id&amp;dir=asc&amp;page=1&amp;per=25", "prev"),
                             ("/flags?status=all&amp;sort=id&amp;dir=asc&amp;page=3&amp;per=25", "next")]  # fmt: skip
    assert "<span>ページ 2 / 3</span>" in middle


def test_the_import_errors_pager(as_: Callable[[str], TestClient], engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "many.jsonl"
    bad.write_text("".join(json.dumps({"event_id": f"B{i}", "type": "error_report", "unit_id": "PO-001"}) + "\n" for i in range(120)))
    run(engine, bad)
    client = as_("risk1")
    first = client.get(f"/quarantine?file={bad}").text
    assert pager(first) == [(f"/quarantine?file={str(bad).replace('/', '%2F')}&amp;show=open&amp;page=2", "next")]
    assert "<span>ページ 1 / 2</span>" in first
    second = client.get(f"/quarantine?file={bad}&page=2").text
    assert [rel for _, rel in pager(second)] == ["prev"] and "<span>ページ 2 / 2</span>" in second
