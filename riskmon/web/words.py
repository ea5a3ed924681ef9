"""Every word the web pages show, in Japanese and English, in one table.

Templates call ``t('key')``; a key missing here is a KeyError at render time, and
``tests/web/test_words.py`` checks every key used by a template exists with both wordings.
Domain values (severity, case status, line) take their labels from :mod:`riskmon.domain`.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "app_name": ("riskmon リスク監視", "riskmon risk monitoring"),
    "skip_to_main": ("本文へ移動", "Skip to main content"),
    "nav_queue": ("本日の確認", "Today's review"),
    "nav_password": ("パスワード変更", "Change password"),
    "logout": ("ログアウト", "Log out"),
    "language": ("言語", "Language"),
    "signed_in_as": ("ログイン中", "Signed in as"),
    "login_title": ("ログイン", "Log in"),
    "user_id": ("利用者ID", "User id"),
    "password": ("パスワード", "Password"),
    "login_button": ("ログイン", "Log in"),
    "login_help": (
        "パスワードを忘れた場合やロックされた場合は、利用者管理の担当者に連絡してください",
        "If you forgot your password or are locked out, contact your user administrator",
    ),
    "password_title": ("パスワード変更", "Change password"),
    "password_forced": (
        "初回ログインのため、発行されたパスワードを新しいパスワードに変更してください",
        "This is your first login: replace the issued password with a new one",
    ),
    "current_password": ("現在のパスワード", "Current password"),
    "new_password": ("新しいパスワード", "New password"),
    "confirm_password": ("新しいパスワード（確認）", "New password (again)"),
    "password_rule": (
        "12文字以上。よく使われるパスワードと利用者IDを含むものは使えません",
        "At least 12 characters; common passwords and ones containing your user id are refused",
    ),
    "password_mismatch": ("新しいパスワードが確認欄と一致しません", "the two new passwords differ"),
    "change_button": ("変更する", "Change"),
    "password_changed": (
        "パスワードを変更しました。他の端末のセッションは終了しました",
        "Password changed; your sessions elsewhere were ended",
    ),
    "queue_title": ("本日の確認", "Today's review"),
    "queue_intro": (
        "あなたが確認できる未完了のフラグです（重大度の高いもの、古いものから）",
        "Open flags you may see, most severe and oldest first",
    ),
    "queue_empty": ("確認するフラグはありません", "Nothing to review"),
    "total": ("合計", "Total"),
    "count_suffix": ("件", ""),
    "as_of": ("基準時刻", "As of"),
    "bucket_awaiting_me": ("承認待ち（あなたの承認）", "Awaiting my confirmation"),
    "bucket_new": ("新規（前営業日以降）", "New since the last business day"),
    "bucket_escalated": ("エスカレーション中", "Escalated"),
    "bucket_overdue": ("期限超過", "Overdue"),
    "bucket_other": ("その他の未完了", "Other open flags"),
    "col_id": ("番号", "No."),
    "col_severity": ("重大度", "Severity"),
    "col_title": ("件名", "Title"),
    "col_unit": ("担当部署", "Owner unit"),
    "col_status": ("状態", "Status"),
    "col_first_seen": ("検知日時", "First seen"),
    "col_due": ("期限", "Due"),
    "csrf_title": ("要求を受け付けられませんでした", "Request refused"),
    "csrf_body": (
        "フォームの有効期限が切れたか、不正な要求です。ページを読み込み直してから、もう一度操作してください",
        "The form has expired or the request was forged. Reload the page and try again",
    ),
    "not_found_title": ("ページが見つかりません", "Page not found"),
    "back_to_start": ("最初のページへ", "Back to the start page"),
    "session_ended": ("セッションが終了しました。もう一度ログインしてください", "Your session has ended; please log in again"),
    "logged_out": ("ログアウトしました", "You have logged out"),
}


def word(key: str, lang: str) -> str:
    ja, en = WORDS[key]
    return en if lang == "en" else ja
