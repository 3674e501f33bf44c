"""Follow-up appointments: proposed windows and booked slots."""

from datetime import date
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import AppointmentKind
from planner.models.enums import AppointmentStatus


class Appointment(SQLModel, table=True):
    __table_args__ = (
        Index("ix_appointment_status_due", "status", "due_date"),
        Index("ix_appointment_clinician_start", "clinician_id", "starts_at"),
        # The patient's appointments by kind: the timeline and the worklist's
        # "rebooked since it was missed?" probe, answered from the index alone.
        Index(
            "ix_appointment_patient_kind", "patient_id", "kind", "status", "due_date"
        ),
        Index("ix_appointment_status_start", "status", "starts_at"),
        # Open windows, in window order, with the count answered from the index.
        Index("ix_appointment_status_window", "status", "window_start", "window_end"),
        # Windows that closed unbooked: the worklist's overdue section.
        Index("ix_appointment_status_window_end", "status", "window_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    clinician_id: int | None = Field(default=None, foreign_key="user.id")
    kind: AppointmentKind = Field(sa_type=enum_type(AppointmentKind))
    status: AppointmentStatus = Field(
        default=AppointmentStatus.PROPOSED, sa_type=enum_type(AppointmentStatus)
    )
    # The window the visit should fall in, and the day it is best on.
    window_start: date | None = None
    window_end: date | None = None
    due_date: date
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source_session_id: int | None = Field(
        default=None, foreign_key="treatment_session.id", index=True
    )
    override_reason: str | None = Field(default=None, max_length=500)
    # An injector's clinical reason for a re-treatment booked before the 12-week
    # floor (services.appointments); never the generic override above.
    clinical_reason: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=1000)
    # Staff's reason a cancelled appointment needs no rebooking (the patient
    # stopped treatment, moved clinic, was reviewed by phone): it then leaves
    # the worklist's "to rebook" list (services.no_rebooking).
    no_rebooking_reason: str | None = Field(default=None, max_length=200)
    version: int = 1
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
