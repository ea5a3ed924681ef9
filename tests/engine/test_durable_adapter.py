"""The adapter against the real durable_rules engine."""

from __future__ import annotations

from riskmon.engine.durable_adapter import SID_SIZE, CompiledRule, CompiledTier, decide


def rule(rule_id: str, *tiers: tuple[str, dict[str, object]], fields: tuple[str, ...] = ("n", "pi")) -> CompiledRule:
    return CompiledRule(rule_id, "v1", tuple(CompiledTier(s, e) for s, e in tiers), fields)


def test_highest_matching_tier_wins_per_fact() -> None:
    r = rule("R", ("medium", {"$gte": {"n": 1}}), ("high", {"$and": [{"$gte": {"n": 1}}, {"pi": True}]}))
    decided, errors = decide([r], {"R": [{"n": 0}, {"n": 2}, {"n": 3, "pi": True}]})
    assert errors == {}
    assert decided["R"] == {1: "medium", 2: "high"}


def test_or_matching_both_branches_counts_once() -> None:
    r = rule("R", ("low", {"$or": [{"$gte": {"n": 1}}, {"pi": True}]}))
    decided, _ = decide([r], {"R": [{"n": 5, "pi": True}]})
    assert decided["R"] == {0: "low"}


def test_many_facts_are_partitioned_into_sids() -> None:
    facts = [{"n": i % 3} for i in range(SID_SIZE * 3 + 17)]
    decided, errors = decide([rule("R", ("low", {"n": 2}))], {"R": facts})
    assert errors == {}
    assert sorted(decided["R"]) == [i for i in range(len(facts)) if i % 3 == 2]


def test_a_rule_without_conditions_matches_every_fact_and_nothing_else() -> None:
    decided, errors = decide([rule("R", ("info", {}), fields=())], {"R": [{"n": 1}, {"n": 2}]})
    assert errors == {} and decided["R"] == {0: "info", 1: "info"}


def test_an_engine_error_stops_only_its_rule() -> None:
    bad = rule("BAD", ("low", {"$nosuchop": {"n": 1}}))
    good = rule("OK", ("low", {"n": 1}))
    decided, errors = decide([bad, good], {"BAD": [{"n": 1}], "OK": [{"n": 1}]})
    assert "BAD" in errors
    assert decided["OK"] == {0: "low"}
