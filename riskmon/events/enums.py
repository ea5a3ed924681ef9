"""Controlled vocabularies, with the glossary's English identifiers as values.

The values are the public contract (they appear in event files, rule files and JSON output);
Japanese labels for people live in :mod:`riskmon.i18n`.
"""

from __future__ import annotations

from enum import StrEnum

from riskmon.domain import LineOfDefence as LineOfDefence  # re-exported: events speak of lines too


class UnitType(StrEnum):
    PENSION_OFFICE = "pension_office"
    ADMINISTRATION_CENTER = "administration_center"
    HQ_BUSINESS_DEPARTMENT = "hq_business_department"
    PENSION_CENTER = "pension_center"
    REGIONAL_DIVISION = "regional_division"
    RISK_MANAGEMENT_DEPARTMENT = "risk_management_department"
    BUSINESS_QUALITY_MANAGEMENT_DEPARTMENT = "business_quality_management_department"
    PROCUREMENT_PLANNING_DEPARTMENT = "procurement_planning_department"
    INFORMATION_MANAGEMENT_OFFICE = "information_management_office"
    SYSTEM_PLANNING_DEPARTMENT = "system_planning_department"
    COMPLIANCE_DEPARTMENT = "compliance_department"
    CSIRT = "csirt"
    AUDIT_DEPARTMENT = "audit_department"
    EXECUTIVE = "executive"
    RISK_MANAGEMENT_COMMITTEE = "risk_management_committee"
    STANDING_EXECUTIVE_COMMITTEE = "standing_executive_committee"
    COMMITTEE = "committee"


#: The line a unit type belongs to unless the units file says otherwise (S4:41; the second-line
#: list there ends in 等, so the file may override).
DEFAULT_LINE: dict[UnitType, LineOfDefence] = {
    UnitType.PENSION_OFFICE: LineOfDefence.FIRST,
    UnitType.ADMINISTRATION_CENTER: LineOfDefence.FIRST,
    UnitType.HQ_BUSINESS_DEPARTMENT: LineOfDefence.FIRST,
    UnitType.PENSION_CENTER: LineOfDefence.FIRST,
    UnitType.REGIONAL_DIVISION: LineOfDefence.FIRST,
    UnitType.RISK_MANAGEMENT_DEPARTMENT: LineOfDefence.SECOND,
    UnitType.BUSINESS_QUALITY_MANAGEMENT_DEPARTMENT: LineOfDefence.SECOND,
    UnitType.PROCUREMENT_PLANNING_DEPARTMENT: LineOfDefence.SECOND,
    UnitType.INFORMATION_MANAGEMENT_OFFICE: LineOfDefence.SECOND,
    UnitType.SYSTEM_PLANNING_DEPARTMENT: LineOfDefence.SECOND,
    UnitType.COMPLIANCE_DEPARTMENT: LineOfDefence.SECOND,
    UnitType.CSIRT: LineOfDefence.SECOND,
    UnitType.AUDIT_DEPARTMENT: LineOfDefence.THIRD,
    UnitType.EXECUTIVE: LineOfDefence.GOVERNANCE,
    UnitType.RISK_MANAGEMENT_COMMITTEE: LineOfDefence.GOVERNANCE,
    UnitType.STANDING_EXECUTIVE_COMMITTEE: LineOfDefence.GOVERNANCE,
    UnitType.COMMITTEE: LineOfDefence.GOVERNANCE,
}


class ErrorCategory(StrEnum):
    # 重点三事案: 事務処理遅延、書類の紛失、誤送付・誤送信・誤交付 (S1:2104-2106)
    PROCESSING_DELAY = "processing_delay"
    DOCUMENT_LOSS = "document_loss"
    MISDELIVERY = "misdelivery"
    MISTRANSMISSION = "mistransmission"
    MISISSUANCE = "misissuance"
    # other categories named in the seeds (S0:1053, S0:1258, S1:840-842, S1:1101)
    BENEFIT_ERROR = "benefit_error"
    COLLECTION_ERROR = "collection_error"
    ENROLMENT_ERROR = "enrolment_error"
    RECORD_ERROR = "record_error"
    DATA_ENTRY_ERROR = "data_entry_error"
    PROCESSING_OMISSION = "processing_omission"
    OTHER = "other"


