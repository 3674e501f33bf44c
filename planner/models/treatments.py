"""Treatment sessions, their injection sites, amendments and responses."""

from datetime import date
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
from planner.models.enums import AdverseEventKind
from planner.models.enums import Depth
from planner.models.enums import SessionKind
from planner.models.enums import SessionStatus
from planner.models.enums import Severity
from planner.models.enums import Side
from planner.models.enums import SiteRole


class TreatmentSession(SQLModel, table=True):
    """One injection visit: a full treatment opening a cycle, or a top-up in one."""

    __tablename__ = "treatment_session"
    __table_args__ = (
        Index("ix_session_patient_performed", "patient_id", "performed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    injector_id: int = Field(foreign_key="user.id", index=True)
    kind: SessionKind = Field(default=SessionKind.FULL, sa_type=enum_type(SessionKind))
    # A top-up points at the full session that opened its cycle.
    cycle_session_id: int | None = Field(
        default=None, foreign_key="treatment_session.id", index=True
    )
    cycle_number: int = Field(ge=1)
    product_id: int = Field(foreign_key="product.id")
    vial_lot_id: int | None = Field(default=None, foreign_key="viallot.id")
    performed_at: datetime = Field(sa_type=UTCDateTime)
    status: SessionStatus = Field(
        default=SessionStatus.DRAFT, sa_type=enum_type(SessionStatus)
    )
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_by_id: int | None = Field(default=None, foreign_key="user.id")
    consent_obtained: bool = False
    consent_note: str | None = Field(default=None, max_length=1000)
    notes: str | None = Field(default=None, max_length=4000)
    # Safety warnings shown at the chair and the reason given for each, as kept.
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    version: int = 1
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class InjectionSite(SQLModel, table=True):
    """One injection point on the face map."""

    __tablename__ = "injection_site"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="treatment_session.id", index=True)
    number: int = Field(ge=1)
    muscle: str = Field(max_length=40)
    side: Side = Field(sa_type=enum_type(Side))
    role: SiteRole = Field(sa_type=enum_type(SiteRole))
    # Map coordinates in the face map's own viewBox units.
    x: float
    y: float
    units: float = Field(gt=0, le=400)
    depth: Depth | None = Field(default=None, sa_type=enum_type(Depth))
    note: str | None = Field(default=None, max_length=500)
    version: int = 1
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Amendment(SQLModel, table=True):
    """A correction to a signed session, with its reason; the record says so."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="treatment_session.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    reason: str = Field(min_length=1, max_length=2000)
    changes: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CycleResponse(SQLModel, table=True):
    """How a cycle worked: onset, peak, wear-off and the patient's overall view."""

    __tablename__ = "cycle_response"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="treatment_session.id", unique=True)
    onset_days: float | None = Field(default=None, ge=0, le=60)
    peak_days: float | None = Field(default=None, ge=0, le=120)
    wear_off_weeks: float | None = Field(default=None, ge=0, le=52)
    patient_rating: int | None = Field(default=None, ge=0, le=10)
    notes: str | None = Field(default=None, max_length=2000)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    version: int = 1


class AdverseEvent(SQLModel, table=True):
    __tablename__ = "adverse_event"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="treatment_session.id", index=True)
    kind: AdverseEventKind = Field(sa_type=enum_type(AdverseEventKind))
    description: str | None = Field(default=None, max_length=1000)
    severity: Severity = Field(sa_type=enum_type(Severity))
    onset_date: date | None = None
    resolved_date: date | None = None
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ProtocolTemplate(SQLModel, table=True):
    """A clinic's named set of sites and doses to start a chart from."""

    __tablename__ = "protocol_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str | None = Field(default=None, max_length=500)
    # [{"muscle", "role", "x", "y", "units"}]: roles relative to the palsy, points
    # drawn as if the affected side were the patient's right (see services/protocols).
    sites: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # The product whose units the doses are written in: a template applies only to a
    # chart of that product. None for templates saved before templates recorded
    # their product (migration 0004): their units are unknown, so they apply to no
    # chart until an admin names the product.
    product_id: int | None = Field(default=None, foreign_key="product.id")
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    version: int = 1
