"""Clinic-editable settings: reference ranges, caps, intervals and defaults."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import utc_now


class ClinicSetting(SQLModel, table=True):
    """One setting; ``unsourced`` marks values that are clinic choices, not facts."""

    __tablename__ = "clinic_setting"

    key: str = Field(primary_key=True, max_length=80)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    label: str = Field(max_length=200)
    source: str | None = Field(default=None, max_length=300)
    unsourced: bool = False
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    version: int = 1
