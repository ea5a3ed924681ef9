"""``[powers]`` of config.toml (issue #12): the risk domains and their owning second-line units,
validated at start-up with the file, key and reason — and kept in step with the domain's enums
(riskmon.config may not import them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskmon.config import RISK_DOMAINS, SECOND_LINE_UNIT_TYPES, ConfigError, PowersConfig, load_settings
from riskmon.domain import Line, RiskCategory
from riskmon.events.enums import DEFAULT_LINE
from tests.helpers import ROOT


def test_the_lists_follow_the_enums() -> None:
    assert set(RiskCategory) <= set(RISK_DOMAINS)
    assert set(RISK_DOMAINS) - set(RiskCategory) == {"outsourcing", "compliance"}
    assert set(SECOND_LINE_UNIT_TYPES) == {t.value for t, line in DEFAULT_LINE.items() if line == Line.SECOND}


def test_the_shipped_config_says_what_the_defaults_say() -> None:
    shipped = load_settings(ROOT / "config.toml").powers
    assert shipped == PowersConfig()
    assert set(shipped.domains) == set(RISK_DOMAINS)  # every domain has an owner
    assert shipped.domain_of("R08", "administrative") == "outsourcing"
    assert shipped.domain_of("R02", "administrative") == "administrative"
    assert shipped.owners("outsourcing") == ("procurement_planning_department",)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[powers.domains]\nprocurement = ["procurement_planning_department"]\n',
         "powers.domains: Value error, unknown risk domain 'procurement' (known: administrative, reputational"),
        ('[powers.domains]\noutsourcing = ["PPD"]\n',
         "powers.domains: Value error, outsourcing: unknown second-line unit type 'PPD' (known: risk_management_department"),
        ('[powers.domains]\noutsourcing = ["audit_department"]\n', "unknown second-line unit type 'audit_department'"),
        ('[powers.domains]\noutsourcing = []\n', "outsourcing: no owning unit"),
        ('[powers.rule_domains]\noutsourcing = ["R08"]\nsystem = ["R08"]\n', "rule R08 is in two domains (outsourcing, system)"),
        ('[powers.rule_domains]\noutsourcing = ["r08"]\n', "outsourcing: 'r08' is not a rule id"),
        ('[powers]\nexecutive_approval_rules = ["R 02"]\n', "powers.executive_approval_rules.0"),
        ('[powers]\nowners = {}\n', "powers.owners: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_a_bad_powers_section_is_a_config_error(tmp_path: Path, toml: str, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert says in str(caught.value)
    assert str(caught.value).startswith(f"{path}: powers.")
    assert caught.value.ja.startswith("設定ファイルに誤りがあります：")
