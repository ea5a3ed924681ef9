"""The sandbox rule templates run in (messages, owner and escalation entries), and its limits.

Jinja's sandbox stops a template from reaching Python internals, but not from exhausting the
machine: ``{{ 'x' * 4000000000 }}`` hung ``rules check`` (Jinja folds constants while compiling),
nested ``range()`` loops rendered for minutes, and filters such as ``center(10**9)`` or a chained
``replace`` build gigabytes. Because one template is rendered for every flag of a nightly run,
its cost must be bounded by construction, not by a timer:

- arithmetic that builds text or lists (``*``, ``+``, ``%`` on strings, ``**``) is intercepted
  and refused past :data:`MAX_VALUE_CHARS` (Jinja's "operator intercepting");
- ``range()`` is capped at :data:`MAX_LOOP_ITEMS`, every ``for`` loop is too, and loops may not
  nest, so a template of :data:`MAX_TEMPLATE_CHARS` runs at most a few tens of thousands of steps;
- only a short list of filters and string methods exists, ``set``/``macro``/``include``/``import``
  and friends are refused, and names starting with ``_`` are refused before anything runs;
- the output is streamed and refused past :data:`MAX_OUTPUT_CHARS`.

The same checks run in ``rules check`` (with sample values, so it refuses whatever evaluation
would refuse) and at evaluation (:mod:`riskmon.flags.render`), so nothing depends on the checker
having been run. A refusal is a :class:`TemplateRefused` with both wordings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from riskmon.i18n.dates import wareki_date, wareki_datetime

MAX_TEMPLATE_CHARS = 2_000
MAX_OUTPUT_CHARS = 2_000
MAX_VALUE_CHARS = 10_000  # the size of any text or list a template builds
MAX_LOOP_ITEMS = 1_000
MAX_INT_BITS = 4_000

#: filters a message may use; each either keeps the size of its input or is checked below
SAFE_FILTERS = ("abs", "capitalize", "count", "d", "default", "first", "float", "int", "join", "last", "length",
                "lower", "max", "min", "replace", "round", "sort", "string", "title", "trim", "truncate",
                "unique", "upper")  # fmt: skip
#: methods a template may call on a value (``{{ unit_name.strip() }}``)
SAFE_METHODS = frozenset({"upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "startswith",
                          "endswith", "isdigit", "items", "keys", "values", "get"})  # fmt: skip
#: statements a template may not use at all: they define, import or assign, none is needed in a message
_REFUSED_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Macro: "macro", nodes.CallBlock: "call", nodes.FilterBlock: "filter", nodes.Include: "include",
    nodes.Import: "import", nodes.FromImport: "from", nodes.Extends: "extends", nodes.Block: "block",
    nodes.Assign: "set", nodes.AssignBlock: "set", nodes.With: "with", nodes.ScopedEvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
}  # fmt: skip
_LOOP_FILTER = "riskmon_loop_items"
#: 和暦 for Japanese messages: {{ risk_notified_at | wareki }} → 令和7年4月2日13時02分 (riskmon.i18n.dates)
WAREKI_FILTERS = ("wareki", "wareki_date")
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\*|\d{4,})|%[-#0 +]*\d*\.(\*|\d{4,})")


class TemplateRefused(SecurityError):
    """A template breaks one of the sandbox's limits; ``ja`` and ``en`` say which and why."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(f"{ja} / {en}")
        self.ja = ja
        self.en = en


