"""The words of the feeds the seeds name beyond the original families (issue #12): お客様の声 and
監査 findings, 情報セキュリティインシデント. Catalogue content only, merged into :data:`riskmon.i18n.vocabulary.VOCABULARY`
(so :func:`riskmon.i18n.label` and the completeness test see it) and kept apart so that the
original vocabulary does not grow into a dump of every word.
"""

from __future__ import annotations

FEED_VOCABULARY: dict[str, tuple[str, str]] = {
    # event types
    "customer_voice": ("お客様の声", "customer voice"),
    "audit_finding": ("監査指摘事項", "audit finding"),
    "audit_followup": ("監査指摘事項のフォローアップ", "audit finding follow-up"),
    # お客様の声 categories
    "complaint": ("苦情", "complaint"),
    "request": ("ご要望", "request"),
    "inquiry": ("お問い合わせ", "inquiry"),
    "compliment": ("お褒め", "compliment"),
    # audit finding levels and follow-up steps
    "major": ("重要", "major"),
    "moderate": ("中程度", "moderate"),
    "minor": ("軽微", "minor"),
    "improvement_plan": ("改善計画の提出", "improvement plan submitted"),
    "followup_report": ("フォローアップ報告", "follow-up report"),
    "improvement_confirmed": ("改善の確認（監査部）", "improvement confirmed (audit)"),
    # 情報セキュリティインシデント
    "infosec_incident": ("情報セキュリティインシデント", "information-security incident"),
    "infosec_update": ("情報セキュリティインシデント対応", "information-security incident step"),
    "unauthorized_access": ("不正アクセス", "unauthorised access"),
    "malware": ("マルウェア感染", "malware"),
    "information_leak": ("情報漏えい", "information leak"),
    "device_loss": ("端末・媒体の紛失", "device or media lost"),
    "missent_email": ("メール誤送信", "e-mail sent to the wrong address"),
    "misconfiguration": ("設定誤り", "misconfiguration"),
    "csirt_responded": ("CSIRT初動対応", "CSIRT responded"),
    "contained": ("封じ込め完了", "contained"),
    "infosec_hq_reported": ("情報管理対策本部へ報告", "reported to the Information Management HQ"),
    "statutory_reported": ("法令に基づく報告", "statutory report made"),
    # 調達企画部 審査 and the checks around new contractors and new officers
    "procurement_review": ("調達企画部による検査の審査", "procurement review of an inspection"),
    "security_site_check": ("新規事業者の現場セキュリティ確認", "new contractor's on-site security check"),
    "procurement_officer": ("調達担当者", "procurement officer"),
    "site_visit": ("履行場所の実査", "contractor site visit"),
}
