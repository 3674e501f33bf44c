"""The clinic's calendar: clinicians' working hours, closed days, reminder outbox."""

from datetime import date
from datetime import datetime
from datetime import time
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now


class WorkingHours(SQLModel, table=True):
    """One clinician's session on one weekday, in the clinic's local time."""

    __tablename__ = "working_hours"
    __table_args__ = (UniqueConstraint("clinician_id", "weekday", "starts"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(foreign_key="user.id", index=True)
    weekday: int = Field(ge=0, le=6, description="Monday is 0")
    starts: time
    ends: time
    version: int = 1


class ClosedDay(SQLModel, table=True):
    __tablename__ = "closed_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    reason: str = Field(max_length=200)


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Reminder(SQLModel, table=True):
    """A reminder message waiting in the outbox, or the record of one sent."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("appointment_id", "channel", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=254)
    body: str = Field(max_length=2000)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # The appointment time the message names: once the appointment moves, the
    # message is out of date. None on reminders written before it was kept.
    appointment_starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: ReminderStatus = Field(
        default=ReminderStatus.PENDING, sa_type=enum_type(ReminderStatus)
    )
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
