"""The follow-up a printed record or handout lists: what its own session arranged.

A record or handout of an old session never shows later cycles' visits: it lists
the visits that session proposed, and any arranged without a source session
after it and before the patient's next one.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import and_
from sqlmodel import col
from sqlmodel import or_
from sqlmodel import select

from planner.clinic_time import local_day
from planner.models import Appointment
from planner.models import TreatmentSession
from planner.services.drafts import live

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


class VisitState(StrEnum):
    """What the handout tells the patient to do about a visit."""

    BOOKED = "booked"  # come at the time printed
    TO_BOOK = "to_book"  # call to book it, around the day printed
    BOOK_NOW = "book_now"  # its day has passed unbooked, or it was missed


@dataclass(frozen=True)
class PatientVisit:
    """A visit as the handout words it: no date in the past is ever printed."""

    kind: str
    state: VisitState
    starts_at: datetime | None = None
    due_date: date | None = None


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


def _sort_key(appointment: NextAppointment) -> tuple[date, int]:
    if appointment.starts_at is not None:
        return appointment.starts_at.date(), appointment.id
    return appointment.due_date, appointment.id


def arranged_by(
    session: Session, record: TreatmentSession, *, zone: ZoneInfo
) -> list[NextAppointment]:
    """List the visits a session arranged, soonest first, whatever their status.

    Those it proposed when signed, and any with no source session made after it
    and before the patient's next session.
    """
    later = session.exec(
        select(TreatmentSession.performed_at)
        .where(
            TreatmentSession.patient_id == record.patient_id,
            col(TreatmentSession.performed_at) > record.performed_at,
            live(),
        )
        .order_by(col(TreatmentSession.performed_at))
    ).first()
    unsourced = [
        col(Appointment.source_session_id).is_(None),
        col(Appointment.created_at) >= record.performed_at,
    ]
    if later is not None:
        unsourced.append(col(Appointment.created_at) < later)
    rows = session.exec(
        select(Appointment).where(
            Appointment.patient_id == record.patient_id,
            or_(Appointment.source_session_id == record.id, and_(*unsourced)),
        )
    ).all()
    return sorted((_view(row, zone) for row in rows), key=_sort_key)


def patient_visits(
    appointments: list[NextAppointment], *, now: datetime, zone: ZoneInfo
) -> list[PatientVisit]:
    """Word each visit for the patient: when to come, when to book, or book now.

    Cancelled and attended visits are left out, and so is a booked time already
    past: the visit is over, and the clinic marks a missed one as missed.
    """
    today = local_day(now, zone)
    visits = []
    for appointment in appointments:
        if appointment.status == "missed":
            visits.append(PatientVisit(appointment.kind, VisitState.BOOK_NOW))
        elif appointment.booked:
            assert appointment.starts_at is not None
            if appointment.starts_at >= now:
                visits.append(
                    PatientVisit(
                        appointment.kind,
                        VisitState.BOOKED,
                        starts_at=appointment.starts_at,
                    )
                )
        elif appointment.status == "proposed":
            if appointment.due_date < today:
                visits.append(PatientVisit(appointment.kind, VisitState.BOOK_NOW))
            else:
                visits.append(
                    PatientVisit(
                        appointment.kind,
                        VisitState.TO_BOOK,
                        due_date=appointment.due_date,
                    )
                )
    return visits
