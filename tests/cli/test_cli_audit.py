"""The audit commands as an operator meets them, through the installed `riskmon` command in a
fresh directory: the key created by `db upgrade`, `audit anchor`, `audit verify`, and a missing
key (a clear message in either language, never a traceback)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from riskmon import audit
from tests.helpers import ROOT, UNITS_CSV

RISKMON = Path(sys.executable).parent / "riskmon"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    return tmp_path


def riskmon(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKMON_")}  # the deployment's own config.toml only
    env["COLUMNS"] = "300"
    return subprocess.run([str(RISKMON), *args], cwd=home, env=env, capture_output=True, text=True, timeout=120)


def test_db_upgrade_creates_the_key_and_anchor_and_verify_report_the_head(home: Path) -> None:
    key, anchors, db = home / "var" / "audit.key", home / "var" / "audit-anchors.jsonl", home / "var" / "riskmon.db"
    up = riskmon(home, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    assert f"監査キーを作成しました：{key}（データベースとは別にバックアップしてください）" in up.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    assert riskmon(home, "db", "upgrade").stdout.count("監査キー") == 0  # once only
    assert riskmon(home, "ingest", "units.csv").returncode == 0  # the run is audited: entry 1

    out = riskmon(home, "audit", "anchor", "--format", "json")
    assert out.returncode == 0, out.stderr
    anchor = json.loads(out.stdout)
    verified = json.loads(riskmon(home, "audit", "verify", "--format", "json").stdout)
    assert {k: v for k, v in anchor.items() if k != "at"} == {
        "database": f"sqlite:{db}", "seq": 1, "hash": verified["head"]["hash"], "reason": "manual", "recorded_in": str(anchors),
    }  # fmt: skip
    assert (verified["intact"], verified["entries"], verified["keyed"], verified["anchors_checked"], verified["breaks"]) == (
        True, 1, 1, 2, [])  # fmt: skip
    assert [json.loads(line)["reason"] for line in anchors.read_text().splitlines()] == ["keyed_start", "manual"]

    text = riskmon(home, "--lang", "en", "audit", "anchor", "--no-record")
    assert text.stdout.splitlines()[:3] == ["audit chain head: seq 1", f"hash: {anchor['hash']}", f"database: sqlite:{db}"]
    assert len(anchors.read_text().splitlines()) == 2  # --no-record only prints
    ok = riskmon(home, "--lang", "en", "audit", "verify")
    assert (ok.returncode, ok.stdout.strip()) == (0, "audit log: 1 entries (1 keyed, 0 legacy; checked against 2 anchors): chain intact")


def test_a_missing_key_is_a_clear_error_in_both_languages(home: Path) -> None:
    assert riskmon(home, "db", "upgrade").returncode == 0
    key = home / "var" / "audit.key"
    key.unlink()
    for args, expected in [
        (["audit", "verify"], f"エラー：監査キーがありません：{key}（環境変数RISKMON_AUDIT_KEYも未設定）"),
        (["--lang", "en", "audit", "verify"], f"error: the audit key is missing: {key} (and RISKMON_AUDIT_KEY is not set)"),
        (["ingest", "units.csv"], f"エラー：監査キーがありません：{key}"),  # any command that records stops before writing
        (["--lang", "en", "ingest", "units.csv"], f"error: the audit key is missing: {key}"),
    ]:
        res = riskmon(home, *args)
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert expected in res.stderr, res.stderr
    again = riskmon(home, "--lang", "en", "db", "upgrade")  # anchored with a key: a new key would make it unverifiable
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert f"error: the audit key {key} is missing, but this database's audit log was kept with a key: restore it" in again.stderr
    assert not key.exists()


def test_a_short_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_AUDIT_KEY", "short")
    with pytest.raises(audit.AuditError) as err:
        audit.load_key()
    assert (err.value.ja, err.value.en) == (
        "監査キーが短すぎます（RISKMON_AUDIT_KEY）：32文字以上が必要です",
        "the audit key in RISKMON_AUDIT_KEY is too short: it needs at least 32 characters",
    )
