from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.rules.conditions import Leaf, Node, evaluate, negate, to_durable

FIELDS = ["a", "b"]
leaf = st.builds(
    Leaf,
    st.sampled_from(FIELDS),
    st.sampled_from(["is", "is_not", "above", "at_least", "below", "at_most", "exists", "missing", "in", "not_in"]),
    st.integers(-3, 3),
).map(lambda c: Leaf(c.field, c.op, [c.value, 0]) if c.op in ("in", "not_in") else c)
conditions = st.recursive(leaf, lambda kids: st.builds(Node, st.sampled_from(["all", "any"]), st.tuples(kids, kids)), max_leaves=6)
facts = st.fixed_dictionaries({}, optional={"a": st.integers(-3, 3), "b": st.integers(-3, 3)})


@given(conditions, facts)
def test_negation_is_exact(c: Any, fact: dict[str, int]) -> None:
    assert evaluate(negate(c), fact) is (not evaluate(c, fact))


def test_durable_expressions() -> None:
    assert to_durable(Leaf("category", "in", ["a", "b"])) == {"$or": [{"category": "a"}, {"category": "b"}]}
    assert to_durable(Leaf("x", "at_least", 3)) == {"$gte": {"x": 3}}
    assert to_durable(Leaf("x", "missing", True)) == {"$nex": {"x": 1}}
    assert to_durable(Leaf("s", "contains", "a.b")) == {"$mt": {"s": ".*a%.b.*"}}  # durable_rules escapes with %
    assert to_durable(Node("all", (Leaf("x", "is", 1), Leaf("y", "is_not", 2)))) == {
        "$and": [{"x": 1}, {"$ex": {"y": 1}}, {"$neq": {"y": 2}}]  # nested "all"s flattened
    }
    assert to_durable(Node("any", (Leaf("x", "is", 1), Leaf("x", "is", 1)))) == {"x": 1}  # repeats dropped


def test_a_negated_tree_of_repeated_leaves_stays_within_the_engine_limits() -> None:
    """Found by the property test below: nested, repeated alternatives made durable_rules refuse
    the ruleset (error code 113) although the condition is small."""
    from riskmon.engine.durable_adapter import CompiledRule, CompiledTier, decide

    a = Leaf("a", "is", 0)
    c = Node("all", (Node("all", (a, Node("all", (a, a)))), Node("all", (a, Node("all", (a, a))))))
    rule = CompiledRule("P", "v", (CompiledTier("low", to_durable(negate(c))),), ("a",))
    assert decide([rule], {"P": [{}, {"a": 0}, {"a": 1}]}) == ({"P": {0: "low", 2: "low"}}, {})


@settings(max_examples=40, deadline=None)
@given(conditions, facts)
def test_durable_agrees_with_the_plain_evaluation(c: Any, fact: dict[str, int]) -> None:
    """The engine and the evidence explainer must never disagree, negations included."""
    from riskmon.engine.durable_adapter import CompiledRule, CompiledTier, decide
    from riskmon.rules.conditions import fields_of

    for cond in (c, negate(c)):
        rule = CompiledRule("P", "v", (CompiledTier("low", to_durable(cond)),), tuple(sorted(fields_of(cond))))
        decided, errors = decide([rule], {"P": [fact]})
        assert errors == {}
        assert (0 in decided["P"]) is evaluate(cond, fact)
