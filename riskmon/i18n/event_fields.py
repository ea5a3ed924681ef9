"""The イベント page's labels for the fields of the newer event families: a 日報's processing time
by form and medium (issue #12, S2:223-227), the 事務処理誤り lifecycle's new step fields, and the
feeds (お客様の声, 監査 findings, 情報セキュリティインシデント, 調達企画部's 審査). Merged into the
``web`` phrases (riskmon.i18n.pages); riskmon.web.event_view looks them up as ``ev_<field>``.
"""

from __future__ import annotations

EVENT_FIELDS: dict[str, tuple[str, str]] = {
    # the processing time of 資格取得届 / 被扶養者異動届 by medium (S2:223-227; R14)
    "ev_acquisition_e_application_processed": ("資格取得届（電子申請）の処理件数", "Acquisition forms (e-application) processed"),
    "ev_acquisition_e_application_days": (
        "資格取得届（電子申請）の処理日数の合計",
        "Acquisition forms (e-application): total processing days",
    ),
    "ev_acquisition_e_media_processed": ("資格取得届（電子媒体）の処理件数", "Acquisition forms (electronic media) processed"),
    "ev_acquisition_e_media_days": (
        "資格取得届（電子媒体）の処理日数の合計",
        "Acquisition forms (electronic media): total processing days",
    ),
    "ev_acquisition_paper_processed": ("資格取得届（紙媒体）の処理件数", "Acquisition forms (paper) processed"),
    "ev_acquisition_paper_days": ("資格取得届（紙媒体）の処理日数の合計", "Acquisition forms (paper): days in total"),
    "ev_dependent_e_application_processed": ("被扶養者異動届（電子申請）の処理件数", "Dependant change forms (e-application) processed"),
    "ev_dependent_e_application_days": (
        "被扶養者異動届（電子申請）の処理日数の合計",
        "Dependant change forms (e-application): total processing days",
    ),
    "ev_dependent_e_media_processed": ("被扶養者異動届（電子媒体）の処理件数", "Dependant change forms (electronic media) processed"),
    "ev_dependent_e_media_days": (
        "被扶養者異動届（電子媒体）の処理日数の合計",
        "Dependant change forms (electronic media): total processing days",
    ),
    "ev_dependent_paper_processed": ("被扶養者異動届（紙媒体）の処理件数", "Dependant change forms (paper) processed"),
    "ev_dependent_paper_days": ("被扶養者異動届（紙媒体）の処理日数の合計", "Dependant change forms (paper): days in total"),
    # the lifecycle (S1:2162-2177)
    "ev_joint_unit_id": ("共同で対応した部署", "Unit that took the step jointly"),
    "ev_manual_revision_required": ("マニュアル改正の要否", "Manual revision required"),
    "ev_publication_decision": ("公表判断", "Publication decision"),
    "ev_publication_reason": ("公表判断の理由", "Reason for the publication decision"),
    # 事象 and 制度 of an error report (the 月次公表's tables, issue #13)
    "ev_impact_kind": ("事象", "Financial impact"),
    "ev_scheme": ("制度", "Scheme"),
    # お客様の声 (S1:2096-2102)
    "ev_voice_id": ("お客様の声の番号", "Voice id"),
    "ev_received_at": ("受付日時", "Received at"),
    "ev_suggests_error": ("事務処理誤りの疑い", "Suggests a processing error"),
    "ev_linked_case_id": ("関連する事案番号", "Linked case"),
    # 監査 findings (S1:2375-2381, S3:583-584)
    "ev_finding_id": ("指摘番号", "Finding id"),
    "ev_auditor_unit_id": ("監査を行った部署", "Auditing unit"),
    "ev_reported_on": ("報告日", "Reported on"),
    "ev_level": ("指摘の重要度", "Finding level"),
    "ev_audit_id": ("監査番号", "Audit id"),
    "ev_done_on": ("実施日", "Done on"),
    # 情報セキュリティインシデント (S1:2480-2488)
    "ev_incident_id": ("インシデント番号", "Incident id"),
    "ev_detected_at": ("検知日時", "Detected at"),
    "ev_kind": ("種類", "Kind"),
    "ev_personal_info_leaked": ("個人情報の漏えい", "Personal information leaked"),
    "ev_affected_persons": ("影響を受けた人数", "Persons affected"),
    # 調達企画部's 審査, early security checks, 調達担当者 (S1:2326-2330, S2:270, S2:283)
    "ev_review_id": ("審査番号", "Review id"),
    "ev_reviewed_on": ("審査日", "Reviewed on"),
    "ev_problem_found": ("問題の有無", "Problem found"),
    "ev_risk_reported_on": ("リスク統括部への報告日", "Reported to the risk department on"),
    "ev_check_id": ("確認番号", "Check id"),
    "ev_checked_on": ("確認日", "Checked on"),
    "ev_issues_found": ("指摘件数", "Issues found"),
    "ev_officer_id": ("調達担当者番号", "Procurement officer id"),
    "ev_assigned_on": ("着任日", "Assigned on"),
    "ev_name": ("氏名", "Name"),
    "ev_visit_id": ("実査番号", "Site visit id"),
    "ev_visited_on": ("実査日", "Visited on"),
}
