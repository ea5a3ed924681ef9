"""Every word users see, in one catalogue: Japanese by default, English on request (``--lang en``).

Code and files use the glossary's English identifiers; this module is the only place that turns
them into words, so a label is fixed once for the CLI, the reports, the templates and the error
messages. The catalogue has three parts, one lookup API:

- the domain's values (severity, line, case status, …): :data:`riskmon.domain.LABELS`, looked up
  by the enum member (``label(Severity.HIGH)``) — an enum member is never ambiguous, whereas the
  string ``"open"`` is both an engine status (発生中) and a case status (未対応);
- the event vocabulary (event types, unit types, error categories, …): :data:`_LABELS`, by code;
- fixed phrases of a document (the committee pack's headings, its xlsx headers, …):
  :data:`_PHRASES`, by namespace and key (``phrase("report", "title")``).

:func:`catalogue` walks all three, so ``tests/test_i18n.py`` fails when any entry lacks its
other language. Templates get :func:`label` and :func:`phrase` bound to the document's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum, StrEnum
from typing import Literal

from riskmon.domain import LABELS as DOMAIN_LABELS

Lang = Literal["ja", "en"]

_LABELS: dict[str, tuple[str, str]] = {
    # event types
    "daily_report": ("日次業務報告", "daily report"),
    "error_report": ("事務処理誤り報告", "processing-error report"),
    "error_update": ("事務処理誤り進捗", "error-case update"),
    "inspection_result": ("外部委託検査結果", "outsourcing inspection"),
    "nonconformity_update": ("不適事項の改善", "nonconformity remedied"),
    "contract": ("外部委託契約", "outsourcing contract"),
    "unit": ("組織", "unit"),
    "file": ("ファイル全体", "whole file"),  # a file-level reject (riskmon.ingest.files)
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
    "human_error": ("人為的ミス", "human error"),
    "rule_noncompliance": ("ルール不遵守", "rule not followed"),
    "rule_unclear": ("ルール不明確", "rule unclear"),
    "contractor": ("委託先", "contractor"),
    "unknown": ("不明", "unknown"),
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


#: Fixed phrases of documents, by namespace. ``report``: the committee pack (Markdown, HTML, xlsx)
#: and the assurance report.
_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "report": {
        "stop": ("。", "."),
        "title": ("リスク管理委員会資料", "Risk Management Committee pack"),
        "period": ("対象期間", "Period"),
        "prev_period": ("前年同期", "same period last year"),
        "as_of": ("データ時点", "Data as of"),
        "data_hash": ("データハッシュ", "data hash"),
        "rule_versions": ("ルール版", "Rule versions"),
        "s1": ("1. 外部委託検査の実施状況", "1. Outsourcing inspections"),
        "count": ("実施件数", "inspections"),
        "ncs": ("不適事項件数", "nonconformities"),
        "ref": ("参考：", "for reference: "),
        "nc_details": ("不適事項の内容", "Nonconformities"),
        "no_ncs": ("不適事項はありません。", "No nonconformities."),
        "h_date": ("検査日", "inspected"),
        "h_type": ("検査", "inspection"),
        "h_contractor": ("委託先", "contractor"),
        "h_contract": ("契約", "contract"),
        "h_aspect": ("観点", "aspect"),
        "h_desc": ("内容", "description"),
        "h_due": ("改善期限", "due"),
        "h_fix": ("改善状況", "remediation"),
        "nc_open": ("未解消", "open"),
        "nc_same_day": ("検査当日に解消", "remedied on the inspection day"),
        "nc_remedied_on": ("{day} 解消", "remedied {day}"),
        "s2": ("2. 事務処理誤り", "2. Processing errors"),
        "in_period": ("期間中", "In the period"),
        "cases": ("件", " cases"),
        "of_which_priority": ("うち重点三事案", "of which priority incidents"),
        "ytd": ("年度累計", "Fiscal year to date"),
        "month": ("月", "month"),
        "n": ("件数", "count"),
        "by_month": ("月別件数", "By month"),
        "by_category": ("分類別件数（赤は重点三事案）", "By category (red: priority incidents)"),
        "category": ("分類", "category"),
        "priority_tag": ("（重点三事案）", " (priority)"),
        "by_area": ("業務区分別", "By business area"),
        "by_cause": ("原因別", "By cause"),
        "overdue_priority": ("期限を過ぎている重点三事案", "Overdue priority incidents"),
        "none": ("ありません。", "None."),
        "h_case": ("事案", "case"),
        "h_owner": ("担当", "owner"),
        "h_over": ("超過（営業日）", "business days overdue"),
        "s3": ("3. フラグ（検知事項）", "3. Flags"),
        "opened": ("新規", "opened"),
        "resolved": ("完了", "closed"),  # 完了, never クローズ (riskmon.domain)
        "open": ("未完了", "open"),
        "overdue": ("期限超過", "overdue"),
        "escalations": ("エスカレーション", "escalations"),
        "by_line": ("防衛線別", "by line of defence"),
        "by_severity": ("重大度別", "by severity"),
        "by_risk": ("リスク区分別", "by risk category"),
        "overdue_by_line": ("期限超過（防衛線別）", "overdue by line"),
        "breakdown": ("内訳（未完了）", "breakdown (open)"),
        "group": ("区分", "group"),
        "risky": ("リスクの高い拠点", "Highest-risk offices"),
        "formula": ("算式", "Formula"),
        "h_office": ("拠点", "office"),
        "h_score": ("スコア", "score"),
        "h_prio": ("重点三事案", "priority"),
        "h_other": ("その他の誤り", "other errors"),
        "h_backlog": ("滞留", "backlog"),
        "s4": ("4. 前回資料からの変化", "4. Changes since the previous pack"),
        "since_prev": ("前回", "Since the previous pack"),
        "worsened": ("悪化", "worsened"),
        "first_pack": ("前回の資料はありません（初回）。", "No previous pack (this is the first)."),
        # the xlsx: sheet names and the headers not named above
        "x_inspections": ("外部委託検査", "Inspections"),
        "x_ncs": ("不適事項", "Nonconformities"),
        "x_errors_by_month": ("事務処理誤り_月別", "Errors by month"),
        "x_errors_by_category": ("事務処理誤り_分類別", "Errors by category"),
        "x_overdue_priority": ("重点三事案_期限超過", "Overdue priority"),
        "x_risky": ("リスクの高い拠点", "Highest-risk offices"),
        "x_priority_mark": ("○", "yes"),
        "h_other_short": ("その他", "other"),
        "h_deadline": ("期限", "due"),
        # the assurance report (riskmon.review.assurance)
        "a_title": ("第二線の有効性に関する保証レポート", "Assurance report on the second line"),
        "a_flags": ("フラグ", "flags"),
        "a_closed": ("完了", "closed"),
        "a_ack": ("受領までの時間（中央値・時間）", "median hours to acknowledge"),
        "a_close": ("完了までの時間（中央値・時間）", "median hours to close"),
        "a_within": ("営業日以内の完了率", "closed within business days"),
        "a_four_eyes": ("四つの目の遵守", "four-eyes compliance"),
        "a_reopen": ("再開率", "reopen rate"),
        "a_dismiss_reason": ("却下の理由", "dismissals by reason"),
        "a_dismiss_person": ("却下した担当者", "dismissals by person"),
        "a_never_fired": ("一度も検知しなかったルール", "rules that never fired"),
        "a_most_dismissed": ("却下の多いルール", "rules with most dismissals"),
        "a_sample": ("監査テスト用サンプル", "audit-test sample"),
    },
    # the daily digests of the outbox (riskmon.review.escalation)
    "review": {
        "n_title": ("riskmon 通知", "riskmon notifications"),
        "n_new": ("新規", "new"),
        "n_escalated": ("エスカレーション", "escalated"),
    },
}


def label(value: str | Enum | None, lang: Lang | str = "ja") -> str:
    """The user-facing label of a domain value or a vocabulary code; unknown codes are shown as they are.

    A plain string that names a domain value is found too when every domain enum that has it
    agrees on the words (``"high"``, ``"first"``); ``"open"`` — 発生中 as an engine status, 未対応
    as a case — is not, so callers pass the enum member wherever a status is meant."""
    if value is None:
        return ""
    if isinstance(value, StrEnum) and value in DOMAIN_LABELS:
        return pick(DOMAIN_LABELS[value], lang)
    key = str(value.value if isinstance(value, Enum) else value)
    pair = _LABELS.get(key) or _DOMAIN_BY_VALUE.get(key)
    if pair is None:
        return key
    return pick(pair, lang)


def phrase(namespace: str, key: str, lang: Lang | str = "ja") -> str:
    """A fixed phrase of a document; an unknown key is a KeyError the tests catch, never a blank."""
    return pick(_PHRASES[namespace][key], lang)


def phrases(namespace: str, lang: Lang | str = "ja") -> dict[str, str]:
    """Every phrase of a namespace in ``lang`` (what a template reads as ``t.key``)."""
    return {k: pick(v, lang) for k, v in _PHRASES[namespace].items()}


def catalogue() -> Iterator[tuple[str, tuple[str, str]]]:
    """Every entry of the catalogue as ``(where, (ja, en))``, for the completeness test."""
    for member, pair in DOMAIN_LABELS.items():
        yield f"domain:{type(member).__name__}.{member.name}", pair
    for key, pair in _LABELS.items():
        yield f"vocabulary:{key}", pair
    for namespace, table in _PHRASES.items():
        for key, pair in table.items():
            yield f"{namespace}:{key}", pair


def pick(pair: tuple[str, str], lang: str) -> str:
    """The wording for ``lang`` from a ``(ja, en)`` pair, the shape every label table uses."""
    return pair[0] if lang == "ja" else pair[1]


def msg(ja: str, en: str, lang: Lang) -> str:
    """Pick one of a message's two wordings."""
    return pick((ja, en), lang)


def _unambiguous_domain_labels() -> dict[str, tuple[str, str]]:
    seen: dict[str, set[tuple[str, str]]] = {}
    for member, pair in DOMAIN_LABELS.items():
        seen.setdefault(member.value, set()).add(pair)
    return {value: next(iter(pairs)) for value, pairs in seen.items() if len(pairs) == 1}


_DOMAIN_BY_VALUE = _unambiguous_domain_labels()
