"""Words of the second line's scoped powers (issue #12, S4:41): the risk domains a power is scoped
by, the executive's approval, and governance's records, for the CLI, the web pages and messages.

A module of its own so the catalogues other helpers edit stay untouched: :data:`POWERS` is the
``powers`` namespace (``phrase("powers", key)``); :data:`POWERS_PAGES` joins the ``web`` one.
"""

from __future__ import annotations

POWERS: dict[str, tuple[str, str]] = {
    # the risk domains (riskmon.config.RISK_DOMAINS); the five categories share the rule words
    "domain_administrative": ("事務リスク", "administrative risk"),
    "domain_reputational": ("信頼リスク", "reputational risk"),
    "domain_system": ("システムリスク", "system risk"),
    "domain_information_security": ("情報セキュリティリスク", "information security risk"),
    "domain_disaster_other": ("災害その他リスク", "disaster and other risk"),
    "domain_outsourcing": ("外部委託", "outsourcing"),
    "domain_compliance": ("コンプライアンス", "compliance"),
}

#: the flag detail page's words for the powers (riskmon/web/templates/_actions.html, flag_detail.html):
#: part of the ``web`` namespace the templates' ``t()`` reads (riskmon.i18n merges them)
POWERS_PAGES: dict[str, tuple[str, str]] = {
    # the flag detail page and the CLI's flag show
    "domain_title": ("リスク領域と所管部署", "Risk domain and owning units"),
    "domain_owned_by": ("所管", "owned by"),
    "needs_exec_approval": (
        "リスク受容には役員の承認が必要です（重点三事案・事件・事故）",
        "accepting this risk needs an executive's approval (priority incident, incident or accident)",
    ),
    "exec_approved": ("役員承認済み", "approved by an executive"),
    "exec_not_approved": ("役員承認待ち", "awaiting an executive's approval"),
    # action buttons and note labels of the web page (templates/_actions.html)
    "act_exec_approve": ("リスク受容を承認（役員）", "Approve the risk acceptance (executive)"),
    "act_receipt": ("報告の受理を記録", "Record that the report was received"),
    "act_committee_decision": ("委員会の決定を記録", "Record the committee's decision"),
    "note_exec_approve": ("承認の所見（任意）", "Remarks on the approval (optional)"),
    "note_receipt": ("受理した報告（例：常勤役員会5月12日付議）", "The report received (e.g. tabled at the meeting of 12 May)"),
    "note_committee_decision": ("決定の内容", "What the committee decided"),
    "governance_note": (
        "ガバナンスは報告の受理・委員会の決定を記録できます。フラグの状態は変わりません",
        "governance records reports received and committee decisions; the flag's state does not change",
    ),
}
