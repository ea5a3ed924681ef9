"""The pages end to end in Debian's Chromium (Playwright) against ``riskmon serve``.

(1) an office head sees only their office's flags, acknowledges one and responds (an htmx form);
(2) risk officer A proposes closing a high flag, B finds it under 承認待ち and confirms, A is never
offered the confirmation; (3) the auditor sees everything, has no action buttons, and a forged
POST is refused. Screenshots of every page go to var/test-artifacts/web/ (A4 print views too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from riskmon.flags.repository import Proposal
from riskmon.store.db import make_engine
from tests.web.browser_support import browser, browser_en, expect_flag_rows, log_in, page, playwright_, print_shot, seed_site, shot
from tests.web.pages_support import flag_row
from tests.web.serving import serve
from tests.web.support import EVIL, PASSWORD

__all__ = ["browser", "browser_en", "page", "playwright_"]  # the shared fixtures (tests/web/browser_support.py)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("web_pages_e2e")
    env, flags = seed_site(folder)
    with serve(folder, env) as base:
        yield {"base": base, "flags": flags, "db": env["RISKMON_DATABASE_URL"]}


def test_an_office_head_acknowledges_and_responds(site: dict[str, object], page: Page) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    log_in(page, base, "po1", PASSWORD)
    page.get_by_role("link", name="フラグ一覧").click()
    expect(page.get_by_role("heading", name="フラグ一覧", level=1)).to_be_visible()
    expect_flag_rows(page, 3, {"PO-001"})
    expect(page.locator("#total")).to_have_text("3")
    shot(page, "10_flags_po1")
    print_shot(page, "10_flags_po1")
    page.get_by_label("重大度").select_option("critical")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(re.compile(r"severity=critical"))
    expect(page.locator("tr[data-flag] .sev:not(.sev-critical)")).to_have_count(0)
    page.goto(f"{base}/flags/{flags['R01:C1']}")
    expect(page.locator("#review-status")).to_have_text("未対応")
    page.get_by_role("button", name="受領する").click()
    expect(page.locator("#done")).to_contain_text("受領")
    expect(page.locator("#review-status")).to_have_text("受領")
    page.get_by_role("button", name="回答する").click()  # empty: the service's refusal comes back inline
    expect(page.locator("#err-response")).to_have_text("コメントが空です")
    page.locator("#note-response").fill("お客様へ説明し、再発防止策を検討中です")
    page.get_by_role("button", name="回答する").click()
    expect(page.locator("tr[data-action='response']")).to_contain_text("お客様へ説明し")
    shot(page, "11_detail_po1_after_response")
    print_shot(page, "11_detail_po1")
    page.goto(f"{base}/flags/{flags['R01:C3']}")  # another office's flag: as absent as a missing one
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()
    page.goto(f"{base}/events?by=case&q=C1")
    expect(page.locator("li[data-step]")).to_have_count(3)
    shot(page, "12_events_case_po1")


def test_four_eyes_between_two_risk_officers(site: dict[str, object], browser: Browser, page: Page) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    high = flags["R01:C3"]
    log_in(page, base, "risk1", PASSWORD)
    page.goto(f"{base}/flags/{high}")
    page.locator("#note-resolve").fill("事務所へ報告手順を再周知し、是正を確認")
    page.locator("#resolution-resolve").select_option("remediated")
    page.get_by_role("button", name="完了にする").click()
    expect(page.locator("#pending")).to_contain_text("risk1")
    expect(page.get_by_role("button", name="承認する（四つの目）")).to_have_count(0)  # never offered to the proposer
    engine = make_engine(str(site["db"]))
    digest = Proposal.from_json(flag_row(engine, high)["proposal"]).digest
    engine.dispose()
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    forged = page.request.post(f"{base}/flags/{high}/act", form={"action": "confirm", "proposal": digest, "csrf_token": token})
    assert forged.status == 403 and "提案者本人は承認できません" in forged.text()  # nor can they confirm by a forged POST
    shot(page, "20_detail_pending_risk1")
    page.goto(base + "/")
    expect(page.locator("#count-awaiting_me")).to_have_text("0")
    page.get_by_role("button", name="ログアウト").click()
    log_in(page, base, "risk2", PASSWORD)
    expect(page.locator("#count-awaiting_me")).to_have_text("1")
    awaiting = page.locator("#bucket-awaiting_me tr[data-flag]")
    expect(awaiting).to_have_count(1)
    assert awaiting.first.get_attribute("data-flag") == str(high)
    shot(page, "21_queue_awaiting_risk2")
    awaiting.first.get_by_role("link").click()
    page.get_by_role("button", name="承認する（四つの目）").click()
    expect(page.locator("#review-status")).to_have_text("完了")
    shot(page, "22_detail_confirmed_risk2")
    page.goto(base + "/quarantine")
    expect(page.locator("tr[data-reject]")).to_have_count(2)  # the seed's bad record and the one whose unit is a script tag
    shot(page, "23_quarantine_risk2")
    page.goto(base + "/events?by=event&q=I1")
    expect(page.locator("tr[data-nc]")).to_contain_text(EVIL)  # shown as text, not run
    shot(page, "24_events_inspection")


def test_the_auditor_reads_everything_and_changes_nothing(site: dict[str, object], page: Page) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    log_in(page, base, "auditor", PASSWORD)
    expect(page.locator("p.notice")).to_contain_text("閲覧のみ")
    expect(page.locator("#count-awaiting_me")).to_have_count(0)
    page.goto(base + "/flags?status=all")
    expect(page.locator("#total")).to_have_text(str(len(flags)))
    expect(page.locator("input[type=checkbox]")).to_have_count(0)
    shot(page, "30_flags_auditor")
    target = flags["R02:C9"]
    page.goto(f"{base}/flags/{target}")
    expect(page.locator("#no-actions")).to_be_visible()
    expect(page.locator("form.act")).to_have_count(0)
    shot(page, "31_detail_auditor")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = page.request.post(f"{base}/flags/{target}/act", form={"action": "acknowledge", "csrf_token": token or ""})
    assert forged.status == 403
    page.reload()
    expect(page.locator("#review-status")).to_have_text("未対応")
    page.goto(f"{base}/events?by=unit&q=PO-002")
    expect(page.locator("#total")).not_to_have_text("0")
    shot(page, "32_events_unit_auditor")


def test_the_user_administrator_resets_a_password(site: dict[str, object], page: Page) -> None:
    base = str(site["base"])
    log_in(page, base, "admin1", PASSWORD)
    page.get_by_role("link", name="利用者管理").click()
    expect(page.locator("tr[data-user]")).to_have_count(8)
    page.get_by_role("button", name="パスワードを再発行: po2").click()
    expect(page.locator("#one-time")).to_have_text(re.compile(r"^[A-Za-z0-9]{16}$"))
    shot(page, "40_users_admin")
