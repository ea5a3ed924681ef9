"""The rule file schema: pydantic models, one per kind, in a union discriminated by ``kind``.

Types are pydantic's job, as for events (riskmon/events/models.py): a threshold written as
``warn: "三"`` or a severity that is no severity is refused here, and every refusal is turned into
a bilingual ``file:line:column`` message by riskmon/rules/schema_errors.py. Whether the names a rule
uses exist in its view, whether its templates render, whether its levels are in order — checks
that need the view's vocabulary — are the semantic validators' (riskmon/rules/validators.py).

Each kind's spec also says what the kind adds to the language: the fields its facts gain
(``adds``), the fields its filter and templates may use, its default subject. How a kind builds
facts is the engine's (riskmon/engine/kinds/), which imports these specs; this module never
imports the engine. Adding a kind: a spec here, added to :data:`SPECS`, and its engine module.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr, TypeAdapter
from pydantic_core import PydanticCustomError

from riskmon.domain import RiskCategory, Severity
from riskmon.events.enums import UnitType
from riskmon.rules.words import did_you_mean, hint
from riskmon.store.views import VIEW_SPECS, FieldType

PERIOD_UNITS = ("business_days", "business_hours", "days", "months")
MEASURES = ("count", "sum", "max", "min", "avg", "latest")
WINDOWS = ("rolling_days", "calendar", "fiscal")
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$"


def issue(code: str, ja: str, en: str, *sub: str | int) -> PydanticCustomError:
    """A refusal in both languages; ``sub`` moves its position below the value being validated."""
    return PydanticCustomError(code, "{en}", {"ja": ja, "en": en, "sub": sub})


def _period(raw: Any) -> Any:
    if isinstance(raw, Period):
        return raw
    listed = " | ".join(PERIOD_UNITS)
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in PERIOD_UNITS:
        raise issue("period", f"期間は「{{{listed}: 数}}」の1つで書いてください", f"a period is one of {{{listed}: number}}")
    unit, amount = next(iter(raw.items()))
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        raise issue("period_amount", f"0以上の数で書いてください：{amount!r}", f"must be a number ≥ 0: {amount!r}", unit)
    return {"unit": unit, "amount": float(amount)}


def _window(raw: Any) -> Any:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in WINDOWS:
        raise issue("window", "window は「{rolling_days: 30}」「{calendar: month}」「{fiscal: quarter|half|year}」のいずれかです",
                    "window is {rolling_days: 30}, {calendar: month} or {fiscal: quarter|half|year}")  # fmt: skip
    key, value = next(iter(raw.items()))
    if key == "rolling_days" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise issue("window_days", f"1以上の整数で書いてください：{value!r}", f"must be a whole number ≥ 1: {value!r}", key)
    if (key == "calendar" and value != "month") or (key == "fiscal" and value not in ("quarter", "half", "year")):
        raise issue("window_part", "calendar は month、fiscal は quarter / half / year です",
                    "calendar takes month; fiscal takes quarter, half or year", key)  # fmt: skip
    return dict(raw)


def _condition(raw: Any) -> Any:
    if not isinstance(raw, dict) or not raw:
        raise issue("condition", "条件は「{field: …, 演算子: 値}」か「all / any / not」で書いてください",
                    "a condition is {field: ..., <operator>: value} or all / any / not")  # fmt: skip
    return raw


def _time(raw: Any) -> Any:
    if isinstance(raw, time):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 24 * 60:
        # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600
        raise issue("time", f'時刻は引用符で囲んで "{raw // 60}:{raw % 60:02d}" のように書いてください',
                    f'quote a time, as in "{raw // 60}:{raw % 60:02d}" (unquoted, YAML reads it as a number)')  # fmt: skip
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        raise issue("time", f"時刻は HH:MM で書いてください：{raw!r}", f"a time is HH:MM: {raw!r}") from None


def _listed(raw: Any) -> Any:
    return [raw] if isinstance(raw, str) else raw


def _tiers(raw: Any) -> Any:
    return {"default": raw} if isinstance(raw, str) else raw


def _number(raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise issue("number", f"数で書いてください（引用符なし、半角数字）：{raw!r}", f"must be a number (unquoted digits): {raw!r}")
    return raw


Number = Annotated[int | float, BeforeValidator(_number)]
ConditionRaw = Annotated[dict[str, Any], BeforeValidator(_condition)]


def _event(raw: str) -> str:
    if raw not in VIEW_SPECS:
        guess = did_you_mean(raw, VIEW_SPECS)
        ja, en = hint(guess)
        listed = ", ".join(VIEW_SPECS)
        raise issue("event", f"'{raw}' はeventに使えません{ja}。次のいずれか：{listed}",
                    f"'{raw}' is not a valid event{en}; one of: {listed}")  # fmt: skip
    return raw


EventName = Annotated[StrictStr, AfterValidator(_event)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Model):
    ja: StrictStr
    en: StrictStr


class Owner(_Model):
    line: Literal["first", "second", "third"]
    unit: StrictStr


class Period(_Model):
    """``{business_days | business_hours | days | months: N}`` as written; ``unit`` and ``amount`` once read."""

    unit: Literal["business_days", "business_hours", "days", "months"]
    amount: float


PeriodField = Annotated[Period, BeforeValidator(_period)]


class Escalate(_Model):
    when: ConditionRaw
    to: Severity


class Tiers(_Model):
    default: Severity
    escalate: list[Escalate] = []


class Levels(_Model):
    """A threshold's severities: one for ``warn``, one for ``critical``."""

    warn: Severity = Severity.MEDIUM
    critical: Severity = Severity.HIGH


