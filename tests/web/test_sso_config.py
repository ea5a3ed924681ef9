"""``[sso]`` in config.toml: typed like every section (``file: key: reason``), the client secret
only from the environment (a missing one stops the web application's start with the file and the
key), and ``local_passwords = false`` reaching the CLI's token creation, which needs a password."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from riskmon.config import ConfigError, Settings, SsoConfig, load_settings
from riskmon.web.app import create_app
from tests.helpers import ROOT
from tests.web.support import seed

RISKMON = str(Path(sys.executable).with_name("riskmon"))
GOOD = '[sso]\nissuer = "https://idp.agency.example/realms/riskmon"\nclient_id = "riskmon"\nclient_secret_env = "RISKMON_SSO_SECRET"\n'


def settings_of(tmp_path: Path, body: str) -> Settings:
    cfg = tmp_path / "config.toml"
    cfg.write_text(body, encoding="utf-8")
    return load_settings(cfg)


def test_the_section_and_its_defaults(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, GOOD)
    sso = settings.sso
    assert sso is not None
    assert (sso.issuer, sso.client_id, sso.client_secret_env, sso.user_claim, sso.scopes, sso.local_passwords, sso.base_url) == (
        "https://idp.agency.example/realms/riskmon", "riskmon", "RISKMON_SSO_SECRET", "preferred_username", ["openid", "profile", "email"],
        True, None)  # fmt: skip
    assert settings.local_passwords is True
    assert settings_of(tmp_path, GOOD + "local_passwords = false\n").local_passwords is False
    assert settings_of(tmp_path, "").sso is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('client_secret = "s3cret"', "sso.client_secret: Extra inputs are not permitted"),  # the secret itself is never in the file
        ('scopes = ["profile"]', "sso.scopes: Value error, the scopes must include 'openid' (without it the provider sends no ID token)"),
        ('user_claim = "a b"', "sso.user_claim: String should match pattern '^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$'"),
        ('base_url = "https://riskmon.example/app"', "sso.base_url: Value error, the address users reach riskmon at, as "
         "scheme://host[:port] with no path (e.g. https://riskmon.example.internal)"),
        ("timeout_seconds = 0", "sso.timeout_seconds: Input should be greater than 0"),
    ],
)  # fmt: skip
def test_values_are_typed(tmp_path: Path, extra: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(tmp_path, GOOD + extra + "\n")
    assert str(caught.value) == f"{tmp_path / 'config.toml'}: {expected}"


@pytest.mark.parametrize(
    ("issuer", "ok"),
    [("https://idp.example", True), ("http://127.0.0.1:8080", True), ("http://localhost:9000/realms/x", True),
     ("http://idp.example", False), ("ftp://idp.example", False), ("https://idp.example?x=1", False), ("idp.example", False)],
)  # fmt: skip
def test_the_issuer_is_https_or_this_machine(tmp_path: Path, issuer: str, ok: bool) -> None:
    body = GOOD.replace("https://idp.agency.example/realms/riskmon", issuer)
    if ok:
        assert getattr(settings_of(tmp_path, body).sso, "issuer", None) == issuer
        return
    with pytest.raises(ConfigError, match=r"sso\.issuer: Value error, the issuer "):
        settings_of(tmp_path, body)


def test_a_required_key_missing_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(tmp_path, '[sso]\nissuer = "https://idp.example"\n')
    assert str(caught.value).splitlines() == [f"{tmp_path / 'config.toml'}: sso.client_id: Field required",
                                              f"{tmp_path / 'config.toml'}: sso.client_secret_env: Field required"]  # fmt: skip


def test_the_web_application_does_not_start_without_the_secret(tmp_path: Path, sqlite_engine: Engine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("RISKMON_SSO_SECRET", raising=False)
    settings = settings_of(tmp_path, GOOD)
    with pytest.raises(ConfigError) as caught:
        create_app(settings, engine=sqlite_engine)
    cfg = (tmp_path / "config.toml").resolve()
    assert caught.value.text("en") == (f"{cfg}: sso.client_secret_env: the environment variable RISKMON_SSO_SECRET is not set "
                                       "(the client secret is given in the environment, never in the file)")  # fmt: skip
    assert caught.value.text("ja") == (
        f"{cfg}: sso.client_secret_env: 環境変数RISKMON_SSO_SECRETが設定されていません"
        "（クライアントシークレットはファイルに書かず、環境変数で渡します）"
    )
    monkeypatch.setenv("RISKMON_SSO_SECRET", "from-the-environment")
    assert create_app(settings, engine=sqlite_engine).state.sso.config.client_id == "riskmon"


def test_token_creation_says_what_to_do_when_local_passwords_are_off(tmp_path: Path, engine: Engine) -> None:
    """Refused before any password is asked for or checked (the service refuses it too: test_sso.py)."""
    seed(engine, tmp_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(GOOD + "local_passwords = false\n", encoding="utf-8")
    env = {**os.environ, "RISKMON_CONFIG": str(cfg), "RISKMON_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    for lang, expected in (("ja", "エラー：このriskmonではローカルパスワードを使いません（[sso] local_passwords = false）。"
                                  "パスワードで本人を確かめる個人用APIトークンは発行できません。利用者管理の担当者（user_admin）に発行を依頼してください"),
                           ("en", "error: local passwords are off here ([sso] local_passwords = false), so no personal API token "
                                  "can be proven by a password; ask your user administrator (user_admin) to issue one")):  # fmt: skip
        r = subprocess.run([RISKMON, "--lang", lang, "users", "token", "create", "po1", "--password-stdin"], input="whatever\n",
                           capture_output=True, text=True, env=env, timeout=120, check=False)  # fmt: skip
        assert r.returncode == 1 and "Traceback" not in r.stderr and r.stdout == ""
        assert " ".join(r.stderr.split()) == " ".join(expected.split()), r.stderr


def test_the_documented_sso_keys_and_defaults_are_the_config() -> None:
    """The table under "Configuration: [sso]" in docs/security.md is SsoConfig: every key, every default."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    after = text[text.index("### Configuration: `[sso]`") :]
    table = after[after.index("| key |") : after.index("\n\n", after.index("| key |"))]
    documented = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+?) \|", table, re.M))

    def shown(field: Any) -> str:
        if field.is_required():
            return "(required)"
        value = field.default
        return "(none)" if value is None else f"`{json.dumps(value) if isinstance(value, list | bool) else value}`"

    assert documented == {name: shown(field) for name, field in SsoConfig.model_fields.items()}
