"""The committee pack's fixed wording: a view of the ``report`` phrases in :mod:`riskmon.i18n`.

The words themselves live in the one catalogue (``riskmon.i18n._PHRASES["report"]``), where the
completeness test sees them; templates read them as ``t.key``.
"""

from __future__ import annotations

from riskmon.i18n import phrases


def words(lang: str) -> dict[str, str]:
    return phrases("report", lang)
