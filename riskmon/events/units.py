"""Organisation master data: the units events refer to, with their line of defence.

The units file is edited by an administrator; it is validated like events. ``line`` defaults from
the unit type (S4:41) and may be overridden, because the seed's second-line list ends in 等.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

from riskmon.events.enums import DEFAULT_LINE, LineOfDefence, UnitType
from riskmon.events.fields import Id, Name, field_error, no_nul

#: A prefecture name fits the units table's 32-character column.
Prefecture = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(no_nul)]


class UnitRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    unit_id: Id
    name_ja: Id
    unit_type: UnitType
    name_en: Name | None = None
    line: LineOfDefence | None = None
    parent_unit_id: Id | None = None
    prefecture: Prefecture | None = None
    active: bool = True

    @property
    def effective_line(self) -> LineOfDefence:
        return self.line or DEFAULT_LINE[self.unit_type]

    @model_validator(mode="after")
    def _not_own_parent(self) -> UnitRecord:
        if self.parent_unit_id == self.unit_id:
            raise field_error("parent_unit_id", "自分自身を親組織にはできません", "cannot be the unit itself")
        return self
