"""Who a person is and what an administrator may change about them: local accounts with argon2id
passwords (:mod:`.passwords`), server-side sessions (:mod:`.sessions`), login with lockout
(:mod:`.auth`), personal API tokens for the CLI (:mod:`.tokens`) and 利用者管理 (:mod:`.admin`).

Why a package of its own, below the shells: the web pages, the CLI (``users set-password``,
``users token``, ``users load``, the case actions' tokens) and the demo all prove identity and
administer users through the same rules and the same audit entries; a CLI that imported these
from ``riskmon.web`` would make the web the owner of a concern it only presents.
"""