class RuleSpec(_Model):
    """What every rule has, whatever its kind."""

    id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    title: Localized
    description: StrictStr
    event: EventName | None = None
    when: ConditionRaw | None = None
    risk_category: RiskCategory
    owner: Owner
    escalation: list[StrictStr] = []
    #: units TOLD when a flag is first raised, without owning it (a joint owner, the third line):
    #: unit ids, unit types or templates over the fact, written like ``escalation`` entries
    inform: list[StrictStr] = []
    #: why they are told, in both languages (「共同所管」, 「第三線への報告」): it heads their notice
    inform_reason: Localized | None = None
    message: Localized
    sources: Annotated[list[StrictStr], Field(min_length=1)]
    enabled: StrictBool = True
    subject: list[StrictStr] | None = None

    #: fields this kind's facts gain (usable in severity conditions and templates)
    adds: ClassVar[dict[str, FieldType]] = {}
    #: keys a rule of this kind must have, beyond the common ones
    required: ClassVar[tuple[str, ...]] = ("event",)

    @property
    def view(self) -> str:
        return str(self.event)

    def fact_fields(self, source: dict[str, FieldType]) -> dict[str, FieldType]:
        """What the rule's facts hold: severity conditions, subject and templates may use these."""
        return {**source, **self.adds}

    def filter_fields(self, source: dict[str, FieldType]) -> dict[str, FieldType]:
        """What ``when`` may use."""
        return self.fact_fields(source)

    def default_subject(self) -> tuple[str, ...]:
        return VIEW_SPECS[self.view].default_subject

    @classmethod
    def requirements(cls, raw: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str]]:
        """What must be present, checked on the mapping as written so that it is reported even
        when other values fail their types: ``(path, ja, en)`` each."""
        return [((), f"必須項目 '{k}' がありません", f"required key '{k}' is missing") for k in cls.required if k not in raw]


class MatchSpec(RuleSpec):
    kind: Literal["match"]
    severity: Annotated[Tiers, BeforeValidator(_tiers)]


class DeadlineSpec(RuleSpec):
    kind: Literal["deadline"]
    severity: Annotated[Tiers, BeforeValidator(_tiers)]
    start: StrictStr | None = None
    stop: StrictStr | None = None
    due: StrictStr | None = None
    within: PeriodField | None = None

    adds: ClassVar[dict[str, FieldType]] = {
        "overdue": "bool", "done": "bool", "overdue_business_days": "int", "overdue_days": "int",
        "elapsed_ratio": "float",
    }  # fmt: skip

    @classmethod
    def requirements(cls, raw: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str]]:
        out = super().requirements(raw)
        if "within" not in raw and "due" not in raw:
            out.append(((), "期限は within（期間）か due（期日の項目）で書いてください",
                        "give the deadline as 'within' (a period) or 'due' (a date field)"))  # fmt: skip
        if "due" not in raw and "start" not in raw:
            out.append(((), "'start' がありません", "'start' is missing"))
        return out


class Target(_Model):
    """A level per group: ``{field: medium, values: {paper: 4, ...}}`` — the group's value of
    ``field`` picks its target (S2:223-227 gives 1 / 2 / 4 days by medium)."""

    field: StrictStr
    values: dict[StrictStr, Number]


