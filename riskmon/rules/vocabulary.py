"""What a rule may refer to: the fields of each event view, and the fields each rule kind adds.

The view fields are not written here: they come from the declarations in riskmon/store/views.py,
which the engine's SQL selects are tested against, so what ``rules check`` accepts is what
evaluation returns. The fields a kind adds are declared by its spec (riskmon/rules/schema.py).
"""

from __future__ import annotations

from riskmon.store.views import VIEW_SPECS, FieldType

__all__ = ["DEFAULT_SUBJECT", "NUMERIC", "RESERVED_FIELDS", "SOURCES", "TIME_FIELD", "FieldType", "sample_value"]

#: the fields of each view, by view name
SOURCES: dict[str, dict[str, FieldType]] = {name: dict(v.fields) for name, v in VIEW_SPECS.items()}

#: the subject a flag is about, by view, unless the rule says otherwise
DEFAULT_SUBJECT: dict[str, list[str]] = {name: list(v.default_subject) for name, v in VIEW_SPECS.items()}

#: the field that places each view's rows in time (what threshold windows count by)
TIME_FIELD: dict[str, str] = {name: v.time_field for name, v in VIEW_SPECS.items()}

#: durable_rules loops forever on rules over these names (upstream #288); the engine sets them itself
RESERVED_FIELDS = frozenset({"id", "sid"})

NUMERIC = {"int", "float"}

_SAMPLES: dict[str, object] = {"int": 3, "float": 2.5, "bool": True, "date": "2025-04-01", "datetime": "2025-04-01 09:00"}


def sample_value(ftype: FieldType) -> object:
    """A plausible value of a field as a message template sees it (dates already text), so that
    ``rules check`` can render each template once and refuse what evaluation would refuse."""
    if isinstance(ftype, frozenset):
        return sorted(ftype)[0]
    return _SAMPLES.get(ftype, "サンプル")
