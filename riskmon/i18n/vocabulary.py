"""The event vocabulary's words, by code: event types, unit types, users' roles, error categories,
report kinds, error steps, 事象 and 制度, business areas, causes, inspection types and aspects.

Catalogue content only: :func:`riskmon.i18n.label` looks these up (after the domain's enums), and
:func:`riskmon.i18n.catalogue` walks them for the completeness test. Codes are the glossary's
English identifiers the event files use.
"""

from __future__ import annotations

VOCABULARY: dict[str, tuple[str, str]] = {
    # event types
    "daily_report": ("日次業務報告", "daily report"),
    "error_report": ("事務処理誤り報告", "processing-error report"),
    "error_update": ("事務処理誤り進捗", "error-case update"),
    "inspection_result": ("外部委託検査結果", "outsourcing inspection"),
    "nonconformity_update": ("不適事項の改善", "nonconformity remedied"),
    "contract": ("外部委託契約", "outsourcing contract"),
    # the processing_time view (R14): form types and media of S2:223-227
    "processing_time": ("届書の処理日数（届書・媒体別）", "processing days by form and medium"),
    "acquisition": ("資格取得届", "qualification acquisition"),
    "dependent": ("被扶養者異動届", "dependant change"),
    "e_application": ("電子申請", "e-application"),
    "e_media": ("電子媒体", "electronic media"),
    "paper": ("紙媒体", "paper"),
    "unit": ("組織", "unit"),
    "file": ("ファイル全体", "whole file"),  # a file-level reject (riskmon.ingest.files)
    # the encodings a CSV is read as (riskmon.ingest.encodings)
    "utf-8": ("UTF-8", "UTF-8"),
    "utf-8-sig": ("UTF-8（BOM付き）", "UTF-8 with BOM"),
    "cp932": ("Shift_JIS（CP932）", "Shift_JIS (CP932)"),
    # unit types
    "pension_office": ("年金事務所", "pension office"),
    "administration_center": ("事務センター", "administration centre"),
    "hq_business_department": ("本部事業担当部署", "HQ business department"),
    "pension_center": ("年金センター", "pension centre"),
    "regional_division": ("地域部", "regional division"),
    "risk_management_department": ("リスク統括部", "Risk Management Dept."),
    "business_quality_management_department": ("業務品質管理部", "Business Quality Mgmt. Dept."),
    "procurement_planning_department": ("調達企画部", "Procurement Planning Dept."),
    "information_management_office": ("情報管理対策室", "Information Management Office"),
    "system_planning_department": ("システム企画部", "System Planning Dept."),
    "compliance_department": ("コンプライアンス部", "Compliance Dept."),
    "csirt": ("機構CSIRT", "CSIRT"),
    "audit_department": ("監査部", "Audit Dept."),
    "executive": ("役員", "executives"),
    "committee": ("委員会", "committee"),
    "risk_management_committee": ("リスク管理委員会", "Risk Management Committee"),
    "standing_executive_committee": ("常勤役員会", "Standing Executive Committee"),
    # roles of the users master (利用者管理); "executive" is the unit type's word above
    "member": ("職員", "staff member"),
    "site_manager": ("所属長", "office head"),
    "regional_manager": ("地域部長", "regional manager"),
    "risk_officer": ("リスク管理担当者", "risk officer"),
    "auditor": ("監査担当者", "auditor"),
    "user_admin": ("利用者管理者", "user administrator"),
    # error categories
    "processing_delay": ("事務処理遅延", "processing delay"),
    "document_loss": ("書類の紛失", "document loss"),
    "misdelivery": ("誤送付", "misdelivery"),
    "mistransmission": ("誤送信", "mistransmission"),
    "misissuance": ("誤交付", "misissuance"),
    "benefit_error": ("給付誤り", "benefit error"),
    "collection_error": ("徴収誤り", "collection error"),
    "enrolment_error": ("適用誤り", "enrolment error"),
    "record_error": ("記録誤り", "record error"),
    "data_entry_error": ("入力誤り", "data-entry error"),
    "processing_omission": ("処理漏れ", "processing omission"),
    "other": ("その他", "other"),
    # report kinds
    "processing_error": ("事務処理誤り", "processing error"),
    "incident": ("事件", "incident"),
    "accident": ("事故", "accident"),
    # error steps
    "risk_notified": ("リスク統括部へ報告", "risk dept. notified"),
    "customer_response_done": ("お客様対応完了", "customer response done"),
    "exec_reported": ("役員報告", "reported to executives"),
    "cause_analyzed": ("原因分析完了", "cause analysed"),
    "prevention_set": ("再発防止策策定", "prevention measures set"),
    "manual_revised": ("マニュアル改正", "manual revised"),
    "closed": ("完了", "closed"),
    "publication_decided": ("公表判断", "publication decided"),
    # 公表判断 (S1:2090, S1:2642-2647)
    "publish": ("公表する", "publish"),
    "withhold": ("公表しない", "withhold"),
    # 事象 of the 月次公表 (impact kinds)
    "underpayment": ("未払い", "underpayment"),
    "overpayment": ("過払い", "overpayment"),
    "overcollection": ("過徴収", "overcollection"),
    "undercollection": ("未徴収", "undercollection"),
    "wrong_refund": ("誤還付", "wrong refund"),
    "no_financial_impact": ("金銭的影響なし", "no financial impact"),
    # 制度 (schemes); "other" is the categories' その他 above
    "national_pension": ("国民年金", "National Pension"),
    "employees_pension": ("厚生年金保険", "Employees' Pension Insurance"),
    "health_insurance": ("健康保険", "Health Insurance"),
    "seamens_insurance": ("船員保険", "Seamen's Insurance"),
    "support_benefit": ("年金生活者支援給付金", "Pension Recipient Support Benefit"),
    # business areas
    "enrolment": ("適用", "enrolment"),
    "collection": ("徴収", "collection"),
    "benefits": ("給付", "benefits"),
    "records": ("記録管理", "records"),
    "consultation": ("相談", "consultation"),
    "hq_operations": ("本部現業", "HQ operations"),
    "outsourcing": ("外部委託", "outsourcing"),
    "system": ("システム", "system"),
    # causes
    "procedure": ("事務処理手順", "procedure"),
    "human_error": ("確認誤り等（人為的な誤り）", "checking errors and other human error"),
    "rule_noncompliance": ("ルール不遵守", "rule not followed"),
    "rule_unclear": ("ルール不明確", "rule unclear"),
    "contractor": ("委託先", "contractor"),
    "unknown": ("不明", "unknown"),
    "not_analysed": ("原因分析中", "cause analysis pending"),  # no cause recorded yet at the data date
    # inspections
    "pre_commencement": ("履行開始前検査", "pre-commencement inspection"),
    "in_performance": ("履行中検査", "in-performance inspection"),
    "delivery": ("納品時検査", "delivery inspection"),
    "post_completion": ("履行後検査", "post-completion inspection"),
    "performance_structure": ("履行体制", "performance structure"),
    "performance_method": ("履行方法", "performance method"),
    "personal_info_protection": ("個人情報保護", "personal-information protection"),
    "infosec_compliance": ("情報セキュリティ", "information security"),
    "staff_roster": ("業務委託員名簿", "contractor staff roster"),
    "deliverable_quality": ("成果物の品質", "deliverable quality"),
}

# the feeds' words (お客様の声, 監査 findings) live in their own module
from riskmon.i18n.vocabulary_feeds import FEED_VOCABULARY  # noqa: E402

VOCABULARY.update(FEED_VOCABULARY)
