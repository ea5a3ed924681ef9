"""No fixed or default password anywhere riskmon ships or documents (issue #11).

Passwords are set by an administrator or generated (``riskmon users set-password --generate``, the
demo's scripts/demo_accounts.py) and shown once. This scan reads the package, the scripts, the
Makefile, the config and the docs for anything that looks like a password written into them: a
string literal assigned to a password-like name, a literal handed to ``set_password``, a
``--password VALUE`` option, a literal piped into ``--password-stdin``. Tests are not scanned —
they set their own test passwords on throwaway databases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

SHIPPED = [ROOT / "Makefile", ROOT / "README.md", ROOT / "config.toml"]
FOLDERS = [ROOT / "riskmon", ROOT / "scripts", ROOT / "docs"]
SUFFIXES = {".py", ".html", ".md", ".toml", ".txt", ".js", ".cfg", ".ini", ".yaml", ".yml", ".sh"}
#: the list of well-known passwords the policy *refuses* — the opposite of a default password
REFUSED_LIST = ROOT / "riskmon" / "accounts" / "common_passwords.txt"

SECRET_NAME = r"[A-Za-z_]*(?:password|passwd|pwd|secret|passphrase)[A-Za-z_]*"
LOOKS_LIKE_A_PASSWORD = [
    # password = "…"; not a name ending in _env, which holds the NAME of an environment variable ([sso] client_secret_env)
    re.compile(rf"(?i)\b{SECRET_NAME}(?<!_env)['\"]?\s*(?::\s*[\w\[\]| .]+)?\s*[:=]\s*f?(['\"])(?!\1)[^'\"\n]{{3,}}\1"),
    re.compile(r"(?i)set_password\(\s*[^,()]+,\s*f?['\"]"),  # set_password(user, "…")
    re.compile(r"(?i)--(?:password|passwd)(?:=|\s+)(?!-)['\"]?[^\s'\"$-]"),  # --password VALUE
    re.compile(r"(?i)\b(?:echo|printf)\s+(['\"])(?![%$])[^'\"]+\1.*--password-stdin"),  # echo '…' | … --password-stdin
]


def hits(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in LOOKS_LIKE_A_PASSWORD)]


def shipped_files() -> list[Path]:
    files = [*SHIPPED]
    for folder in FOLDERS:
        files += [p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES and p != REFUSED_LIST]
    return sorted(files)


def test_nothing_shipped_or_documented_contains_a_password() -> None:
    files = shipped_files()
    assert ROOT / "scripts" / "demo_accounts.py" in files and ROOT / "docs" / "web.md" in files
    found = {str(p.relative_to(ROOT)): h for p in files if (h := hits(p.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.mark.parametrize(
    "line",
    [
        'DEFAULT_PASSWORD = "Welcome-2024!"',
        "admin_password: str = 'riskmon-admin'",
        'client_secret = "s3cr3t-value"',
        '    {"password": "demo-demo-demo"}',
        'accounts.set_password("rmd.suzuki", "changeme-please")',
        "riskmon users set-password po001.sato --password Secret12345",
        "echo 'correct horse battery' | riskmon users set-password po001.sato --password-stdin",
    ],
)
def test_the_scan_finds_a_written_password(line: str) -> None:
    assert hits(line) == [line.strip()]


@pytest.mark.parametrize(
    "line",
    [
        'password: Annotated[str, Form()] = "",',
        'values = {"user_id": user_id, "password_hash": hashed, "must_change": must_change}',
        "printf '%s\\n' \"$NEW_PASSWORD\" | riskmon users set-password po001.sato --password-stdin",
        "riskmon users set-password po001.sato --generate",
        "secret = passwords.generate_password() if password is None else password",
        '"password": ("パスワード", "Password"),',
        'client_secret_env = "RISKMON_SSO_CLIENT_SECRET"   # the NAME of the variable; the secret is in the environment',
    ],
)
def test_the_scan_leaves_what_is_no_password(line: str) -> None:
    assert hits(line) == []