class ThresholdSpec(RuleSpec):
    kind: Literal["threshold"]
    severity: Levels
    measure: Literal["count", "sum", "max", "min", "avg", "latest", "ratio"] = "count"
    measure_field: StrictStr | None = Field(None, alias="field")
    #: ``measure: ratio``: the denominator, summed like ``field`` (e.g. total days per form processed)
    per: StrictStr | None = None
    window: Annotated[dict[str, Any], BeforeValidator(_window)]
    group_by: list[StrictStr] = []
    warn: Number | None = None
    critical: Number | None = None
    direction: Literal["above", "below"] = "above"
    compare: Literal["previous_period", "same_period_last_year"] | None = None
    threshold_on: Literal["value", "change_pct", "p_value", "months_over_target"] = "value"
    #: ``poisson``: the exact conditional test of two Poisson counts (current against compared
    #: period, weighted by their lengths): small counts such as 1 → 2 are not an increase, 0 → 8 is
    test: Literal["poisson"] | None = None
    #: a group fires only with at least this many in the current window (whatever the test says)
    min_count: Number | None = None
    target: Target | None = None

    adds: ClassVar[dict[str, FieldType]] = {
        "value": "float", "previous_value": "float", "change_pct": "float", "p_value": "float",
        "target": "float", "over_target": "float", "months_over_target": "int",
    }  # fmt: skip

    def fact_fields(self, source: dict[str, FieldType]) -> dict[str, FieldType]:
        """A threshold's fact is one group: its group_by fields (with the unit's, when grouped by unit)."""
        fields = {g: source[g] for g in self.group_by if g in source}
        if "unit_id" in self.group_by:
            fields.update({k: source[k] for k in ("unit_name", "unit_type", "region_id")})
        return {**fields, **self.adds}

    def filter_fields(self, source: dict[str, FieldType]) -> dict[str, FieldType]:
        return dict(source)  # ``when`` selects the rows that are counted

    def default_subject(self) -> tuple[str, ...]:
        return (*self.group_by, "period")

    @classmethod
    def requirements(cls, raw: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str]]:
        out = super().requirements(raw)
        measure = raw.get("measure", "count")
        if measure != "count" and "field" not in raw:
            out.append(((), f"measure: {measure}には field が必要です", f"measure: {measure} needs a 'field'"))
        if "warn" not in raw and "critical" not in raw:
            out.append(((), "warn か critical の少なくとも一方が必要です", "give 'warn', 'critical' or both"))
        if raw.get("threshold_on") in ("change_pct", "p_value") and "compare" not in raw:
            on = raw["threshold_on"]
            out.append((("threshold_on",), f"threshold_on: {on}には compare が必要です", f"threshold_on: {on} needs 'compare'"))
        if raw.get("threshold_on") == "p_value" and "test" not in raw:
            out.append((("threshold_on",), "threshold_on: p_value には test: poisson が必要です",
                        "threshold_on: p_value needs 'test: poisson'"))  # fmt: skip
        if raw.get("threshold_on") == "months_over_target" and "target" not in raw:
            out.append((("threshold_on",), "threshold_on: months_over_target には target が必要です",
                        "threshold_on: months_over_target needs 'target'"))  # fmt: skip
        if measure == "ratio" and "per" not in raw:
            out.append(((), "measure: ratio には per（分母の項目）が必要です", "measure: ratio needs 'per' (the denominator field)"))
        return out


class AbsenceSpec(RuleSpec):
    kind: Literal["absence"]
    severity: Annotated[Tiers, BeforeValidator(_tiers)]
    expect_from: Annotated[list[UnitType], BeforeValidator(_listed)] | None = None
    due_at: Annotated[time, BeforeValidator(_time)] = time(10, 0)
    lookback_business_days: Annotated[StrictInt, Field(ge=1, le=60)] = 5
    last: StrictStr | None = None
    since: StrictStr | None = None
    max_gap: PeriodField | None = None

    adds: ClassVar[dict[str, FieldType]] = {"missing_days": "int", "gap_days": "int", "missing_dates": "text"}

    @property
    def view(self) -> str:
        return "daily_report" if self.expect_from is not None and self.event is None else str(self.event)

    def fact_fields(self, source: dict[str, FieldType]) -> dict[str, FieldType]:
        if self.expect_from is not None:  # one fact per expected unit
            return {**{k: source[k] for k in ("unit_id", "unit_name", "unit_type", "region_id")}, **self.adds}
        return super().fact_fields(source)

    def default_subject(self) -> tuple[str, ...]:
        return ("unit_id",) if self.expect_from is not None else super().default_subject()

    @classmethod
    def requirements(cls, raw: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str]]:
        if "expect_from" in raw:
            return []
        out = super().requirements(raw)
        out += [((), f"'{k}' がありません", f"'{k}' is missing") for k in ("last", "since") if k not in raw]
        return out


#: kind name → its spec; the discriminated union below is built from it, so a new kind is one line here
SPECS: dict[str, type[RuleSpec]] = {"match": MatchSpec, "deadline": DeadlineSpec, "threshold": ThresholdSpec, "absence": AbsenceSpec}

RULE_ADAPTER: TypeAdapter[RuleSpec] = TypeAdapter(
    Annotated[Union[tuple(SPECS.values())], Field(discriminator="kind")]  # type: ignore[arg-type]  # noqa: UP007
)

#: every key a rule of each kind may have, as written
KEYS: dict[str, set[str]] = {kind: {f.alias or name for name, f in spec.model_fields.items()} for kind, spec in SPECS.items()}
