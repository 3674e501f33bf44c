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
from planner.facemap.model import CURRENT_MAP_VERSION
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
    # The vial in use now: each new site is drawn from it. A session may use
    # several vials of its product; each site records its own (InjectionSite).
    vial_lot_id: int | None = Field(default=None, foreign_key="viallot.id", index=True)
    performed_at: datetime = Field(sa_type=UTCDateTime)
    # Set once the injector enters the treatment time by hand: until then a draft
    # started today is taken as given now (see services.safety.treatment_time).
    performed_at_confirmed: bool = False
    status: SessionStatus = Field(
        default=SessionStatus.DRAFT, sa_type=enum_type(SessionStatus)
    )
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_by_id: int | None = Field(default=None, foreign_key="user.id")
    # A discarded draft: when, by whom and why (services/drafts.py).
    discarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    discarded_by_id: int | None = Field(default=None, foreign_key="user.id")
    discard_reason: str | None = Field(default=None, max_length=500)
    consent_obtained: bool = False
    consent_note: str | None = Field(default=None, max_length=1000)
    notes: str | None = Field(default=None, max_length=4000)
    # Safety warnings shown at the chair and the reason given for each, as kept.
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # The face map the sites were charted on (face_maps/front-v<n>.json): a signed
    # session is drawn on its own version; drafts and new sessions on the current.
    map_version: int = Field(default=CURRENT_MAP_VERSION, ge=1)
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
    # None until the clinician enters the dose: a site copied from a chart of
    # another product, whose units are not interchangeable, or tapped where the
    # product has no default. Such a chart cannot be signed.
    units: float | None = Field(default=None, gt=0, le=400)
    # Why the dose is not set yet, shown at the chair; cleared when it is entered.
    unset_reason: str | None = Field(default=None, max_length=200)
    depth: Depth | None = Field(default=None, sa_type=enum_type(Depth))
    note: str | None = Field(default=None, max_length=500)
    # The vial the dose was drawn from: the session's vial in use when the site
    # was charted (brand and batch traceable per administration [S58] [S59]).
    vial_lot_id: int | None = Field(default=None, foreign_key="viallot.id", index=True)
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
    # The fields the patient entered through their diary (planner.services.diary_*),
    # not yet confirmed by the clinic: saving the response form confirms them all.
    patient_fields: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )


class AdverseEvent(SQLModel, table=True):
    """Something a treatment may have caused, as the clinic recorded it.

    ``diary_entry_id`` names the patient's diary side effect it was recorded
    from, if any: at most one event for each entry.
    """

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
    diary_entry_id: int | None = Field(
        default=None, foreign_key="diary_entry.id", unique=True
    )


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
