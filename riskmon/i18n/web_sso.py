"""The single sign-on words of the login page and the password page (issue #14; riskmon.web.routes_auth),
joined with the other web words in :mod:`riskmon.i18n` (namespace ``web``)."""

from __future__ import annotations

SSO_WORDS: dict[str, tuple[str, str]] = {
    "sso_button": ("シングルサインオンでログイン", "Log in with single sign-on"),
    "sso_help": (
        "組織の認証基盤でログインします。riskmonの利用者として登録されている必要があります",
        "You log in at the organisation's identity provider; you must also be registered as a riskmon user",
    ),
    "sso_or_password": ("利用者IDとパスワードでログイン", "Or log in with your user id and password"),
    "sso_switch_user": (
        "認証基盤からログアウトして、別の利用者でログインする",
        "Log out of the identity provider to log in as someone else",
    ),
    "sso_leaving": ("認証基盤からもログアウトしています。", "Logging you out of the identity provider too."),
    "sso_leaving_link": ("移動しない場合はこちら", "Continue"),
    "sso_no_password_title": ("パスワードは使いません", "No password here"),
    "sso_no_password": (
        "このriskmonではシングルサインオンでログインするため、riskmonのパスワードはありません。パスワードは組織の認証基盤で変更してください",
        "This riskmon is entered by single sign-on only, so there is no riskmon password; "
        "change your password at the organisation's identity provider",
    ),
}
