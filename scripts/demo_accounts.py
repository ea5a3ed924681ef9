"""The demo's web accounts: one per kind of user the pages serve (the last step of `make demo`).

Why generated passwords, printed once: there is no default password anywhere in riskmon. Each run
gives every demo account a fresh one-time password through the same call as
``riskmon users set-password USER --generate`` (:meth:`riskmon.accounts.auth.Accounts.set_password`
with no password: argon2id-hashed, audited with channel ``cli``, every earlier session ended,
must be changed at the first login) and shows them in one table — the only place they appear.
Running it again (a second `make demo`) simply issues new ones; the old ones stop working.

The accounts come from the users master the demo loads (``sample_events/users.csv``); README.md's
"ブラウザで使う" section lists the same ids (tests/test_readme.py keeps the three in step).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

import riskmon
from riskmon.accounts.auth import Accounts
from riskmon.i18n import label, msg
from riskmon.review.users import actor
from riskmon.store.tables import Unit, table_of

#: (user id, what the account shows in Japanese, in English) — README.md lists the same ids
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("po149.yamada", "年金事務所長", "pension office head"),
    ("rd06.sato", "地域部（管内の事務所も）", "regional division (and its offices)"),
    ("rmd.suzuki", "リスク担当者 A", "risk officer A"),
    ("rmd.tanaka", "リスク担当者 B（四つの目）", "risk officer B (four eyes)"),
    ("aud.kato", "監査担当（閲覧のみ）", "auditor (read only)"),
    ("rmd.kobayashi", "利用者管理者", "user administrator"),
)
BY = "cli:make-demo"


def issue(rm: riskmon.Riskmon) -> Table:
    """Give every demo account a fresh one-time password; the table that shows them."""
    lang = rm.settings.display.lang
    accounts = Accounts(rm.ready(), rm.settings.web, lambda: datetime.now(UTC))
    table = Table(
        title=msg(
            "ブラウザ用デモアカウント（make serve → http://127.0.0.1:8000/）",
            "demo accounts for the browser (make serve → http://127.0.0.1:8000/)",
            lang,
        ),
        caption=msg(
            "一時パスワードはここに一度だけ表示します。初回ログイン時に新しいパスワードへの変更が必要です。"
            "もう一度 make demo を実行すると新しいパスワードが発行され、以前のものは使えなくなります。",
            "These one-time passwords are shown only now and must be changed at the first login. "
            "Running make demo again issues new ones; the old ones stop working.",
            lang,
        ),
    )
    for header in (("利用者ID", "user id"), ("氏名", "name"), ("役割", "role"), ("線", "line"), ("部署", "unit"),
                   ("一時パスワード", "one-time password")):  # fmt: skip
        table.add_column(msg(*header, lang), no_wrap=header[0] in ("利用者ID", "一時パスワード"))
    units = table_of(Unit)
    with accounts.engine.connect() as conn:  # every account is looked up before any password changes
        people = [(actor(conn, user_id), ja, en) for user_id, ja, en in DEMO_ACCOUNTS]
        names = {r.unit_id: (r.name_ja, r.name_en) for r in conn.execute(select(units.c.unit_id, units.c.name_ja, units.c.name_en))}
    for who, ja, en in people:
        password = accounts.set_password(who.user_id, None, by=BY, channel="cli")
        assert password is not None  # None is only returned for a password the caller chose
        unit = f"{who.unit_id} {msg(*names[who.unit_id], lang)}"
        cells = (who.user_id, who.name, f"{msg(ja, en, lang)} [{who.role}]", label(who.line, lang), unit, password)
        table.add_row(*(Text(c) for c in cells))  # Text: "[user_admin]" is a word, not rich markup
    return table


def main() -> None:
    with riskmon.Riskmon.from_config() as rm:
        table = issue(rm)
    Console(width=max(Console().width, 150)).print(table)


if __name__ == "__main__":
    try:
        main()
    except riskmon.RiskmonError as exc:  # e.g. the users master was not loaded: words, not a traceback
        sys.exit(f"error: {exc.text('ja')}\n（make demo が先に sample_events/users.csv を読み込みます / make demo loads it first）")