PRIORITY_INCIDENT_CATEGORIES: frozenset[ErrorCategory] = frozenset(
    {
        ErrorCategory.PROCESSING_DELAY,
        ErrorCategory.DOCUMENT_LOSS,
        ErrorCategory.MISDELIVERY,
        ErrorCategory.MISTRANSMISSION,
        ErrorCategory.MISISSUANCE,
    }
)


class ReportKind(StrEnum):
    """One channel, three kinds: 事件・事故・事務処理誤り報告 (S2:270)."""

    PROCESSING_ERROR = "processing_error"
    INCIDENT = "incident"
    ACCIDENT = "accident"


class ErrorStep(StrEnum):
    """Steps in a 事務処理誤り case's life (S1:2162-2177), in their usual order.

    ``publication_decided`` is the リスク統括部's decision whether the case is published (事務処理誤り
    の月次・年次公表, S1:2090, S1:2642-2647): every case gets one, so a case nobody decided on is
    visible rather than silently left out of the publication."""

    RISK_NOTIFIED = "risk_notified"
    CUSTOMER_RESPONSE_DONE = "customer_response_done"
    EXEC_REPORTED = "exec_reported"
    CAUSE_ANALYZED = "cause_analyzed"
    PREVENTION_SET = "prevention_set"
    MANUAL_REVISED = "manual_revised"
    CLOSED = "closed"
    PUBLICATION_DECIDED = "publication_decided"


class PublicationDecision(StrEnum):
    """公表判断: publish the case (月次・年次公表, S1:2090) or withhold it, always with a reason."""

    PUBLISH = "publish"
    WITHHOLD = "withhold"


class BusinessArea(StrEnum):
    """適用・徴収・給付・記録管理・相談 (S1:39-41) plus HQ operations and outsourcing."""

    ENROLMENT = "enrolment"
    COLLECTION = "collection"
    BENEFITS = "benefits"
    RECORDS = "records"
    CONSULTATION = "consultation"
    HQ_OPERATIONS = "hq_operations"
    OUTSOURCING = "outsourcing"
    SYSTEM = "system"
    OTHER = "other"


class ImpactKind(StrEnum):
    """事象: what a 事務処理誤り did to the customer's money, the rows of the 月次公表's 事象 table
    (未払い・過払い・過徴収・未徴収・誤還付, S1:2090, S1:2642-2647). An error report's
    ``amount_impact_jpy`` means nothing without it: 12,000円 paid too little and 12,000円 paid too
    much are opposite errors, and the publication counts them apart.

    ``no_financial_impact`` says so explicitly (a 誤送付 or a 処理遅延 that cost no one money), so
    that a report that was never classified (written before the field existed) stays told apart
    from one that was classified as costing nothing."""

    UNDERPAYMENT = "underpayment"  # 未払い: a benefit paid too little or not at all
    OVERPAYMENT = "overpayment"  # 過払い: a benefit paid too much
    OVERCOLLECTION = "overcollection"  # 過徴収: contributions collected too much
    UNDERCOLLECTION = "undercollection"  # 未徴収: contributions not collected
    WRONG_REFUND = "wrong_refund"  # 誤還付: contributions refunded wrongly
    NO_FINANCIAL_IMPACT = "no_financial_impact"  # 金銭的影響なし


#: the 事象 that have an amount (every ImpactKind but no_financial_impact)
FINANCIAL_IMPACT_KINDS: frozenset[ImpactKind] = frozenset(ImpactKind) - {ImpactKind.NO_FINANCIAL_IMPACT}


class Scheme(StrEnum):
    """制度: the insurance or benefit a 事務処理誤り concerns, as the 機構's plans name the schemes it
    runs: 国民年金, 厚生年金保険, 健康保険 (全国健康保険協会管掌健康保険, whose enrolment and
    contributions the 機構 handles), 船員保険 and 年金生活者支援給付金 (S1:88, S1:441, S1:653,
    S1:961; S2:12-15). ``other`` is a case no single scheme owns (a lost file of several
    schemes' forms, a 窓口 error about no particular scheme)."""

    NATIONAL_PENSION = "national_pension"  # 国民年金
    EMPLOYEES_PENSION = "employees_pension"  # 厚生年金保険
    HEALTH_INSURANCE = "health_insurance"  # 健康保険
    SEAMENS_INSURANCE = "seamens_insurance"  # 船員保険
    SUPPORT_BENEFIT = "support_benefit"  # 年金生活者支援給付金
    OTHER = "other"  # その他（制度共通等）