def _weight(value: Any) -> int:
    """Roughly how many characters ``value`` takes once printed (the measure of every cap)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(_weight(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 1
    return 1


def _too_big(size: int) -> TemplateRefused:
    return TemplateRefused(
        f"テンプレートが作る値が大きすぎます（約{size:,}文字。{MAX_VALUE_CHARS:,}文字まで）",
        f"the template builds a value that is too large (about {size:,} characters; at most {MAX_VALUE_CHARS:,})",
    )


def _capped_range(*args: int) -> range:
    try:
        items = range(*args)
        size = len(items)
    except OverflowError:
        size = MAX_LOOP_ITEMS + 1
    if size > MAX_LOOP_ITEMS:
        raise TemplateRefused(f"range() は{MAX_LOOP_ITEMS:,}個までです", f"range() is capped at {MAX_LOOP_ITEMS:,} items")
    return items


def _loop_items(value: Iterable[Any]) -> list[Any]:
    """What a ``for`` loop iterates: at most :data:`MAX_LOOP_ITEMS` items, whatever the source."""
    items: list[Any] = []
    for item in value:
        if len(items) == MAX_LOOP_ITEMS:
            raise TemplateRefused(f"for ループは{MAX_LOOP_ITEMS:,}回までです", f"a for loop is capped at {MAX_LOOP_ITEMS:,} iterations")
        items.append(item)
    return items


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> str:
    items = _loop_items(value)
    size = sum(_weight(str(v)) for v in items) + len(str(d)) * max(len(items) - 1, 0)
    if size > MAX_VALUE_CHARS:
        raise _too_big(size)
    return str(FILTERS["join"](eval_ctx, items, d, attribute))


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(s), str(old), str(new)
    hits = text.count(old) if count is None else min(text.count(old), max(count, 0))
    size = len(text) + hits * (len(new) - len(old))
    if size > MAX_VALUE_CHARS:
        raise _too_big(size)
    return str(FILTERS["replace"](eval_ctx, text, old, new, count))


class GuardedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with every operation that can grow without bound intercepted or removed."""

    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def __init__(self) -> None:
        super().__init__(autoescape=False, undefined=StrictUndefined)
        self.filters = {name: FILTERS[name] for name in SAFE_FILTERS}
        self.filters.update({"join": _join, "replace": _replace, _LOOP_FILTER: _loop_items,
                             "wareki": wareki_datetime, "wareki_date": wareki_date})  # fmt: skip
        self.globals = {"range": _capped_range}

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        numbers = (int, float)
        if operator_ == "*" and isinstance(left, numbers) != isinstance(right, numbers):
            seq, times = (left, right) if isinstance(right, numbers) else (right, left)
            size = _weight(seq) * max(int(times), 0) if isinstance(times, int) else 0
            if size > MAX_VALUE_CHARS:
                raise _too_big(size)
        elif operator_ == "*" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _too_big((left.bit_length() + right.bit_length()) // 3)
        elif operator_ == "+" and not (isinstance(left, numbers) and isinstance(right, numbers)):
            size = _weight(left) + _weight(right)
            if size > MAX_VALUE_CHARS:
                raise _too_big(size)
        elif operator_ == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if left.bit_length() * right > MAX_INT_BITS:
                raise _too_big(left.bit_length() * right // 3)
        elif operator_ == "%" and isinstance(left, str) and _PRINTF_WIDTH.search(left):
            raise TemplateRefused("% 書式の幅・精度は3桁までです", "a % format's width and precision take at most 3 digits")
        result = self.binop_table[operator_](left, right)
        if operator_ == "%" and isinstance(result, str) and len(result) > MAX_VALUE_CHARS:
            raise _too_big(len(result))
        return result

    def is_safe_callable(self, obj: Any) -> bool:
        if obj is _capped_range:
            return True
        owner = getattr(obj, "__self__", None)
        return isinstance(owner, str | dict) and getattr(obj, "__name__", "") in SAFE_METHODS


ENV = GuardedEnvironment()


def parse(source: str) -> nodes.Template:
    """The template's syntax tree, refused (:class:`TemplateRefused`) if it breaks a static limit.

    Raises ``jinja2.TemplateSyntaxError`` for a syntax error."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(
            f"テンプレートが長すぎます（{len(source):,}文字。{MAX_TEMPLATE_CHARS:,}文字まで）",
            f"template too long ({len(source):,} characters; at most {MAX_TEMPLATE_CHARS:,})",
        )
    try:
        tree = ENV.parse(source)
    except RecursionError:
        raise TemplateRefused("テンプレートの入れ子が深すぎます", "the template is nested too deeply") from None
    for found in tree.find_all((nodes.Getattr, nodes.Getitem)):  # reaching for internals first: it says the most
        _check_name(found)
    for node in tree.find_all(nodes.Node):
        _check(node)
    return tree


def _check_name(node: nodes.Node) -> None:
    name = None
    if isinstance(node, nodes.Getattr):
        name = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        name = node.arg.value
    if name is not None and name.startswith("_"):
        raise TemplateRefused(f"'{name}' のような _ で始まる名前は使えません", f"names starting with _ such as '{name}' are not allowed")


def _check(node: nodes.Node) -> None:
    for kind, tag in _REFUSED_STATEMENTS.items():
        if isinstance(node, kind):
            raise TemplateRefused(
                f"{{% {tag} %}}は使えません（使えるのは{{{{ … }}}}、{{% if %}}、入れ子でない{{% for %}}です）",
                f"{{% {tag} %}} is not allowed (a template has {{{{ ... }}}}, {{% if %}} and un-nested {{% for %}} only)",
            )
    if isinstance(node, nodes.For) and (node.recursive or any(True for _ in node.find_all(nodes.For))):
        raise TemplateRefused("for ループは入れ子にできません", "for loops cannot be nested or recursive")
    if isinstance(node, nodes.Filter) and node.name not in ENV.filters:
        listed = ", ".join((*SAFE_FILTERS, *WAREKI_FILTERS))
        raise TemplateRefused(f"フィルタ '{node.name}' は使えません（使えるもの：{listed}）",
                              f"the filter '{node.name}' is not allowed (allowed: {listed})")  # fmt: skip
    if isinstance(node, nodes.Call):
        callee = node.node
        if not (isinstance(callee, nodes.Name) and callee.name == "range") and not (
            isinstance(callee, nodes.Getattr) and callee.attr in SAFE_METHODS
        ):
            listed = ", ".join(sorted(SAFE_METHODS))
            raise TemplateRefused(f"呼び出せるのは range() と文字列の{listed}だけです",
                                  f"only range() and the text methods {listed} can be called")  # fmt: skip


def compile_template(source: str) -> Template:
    """Parse, check and compile ``source``; every ``for`` loop goes through the iteration cap."""
    tree = parse(source)
    for loop in tree.find_all(nodes.For):
        capped = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.lineno)
        loop.iter = capped.set_environment(ENV)
    return ENV.template_class.from_code(ENV, ENV.compile(tree), ENV.make_globals(None), None)


def render(template: Template, values: Mapping[str, Any]) -> str:
    """Render, refusing as soon as the output passes :data:`MAX_OUTPUT_CHARS`."""
    out: list[str] = []
    total = 0
    for chunk in template.generate(dict(values)):
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            raise TemplateRefused(
                f"展開結果が長すぎます（{MAX_OUTPUT_CHARS:,}文字まで）",
                f"the rendered text is too long (at most {MAX_OUTPUT_CHARS:,} characters)",
            )
        out.append(chunk)
    return "".join(out)
