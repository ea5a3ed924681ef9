"""Where the audit key and the anchors file live, and reading / creating the key.

The chain is keyed (HMAC-SHA256) so that someone who can write the database but not read the key
cannot recompute it after an edit. The key therefore lives outside the database: in
``RISKMON_AUDIT_KEY`` or in a file (``[audit] key_file`` in config.toml, default
``var/audit.key`` beside config.toml, mode 0600). The anchors file (``[audit] anchors_file``,
default ``var/audit-anchors.jsonl``, or ``RISKMON_AUDIT_ANCHORS``) is the record outside the
database that truncation is measured against.

Appends happen deep inside every command, so the locations cannot be passed down each call: the
CLI registers its settings once (:func:`configure`); library callers without that fall back to
``load_settings()`` (``RISKMON_CONFIG`` or ``./config.toml``), the same file the CLI would read.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from riskmon.config import Settings, load_settings
from riskmon.errors import RiskmonError
from riskmon.i18n import Lang, msg

ENV_KEY = "RISKMON_AUDIT_KEY"
ENV_ANCHORS = "RISKMON_AUDIT_ANCHORS"
MIN_KEY_CHARS = 32


class AuditError(RiskmonError):
    """A problem with the audit key or anchors that a person must fix; worded in both languages,
    shown in the language the CLI was started with (see :func:`configure`)."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(ja, en)

    def text(self, lang: str | None = None) -> str:
        return msg(self.ja, self.en, "en" if (lang or _state.lang) == "en" else "ja")

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class AuditPaths:
    key_file: Path
    anchors_file: Path
    key_from_env: bool


@dataclass
class _State:
    settings: Settings | None = None
    lang: Lang = "ja"


_state = _State()
_key_cache: dict[Path, tuple[int, bytes]] = {}


def configure(settings: Settings, lang: Lang = "ja") -> None:
    """Use these settings for the key and anchors of this process (called once by the CLI)."""
    _state.settings, _state.lang = settings, lang


def _settings(settings: Settings | None) -> Settings:
    return settings or _state.settings or load_settings()


def paths(settings: Settings | None = None) -> AuditPaths:
    """The key and anchors files, relative to the config's folder (the ``[audit]`` section was
    validated with the rest of the config, riskmon.config.AuditConfig)."""
    s = _settings(settings)
    anchors = os.environ.get(ENV_ANCHORS) or s.audit.anchors_file
    return AuditPaths(s.base_dir / s.audit.key_file, s.base_dir / anchors, bool(os.environ.get(ENV_KEY)))


def _checked(text: str, where: str) -> bytes:
    value = text.strip()
    if len(value) < MIN_KEY_CHARS:
        raise AuditError(f"監査キーが短すぎます（{where}）：{MIN_KEY_CHARS}文字以上が必要です",
                         f"the audit key in {where} is too short: it needs at least {MIN_KEY_CHARS} characters")  # fmt: skip
    return value.encode()


def load_key(settings: Settings | None = None) -> bytes:
    """The HMAC key: ``RISKMON_AUDIT_KEY``, else the key file. Missing → :class:`AuditError`."""
    env = os.environ.get(ENV_KEY)
    if env:
        return _checked(env, ENV_KEY)
    path = paths(settings).key_file
    try:
        mtime = path.stat().st_mtime_ns
        cached = _key_cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        key = _checked(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError as exc:
        raise AuditError(
            f"監査キーがありません：{path}（環境変数{ENV_KEY}も未設定）。新しい環境なら riskmon db upgrade で作成されます。"
            "既存のデータベースならバックアップからキーを戻してください",
            f"the audit key is missing: {path} (and {ENV_KEY} is not set). On a new installation riskmon db upgrade "
            "creates it; for an existing database restore the key from its backup",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"監査キーを読めません：{path}: {exc}", f"cannot read the audit key {path}: {exc}") from exc
    _key_cache[path] = (mtime, key)
    return key


def create_key_file(path: Path) -> None:
    """A new random key, readable by the owner only (created exclusively: never overwrites)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_hex(32) + "\n")


def key_file_warning(settings: Settings | None = None) -> tuple[str, str] | None:
    """A key file that others can read is a key others can use to forge the chain."""
    p = paths(settings)
    if p.key_from_env or not p.key_file.exists():
        return None
    mode = stat.S_IMODE(p.key_file.stat().st_mode)
    if mode & 0o077:
        return (f"監査キー{p.key_file}の権限が{mode:o}です。chmod で600にしてください",
                f"the audit key {p.key_file} has mode {mode:o}; make it 600 (chmod 600)")  # fmt: skip
    return None
