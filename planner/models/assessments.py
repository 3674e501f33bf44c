"""Clinician-graded and patient-reported outcome scores."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import Instrument
from planner.models.enums import Timepoint


class Assessment(SQLModel, table=True):
    """One completed instrument; raw answers are kept so scores can be recomputed."""

    __table_args__ = (Index("ix_assessment_patient_at", "patient_id", "assessed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    session_id: int | None = Field(
        default=None, foreign_key="treatment_session.id", index=True
    )
    instrument: Instrument = Field(sa_type=enum_type(Instrument))
    timepoint: Timepoint = Field(default=Timepoint.OTHER, sa_type=enum_type(Timepoint))
    assessed_at: datetime = Field(sa_type=UTCDateTime)
    items: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    scores: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The headline figure (composite, total, grade) for lists and trends.
    total: float | None = None
    formula_version: str = Field(max_length=40)
    self_entered: bool = False
    entered_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