class CauseCategory(StrEnum):
    PROCEDURE = "procedure"  # 事務処理手順に起因 (S2:366)
    SYSTEM = "system"  # システムに起因 (S2:366)
    HUMAN_ERROR = "human_error"
    RULE_NONCOMPLIANCE = "rule_noncompliance"
    RULE_UNCLEAR = "rule_unclear"
    CONTRACTOR = "contractor"  # S1:2156
    UNKNOWN = "unknown"


class DiscoveryChannel(StrEnum):
    DAILY_REPORT = "daily_report"
    ERROR_REPORT = "error_report"
    CUSTOMER_VOICE = "customer_voice"
    AWARD_CHECK = "award_check"
    SYSTEM_CHECK = "system_check"
    AUDIT = "audit"
    OUTSOURCING_INSPECTION = "outsourcing_inspection"
    CONTRACTOR_REPORT = "contractor_report"
    OTHER = "other"


class InspectionType(StrEnum):
    """外部委託検査 (S1:1759-1761; S2:271-276)."""

    PRE_COMMENCEMENT = "pre_commencement"
    IN_PERFORMANCE = "in_performance"
    DELIVERY = "delivery"
    POST_COMPLETION = "post_completion"


class InspectionAspect(StrEnum):
    """What a 不適事項 concerns (S2:270; S1:1759)."""

    PERFORMANCE_STRUCTURE = "performance_structure"
    PERFORMANCE_METHOD = "performance_method"
    PERSONAL_INFO_PROTECTION = "personal_info_protection"
    INFOSEC_COMPLIANCE = "infosec_compliance"
    STAFF_ROSTER = "staff_roster"
    DELIVERABLE_QUALITY = "deliverable_quality"
    OTHER = "other"


# --- feeds the seeds name (issue #12): お客様の声, 監査 findings -------------------------------


class VoiceCategory(StrEnum):
    """お客様の声 as the office records it (S1:2096-2102: analysed to find suspected errors early)."""

    COMPLAINT = "complaint"
    REQUEST = "request"
    INQUIRY = "inquiry"
    COMPLIMENT = "compliment"
    OTHER = "other"


class AuditFindingLevel(StrEnum):
    """How serious an internal-audit finding is; the seeds give no scale (domain.md §9.3), so
    riskmon keeps three levels and treats only ``major`` as more urgent."""

    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"


class AuditStep(StrEnum):
    """A finding's follow-up (S1:2375-2381; S3:583-584 「改善状況は３ヵ月後フォロー報告」)."""

    IMPROVEMENT_PLAN = "improvement_plan"  # the audited unit's plan
    FOLLOWUP_REPORT = "followup_report"  # the audited unit's report on its improvement
    CONFIRMED = "improvement_confirmed"  # 監査部 has confirmed the improvement


class InfosecIncidentKind(StrEnum):
    """情報セキュリティインシデント as 機構CSIRT records it (S1:2480-2488, S1:2553-2559)."""

    UNAUTHORIZED_ACCESS = "unauthorized_access"
    MALWARE = "malware"
    INFORMATION_LEAK = "information_leak"
    DEVICE_LOSS = "device_loss"
    MISSENT_EMAIL = "missent_email"
    MISCONFIGURATION = "misconfiguration"
    OTHER = "other"


class InfosecStep(StrEnum):
    """An incident's steps: CSIRT's response (「即応」 S1:2484), containment, the report to
    情報管理対策本部 (S1:2480-2482; S2:386-388) and, for a personal-information leak, the statutory
    report (issue #12; the seeds name no such report)."""

    CSIRT_RESPONDED = "csirt_responded"
    CONTAINED = "contained"
    HQ_REPORTED = "infosec_hq_reported"
    STATUTORY_REPORTED = "statutory_reported"
