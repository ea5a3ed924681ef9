from __future__ import annotations

from pathlib import Path

import pytest

from riskmon.config import ConfigError, load_settings


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    s = load_settings()
    assert s.time.timezone == "Asia/Tokyo"
    assert s.time.fiscal_year_start_month == 4


def test_shipped_config_is_valid() -> None:
    s = load_settings(Path(__file__).resolve().parents[1] / "config.toml")
    assert s.display.lang == "ja"


def test_relative_sqlite_path_is_resolved_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKMON_DATABASE_URL", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[database]\nurl = "sqlite:///var/x.db"\n')
    assert load_settings(cfg).database_url == f"sqlite:///{tmp_path / 'var' / 'x.db'}"


def test_environment_overrides_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RISKMON_DATABASE_URL", "postgresql://db/riskmon")
    assert load_settings().database_url == "postgresql://db/riskmon"


def test_unknown_key_and_bad_zone_are_reported_with_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[time]\ntimezone = "Asia/Tokio"\n[ingest]\nbatchsize = 3\n')
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    text = str(err.value)
    assert f"{cfg}: time.timezone" in text
    assert f"{cfg}: ingest.batchsize" in text


def test_named_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
