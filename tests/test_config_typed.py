"""Every config section is typed: an unknown key anywhere is refused as ``file: key: reason``, the
rule value tables take numbers, words and lists only, and ``[paths]`` is resolved against the
config file's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskmon.config import ConfigError, load_settings
from riskmon.errors import RiskmonError

#: a section (as written in config.toml) → the key path pydantic reports for an unknown key in it
SECTIONS = [
    ("[database]", "database.nope"),
    ("[time]", "time.nope"),
    ("[calendar]", "calendar.nope"),
    ("[ingest]", "ingest.nope"),
    ("[display]", "display.nope"),
    ("[notify]", "notify.nope"),
    ("[web]", "web.nope"),
    ("[paths]", "paths.nope"),
    ("[jobs]", "jobs.nope"),
    ("[jobs.nightly]", "jobs.nightly.nope"),
    ("[escalation]", "escalation.nope"),
    ("[[escalation.steps]]\nafter_business_days = 2", "escalation.steps.0.nope"),
    ("[audit]", "audit.nope"),
    ("[nope]", "nope"),  # an unknown section
]


@pytest.mark.parametrize(("section", "where"), SECTIONS, ids=[w for _, w in SECTIONS])
def test_an_unknown_key_in_every_section_is_refused(tmp_path: Path, section: str, where: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"{section}\nnope = 1\n" if section != "[nope]" else "[nope]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(cfg)
    assert str(caught.value) == f"{cfg}: {where}: Extra inputs are not permitted"
    assert caught.value.text("ja") == f"設定ファイルに誤りがあります：\n{cfg}: {where}: Extra inputs are not permitted"
    assert isinstance(caught.value, RiskmonError)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[thresholds]\nmany = true", "thresholds.many: Value error, expected a number, a word or a list of them, not True"),
        ("[deadlines]\nx = { a = 1 }", "deadlines.x: Value error, expected a number, a word or a list of them, not {'a': 1}"),
        ("[thresholds]\nBad-Name = 3", "thresholds: Value error, 'Bad-Name': names are lower-case letters, digits and _"
         " (rules write {config: section.name})"),
        ("[jobs.nightly]\ncron = \"0 2 * *\"",
         "jobs.nightly.cron: Value error, not a crontab expression (Wrong number of fields; got 4, expected 5)"),
        ("[escalation]\nsteps = [{ after_business_days = 2, until = \"later\" }]",
         "escalation.steps.0.until: Input should be 'acknowledged' or 'resolved'"),
        ("[jobs]\nlock_lease_seconds = 0", "jobs.lock_lease_seconds: Input should be greater than 0"),
    ],
)  # fmt: skip
def test_values_are_typed(tmp_path: Path, body: str, expected: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(cfg)
    assert str(caught.value) == f"{cfg}: {expected}"


def test_rule_values_and_schedules_are_read(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[thresholds]\nn = 3\nr = 0.5\nw = "x"\nl = [1, "a"]\n[jobs.nightly]\ncron = "0 3 * * *"\n', encoding="utf-8")
    s = load_settings(cfg)
    assert s.rule_values["thresholds"] == {"n": 3, "r": 0.5, "w": "x", "l": [1, "a"]}
    assert (s.jobs.cron("nightly"), s.jobs.cron("weekly_digest")) == ("0 3 * * *", None)


def test_paths_are_resolved_against_the_config_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "etc" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text('[paths]\nrules = "my_rules"\noutbox = "/srv/outbox"\n', encoding="utf-8")
    s = load_settings(cfg)
    assert s.path("rules") == cfg.parent.resolve() / "my_rules"
    assert s.path("outbox") == Path("/srv/outbox")
    assert s.path("reports") == cfg.parent.resolve() / "var" / "reports"
    assert s.path("inbox") == cfg.parent.resolve() / "var" / "inbox"
