"""The words of a rule's condition as flag evidence and ``rules list`` show it
(:func:`riskmon.rules.conditions.describe`): its operators and the glue of ``all`` / ``any``.

Catalogue content only, read through :func:`riskmon.i18n.phrase` (namespace ``condition``), keyed
by the rule language's operator names. Mathematical signs read the same in both languages.
"""

from __future__ import annotations

CONDITION: dict[str, tuple[str, str]] = {
    "all": (" かつ ", " and "),
    "any": (" または ", " or "),
    "is": ("=", "="),
    "is_not": ("≠", "≠"),
    "above": (">", ">"),
    "at_least": ("≥", "≥"),
    "below": ("<", "<"),
    "at_most": ("≤", "≤"),
    "in": ("∈", "in"),
    "not_in": ("∉", "not in"),
    "exists": ("あり", "present"),
    "missing": ("なし", "absent"),
    "contains": ("を含む", "contains"),
    "not_contains": ("を含まない", "does not contain"),
}
