"""Typed events (pydantic v2): the public contract of what comes in from the field.

Every record is one flat object with ``event_id``, ``type``, ``unit_id`` and a timestamp field of
its type. Events are frozen pydantic dataclasses rather than ``BaseModel`` subclasses: validation is
the same, and instances cost half as much to build, which is most of the ingest budget at a
million events (docs/benchmarks.md).

A naive datetime means the configured zone (Asia/Tokyo by default); aware datetimes are kept as
sent (they name the same instant, and compare equal to it, in any zone).
Unknown fields are refused rather than dropped: a misspelt field would otherwise be lost silently.

Every value is declared within what both databases store the same way, so a record is either
refused here, with a reason, on SQLite and PostgreSQL alike, or stored by both: whole numbers are
64-bit signed (``BIGINT``), dates and date-times lie in the years 1900–2200 (year 1 or 9999 with an
offset cannot even be converted to UTC), text holds no NUL character (PostgreSQL cannot store it),
and text is no longer than its column.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, model_validator

from riskmon.events.enums import (
    PRIORITY_INCIDENT_CATEGORIES,
    BusinessArea,
    CauseCategory,
    DiscoveryChannel,
    ErrorCategory,
    ErrorStep,
    ImpactKind,
    InspectionAspect,
    InspectionType,
    PublicationDecision,
    ReportKind,
    Scheme,
)
from riskmon.events.feeds import (
    AuditFinding,
    AuditFollowUp,
    CustomerVoice,
    InfosecIncident,
    InfosecUpdate,
    ProcurementOfficer,
    ProcurementReview,
    SecuritySiteCheck,
    SiteVisit,
)
from riskmon.events.fields import (
    Count,
    Day,
    EventBase,
    Id,
    LocalDatetime,
    Name,
    Text,
    Title,
    field_error,
    record,
)

PROCESSING_FORMS = ("acquisition", "dependent")
PROCESSING_MEDIA = ("e_application", "e_media", "paper")
PROCESSING_PAIRS = tuple(f"{f}_{m}" for f in PROCESSING_FORMS for m in PROCESSING_MEDIA)


@record
class DailyReport(EventBase):
    """拠点長の日次業務報告 (S1:2314-2316; S0:722-724)."""

    type: Literal["daily_report"]
    business_date: Day
    forms_received: Count
    forms_processed: Count
    forms_pending: Count
    oldest_pending_days: Count
    complaints: Count
    suspected_errors: Count
    note: Text
    submitted_at: LocalDatetime | None = None
    visitors: Count | None = None
    max_wait_minutes: Count | None = None
    # 資格取得届 (acquisition) and 被扶養者異動届 (dependent) processed that day by medium, and the
    # total of their processing days: the month's average is compared with the targets of
    # S2:223-227 (R14). Optional, so reports written before these fields existed still load.
    acquisition_e_application_processed: Count | None = None
    acquisition_e_application_days: Count | None = None
    acquisition_e_media_processed: Count | None = None
    acquisition_e_media_days: Count | None = None
    acquisition_paper_processed: Count | None = None
    acquisition_paper_days: Count | None = None
    dependent_e_application_processed: Count | None = None
    dependent_e_application_days: Count | None = None
    dependent_e_media_processed: Count | None = None
    dependent_e_media_days: Count | None = None
    dependent_paper_processed: Count | None = None
    dependent_paper_days: Count | None = None

    @model_validator(mode="after")
    def _processing_consistent(self) -> DailyReport:
        for name in PROCESSING_PAIRS:
            processed, days = getattr(self, f"{name}_processed"), getattr(self, f"{name}_days")
            if (processed is None) != (days is None):
                missing = f"{name}_days" if days is None else f"{name}_processed"
                raise field_error(missing, f"{name}_processed と {name}_days は両方書くか両方省いてください",
                                  f"give both {name}_processed and {name}_days, or neither")  # fmt: skip
            if processed == 0 and days:
                raise field_error(f"{name}_days", f"処理件数 ({name}_processed) が 0 なのに処理日数が 0 より大きい",
                                  f"is above 0 while {name}_processed is 0")  # fmt: skip
        return self

    @model_validator(mode="after")
    def _backlog_consistent(self) -> DailyReport:
        if self.forms_pending == 0 and self.oldest_pending_days > 0:
            raise field_error(
                "oldest_pending_days",
                "未処理件数 (forms_pending) が 0 なのに最古の未処理日数が 0 より大きい",
                "is above 0 while forms_pending is 0",
            )
        return self


@record
class ErrorReport(EventBase):
    """事務処理誤り (or 事件・事故) report (S1:2162-2177; S2:270). ``unit_id`` is the 発生部署."""

    type: Literal["error_report"]
    case_id: Id
    discovered_at: LocalDatetime
    category: ErrorCategory
    affected_customers: Count
    personal_info_involved: bool
    summary: Text
    report_kind: ReportKind = ReportKind.PROCESSING_ERROR
    occurred_at: LocalDatetime | None = None
    business_area: BusinessArea = BusinessArea.OTHER
    discovery_channel: DiscoveryChannel = DiscoveryChannel.OTHER
    discovered_by_unit_id: Id | None = None
    my_number_involved: bool = False
    amount_impact_jpy: Count | None = None
    contractor_id: Id | None = None
    contract_id: Id | None = None
    # 事象 and 制度 of the 月次公表 (S1:2090, S1:2642-2647). Optional, so reports written before
    # these fields existed still load; an amount, though, is refused without its 事象.
    impact_kind: ImpactKind | None = None
    scheme: Scheme | None = None

    @property
    def is_priority_incident(self) -> bool:
        """重点三事案 (S1:2104-2106)."""
        return self.category in PRIORITY_INCIDENT_CATEGORIES

    @model_validator(mode="after")
    def _occurred_before_discovery(self) -> ErrorReport:
        if self.occurred_at is not None and self.occurred_at > self.discovered_at:
            raise field_error("occurred_at", "発見日時 (discovered_at) より後になっている", "is later than discovered_at")
        return self

    @model_validator(mode="after")
    def _amount_has_its_impact(self) -> ErrorReport:
        """An amount without its 事象 cannot be published: 過払 and 未払 of the same sum are
        opposite errors (the publication counts each 事象 apart), so it is refused, not guessed."""
        if not self.amount_impact_jpy:
            return self
        if self.impact_kind is None:
            raise field_error(
                "impact_kind",
                "影響金額 (amount_impact_jpy) があるときは事象（underpayment 未払い・overpayment 過払い・overcollection 過徴収・"
                "undercollection 未徴収・wrong_refund 誤還付）が必須です",
                "is required when amount_impact_jpy is given: underpayment, overpayment, overcollection, undercollection or wrong_refund",
            )
        if self.impact_kind == ImpactKind.NO_FINANCIAL_IMPACT:
            raise field_error(
                "impact_kind",
                "金銭的影響なし (no_financial_impact) なのに影響金額 (amount_impact_jpy) が0円より大きい",
                "is no_financial_impact while amount_impact_jpy is above 0",
            )
        return self


@record
class ErrorUpdate(EventBase):
    """A step in a 事務処理誤り case's life; ``unit_id`` is the unit that took the step.

    ``joint_unit_id`` names the unit that took it together with ``unit_id``: the 原因分析 and the
    再発防止策 are the 発生部署's 「リスク部門と共同して」 (S1:2171-2173). The step-specific fields
    are refused on other steps, so a decision or a requirement cannot be recorded where no rule
    reads it: ``manual_revision_required`` with ``prevention_set`` (マニュアル改正, S1:2175-2177),
    ``publication_decision`` and ``publication_reason`` with ``publication_decided`` (both required
    there: a decision without its reason cannot be reviewed)."""

    type: Literal["error_update"]
    case_id: Id
    at: LocalDatetime
    step: ErrorStep
    cause_category: CauseCategory | None = None
    note: Text | None = None
    joint_unit_id: Id | None = None
    manual_revision_required: bool | None = None
    publication_decision: PublicationDecision | None = None
    publication_reason: Text | None = None

    @model_validator(mode="after")
    def _step_fields(self) -> ErrorUpdate:
        if self.manual_revision_required is not None and self.step != ErrorStep.PREVENTION_SET:
            raise field_error(
                "manual_revision_required",
                "再発防止策の策定 (step: prevention_set) のときだけ書けます",
                "is only allowed with step: prevention_set",
            )
        decided = self.step == ErrorStep.PUBLICATION_DECIDED
        for name in ("publication_decision", "publication_reason"):
            given = getattr(self, name) not in (None, "")
            if decided and not given:
                raise field_error(name, "公表判断 (step: publication_decided) には必須です", "is required with step: publication_decided")
            if given and not decided:
                raise field_error(
                    name, "公表判断 (step: publication_decided) のときだけ書けます", "is only allowed with step: publication_decided"
                )
        return self


@record
class Nonconformity:
    """不適事項 found by an inspection (S2:270)."""

    nc_id: Id
    aspect: InspectionAspect
    description: Text
    due_on: Day | None = None
    resolved_on: Day | None = None


@record
class InspectionResult(EventBase):
    """外部委託検査 result; ``unit_id`` is the 事業担当部署 that inspected (S1:2326-2328)."""

    type: Literal["inspection_result"]
    inspection_id: Id
    contract_id: Id
    inspection_type: InspectionType
    inspected_on: Day
    nonconformities: list[Nonconformity]
    note: Text | None = None

    @property
    def nonconformity_count(self) -> int:
        return len(self.nonconformities)

    @model_validator(mode="after")
    def _nonconformities_consistent(self) -> InspectionResult:
        seen: set[str] = set()
        for i, nc in enumerate(self.nonconformities):
            if nc.nc_id in seen:
                raise field_error(
                    f"nonconformities.{i}.nc_id",
                    f"'{nc.nc_id}' が同じ検査の中で2回使われている",
                    f"'{nc.nc_id}' appears twice in this inspection",
                )
            seen.add(nc.nc_id)
            if nc.resolved_on is not None and nc.resolved_on < self.inspected_on:
                raise field_error(
                    f"nonconformities.{i}.resolved_on",
                    "検査日 (inspected_on) より前になっている",
                    "is before inspected_on",
                )
        return self


@record
class NonconformityUpdate(EventBase):
    """A 不適事項 remedied after the inspection day."""

    type: Literal["nonconformity_update"]
    nc_id: Id
    resolved_on: Day
    note: Text | None = None


@record
class Contract(EventBase):
    """外部委託 contract master; ``unit_id`` is the 事業担当部署."""

    type: Literal["contract"]
    contract_id: Id
    contractor_id: Id
    handles_personal_info: bool
    start_on: Day
    end_on: Day
    new_contractor: bool
    contractor_name: Name | None = None
    title: Title | None = None

    @model_validator(mode="after")
    def _period_ordered(self) -> Contract:
        if self.end_on < self.start_on:
            raise field_error("end_on", "契約開始日 (start_on) より前になっている", "is before start_on")
        return self


#: every family, original and feed (riskmon.events.feeds), told apart by ``type``
AnyEvent = Annotated[
    DailyReport
    | ErrorReport
    | ErrorUpdate
    | InspectionResult
    | NonconformityUpdate
    | Contract
    | CustomerVoice
    | AuditFinding
    | AuditFollowUp
    | InfosecIncident
    | InfosecUpdate
    | ProcurementReview
    | SecuritySiteCheck
    | ProcurementOfficer
    | SiteVisit,
    Field(discriminator="type"),
]

#: Validates any record; built once (building it is the expensive part).
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyEvent)
