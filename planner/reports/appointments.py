"""The appointments a printed record or handout lists as "next"."""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.services.patient_timeline import patient_timeline

KIND_NAMES = {
    "review": "Review",
    "treatment": "Next treatment",
    "assessment": "Assessment",
    "other": "Appointment",
}


@dataclass(frozen=True)
class NextAppointment:
    """A follow-up visit: booked for a time, or due within a window."""

    id: int
    kind: str
    status: str
    starts_at: datetime | None
    due_date: date
    window_start: date | None
    window_end: date | None

    @property
    def booked(self) -> bool:
        return self.starts_at is not None and self.status == "booked"


def _view(appointment: Appointment, zone: ZoneInfo) -> NextAppointment:
    assert appointment.id is not None
    return NextAppointment(
        id=appointment.id,
        kind=KIND_NAMES.get(appointment.kind.value, "Appointment"),
        status=appointment.status.value,
        starts_at=None
        if appointment.starts_at is None
        else appointment.starts_at.astimezone(zone),
        due_date=appointment.due_date,
        window_start=appointment.window_start,
        window_end=appointment.window_end,
    )


def _sort_key(appointment: NextAppointment) -> date:
    if appointment.starts_at is not None:
        return appointment.starts_at.date()
    return appointment.due_date


def upcoming_appointments(
    session: Session, patient_id: int, *, zone: ZoneInfo, now: datetime
) -> list[NextAppointment]:
    """List the patient's booked or proposed visits still ahead, soonest first."""
    upcoming = patient_timeline(session, patient_id, zone=zone, now=now).upcoming
    return sorted((_view(a, zone) for a in upcoming), key=_sort_key)


def follow_up_of(
    session: Session,
    session_id: int,
    patient_id: int,
    *,
    zone: ZoneInfo,
    now: datetime,
) -> list[NextAppointment]:
    """List the visits arranged from a session, then any others still ahead."""
    arranged = session.exec(
        select(Appointment).where(
            Appointment.source_session_id == session_id,
            col(Appointment.status) != AppointmentStatus.CANCELLED,
        )
    ).all()
    found = {a.id: _view(a, zone) for a in arranged if a.id is not None}
    for later in upcoming_appointments(session, patient_id, zone=zone, now=now):
        found.setdefault(later.id, later)
    return sorted(found.values(), key=_sort_key)
