"""The words of a flag's evidence: what each observed value and each rule field the evidence
records is called (フラグ詳細's 根拠 tables), by the key the engine stores it under.

Catalogue content only, read through :func:`riskmon.i18n.evidence_label`. The keys are those the
rule kinds write (``riskmon.engine.kinds``: a deadline's ``start``/``due_at``/``as_of``, a
threshold's ``window``/``previous_window``/``warn``, an absence's ``gap_days``…) and the event
fields the shipped rules test; a key missing here is shown as it is, never as a blank.
"""

from __future__ import annotations

EVIDENCE: dict[str, tuple[str, str]] = {
    # deadline rules
    "start": ("起算日時", "start"),
    "due_at": ("期限", "due"),
    "done_at": ("完了日時", "done at"),
    "as_of": ("判定時刻", "as of"),
    "overdue_business_days": ("超過営業日数", "business days overdue"),
    "elapsed_ratio": ("経過割合", "share of the allowed time used"),
    "overdue_days": ("超過日数", "days overdue"),
    # absence rules
    "last_seen": ("最終報告日", "last reported"),
    "gap_days": ("報告のない日数", "days without a report"),
    "max_gap_days": ("許容日数", "days allowed"),
    "missing_dates": ("未報告の日", "days missing"),
    "missing_days": ("未報告日数", "days missing"),
    "checked_days": ("確認した日数", "days checked"),
    # threshold rules
    "value": ("観測値", "observed value"),
    "previous_value": ("前期間の値", "previous period's value"),
    "change_pct": ("変化率（%）", "change (%)"),
    "window": ("集計期間", "period"),
    "previous_window": ("比較期間", "previous period"),
    "warn": ("警告の基準", "warning threshold"),
    "critical": ("重大の基準", "critical threshold"),
    "direction": ("判定の向き", "direction"),
    "on": ("基準の対象", "threshold on"),
    # event fields the shipped rules test
    "active": ("有効", "active"),
    "affected_customers": ("影響を受けたお客様の数", "customers affected"),
    "aspect": ("観点", "aspect"),
    "ended": ("終了", "ended"),
    "handles_personal_info": ("個人情報の取扱い", "handles personal information"),
    "is_incident": ("事件・事故", "incident or accident"),
    "is_priority_incident": ("重点事案", "priority incident"),
    "manual_revision_required": ("マニュアル改正の要否", "manual revision required"),
    "my_number_involved": ("マイナンバーの関与", "My Number involved"),
    "new_contractor": ("新規の委託先", "new contractor"),
    "personal_info_involved": ("個人情報の関与", "personal information involved"),
    "prevention_before_cause_analysis": ("原因分析前の再発防止策", "prevention set before the cause analysis"),
    "pre_commencement_passed": ("履行開始前検査の合格", "pre-commencement inspection passed"),
    "report_kind": ("報告の種類", "report kind"),
    "started": ("開始", "started"),
    # values
    "true": ("はい", "yes"),
    "false": ("いいえ", "no"),
}
