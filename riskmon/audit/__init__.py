"""The tamper-evident audit log (``riskmon audit verify`` / ``riskmon audit anchor``).

- :mod:`riskmon.audit.keys` — the HMAC key and the anchors file, kept outside the database;
- :mod:`riskmon.audit.chain` — the append-only keyed hash chain;
- :mod:`riskmon.audit.anchors` — the chain's head recorded outside the database (truncation);
- :mod:`riskmon.audit.crosscheck` — flags and case events checked against the audited story;
- :mod:`riskmon.audit.verify` — all of it as one report; ``ensure_key`` for ``db upgrade``.

See docs/audit.md for what each part detects and what it cannot.
"""

from __future__ import annotations

from riskmon.audit.anchors import Anchor, record_anchor
from riskmon.audit.chain import GENESIS, Break, append, head
from riskmon.audit.keys import AuditError, configure, load_key
from riskmon.audit.verify import KeySetup, Verification, check, ensure_key, verify

__all__ = [
    "GENESIS", "Anchor", "AuditError", "Break", "KeySetup", "Verification", "append", "check", "configure", "ensure_key",
    "head", "load_key", "record_anchor", "verify",
]  # fmt: skip
