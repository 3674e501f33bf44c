"""Today's clinic: who is booked today, where each one's chart stands, reviews due.

The day is the clinic's calendar day (``planner.clinic_time``): a booking at
00:30 local time in a London summer is on that day, though it is 23:30 UTC the
day before.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import day_start
from planner.clinic_time import open_through
from planner.consent import treatment_consent_matters
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import AppointmentStatus
from planner.models import Patient
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User

# A clinic day has far fewer; the cap keeps a mistaken bulk booking cheap.
DAY_LIMIT = 200


class ChartToday(StrEnum):
    """Where the patient's chart for today stands."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SIGNED = "signed"
    DISCARDED = "discarded"


CHART_LABELS = {
    ChartToday.NOT_STARTED: "Not started",
    ChartToday.DRAFT: "Draft",
    ChartToday.SIGNED: "Signed",
    ChartToday.DISCARDED: "Discarded",
}

# When a patient has more than one chart today, the one to show: an open draft
# first (it needs finishing), then a signed one, then a discarded one.
_PRECEDENCE = {
    SessionStatus.DRAFT: 0,
    SessionStatus.SIGNED: 1,
    SessionStatus.DISCARDED: 2,
}


@dataclass(frozen=True)
class TodayRow:
    """One patient's visit today and the one tap that carries it on."""

    appointment_id: int
    patient_id: int
    patient: str
    mrn: str
    kind: AppointmentKind
    appointment_status: AppointmentStatus
    starts_at: datetime | None
    # The booked time on the clinic's clock ("09:30"); blank for a review not booked.
    time: str
    clinician: str | None
    chart: ChartToday
    # Today's chart to open (the draft to resume, or the signed one); None when
    # there is none, and the tap opens the new-session form instead.
    session_id: int | None

    @property
    def chart_label(self) -> str:
        return CHART_LABELS[self.chart]

    @property
    def consent_matters(self) -> bool:
        """Whether this row waits on treatment consent: a treatment to come, a draft."""
        chart = (
            None if self.chart == ChartToday.NOT_STARTED else SessionStatus(self.chart)
        )
        return treatment_consent_matters(self.kind, self.appointment_status, chart)

    @property
    def action(self) -> str:
        """What the one tap does: resume, view or start a chart, or record scores."""
        if self.chart == ChartToday.DRAFT:
            return "resume"
        if self.chart == ChartToday.SIGNED:
            return "view"
        if self.kind in (AppointmentKind.REVIEW, AppointmentKind.ASSESSMENT):
            return "scores"
        return "start"


@dataclass(frozen=True)
class TodaysClinic:
    today: date
    bookings: list[TodayRow]
    # Reviews whose proposed day is today but that nobody has booked yet.
    reviews_due: list[TodayRow]
    clinician_id: int | None = None


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the aware first moment of the clinic day and of the next one."""
    return day_start(day, zone), open_through(day, zone)


def _charts_today(
    session: Session, patient_ids: set[int], start: datetime, end: datetime
) -> dict[int, tuple[ChartToday, int]]:
    """Return each patient's chart state today and the session to open."""
    if not patient_ids:
        return {}
    rows = session.exec(
        select(
            TreatmentSession.patient_id, TreatmentSession.status, TreatmentSession.id
        )
        .where(
            col(TreatmentSession.patient_id).in_(patient_ids),
            col(TreatmentSession.performed_at) >= start,
            col(TreatmentSession.performed_at) < end,
        )
        .order_by(col(TreatmentSession.id).desc())
    ).all()
    found: dict[int, list[tuple[SessionStatus, int]]] = defaultdict(list)
    for patient_id, status, session_id in rows:
        if session_id is not None:
            found[patient_id].append((SessionStatus(status), session_id))
    charts: dict[int, tuple[ChartToday, int]] = {}
    for patient_id, sessions in found.items():
        status, session_id = min(sessions, key=lambda pair: _PRECEDENCE[pair[0]])
        charts[patient_id] = (ChartToday(status.value), session_id)
    return charts


def _rows(
    rows: Sequence[tuple[Appointment, Patient, str | None]],
    charts: dict[int, tuple[ChartToday, int]],
    zone: ZoneInfo,
) -> list[TodayRow]:
    result = []
    for appointment, patient, clinician in rows:
        assert appointment.id is not None
        assert patient.id is not None
        chart, session_id = charts.get(patient.id, (ChartToday.NOT_STARTED, None))
        result.append(
            TodayRow(
                appointment_id=appointment.id,
                patient_id=patient.id,
                patient=f"{patient.family_name}, {patient.given_name}",
                mrn=patient.mrn,
                kind=appointment.kind,
                appointment_status=appointment.status,
                starts_at=appointment.starts_at,
                time=f"{appointment.starts_at.astimezone(zone):%H:%M}"
                if appointment.starts_at
                else "",
                clinician=clinician,
                chart=chart,
                session_id=session_id,
            )
        )
    return result


def todays_clinic(
    session: Session,
    *,
    today: date,
    zone: ZoneInfo,
    clinician_id: int | None = None,
) -> TodaysClinic:
    """Gather today's bookings with each chart's state, and the reviews due today.

    :param clinician_id: only this clinician's bookings (None: everyone's).
    """
    start, end = day_bounds(today, zone)
    visible = (
        AppointmentStatus.BOOKED,
        AppointmentStatus.ATTENDED,
        AppointmentStatus.MISSED,
    )
    booked_query = (
        select(Appointment, Patient, User.name)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .outerjoin(User, col(User.id) == col(Appointment.clinician_id))
        .where(
            col(Appointment.status).in_(visible),
            col(Appointment.starts_at) >= start,
            col(Appointment.starts_at) < end,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
        .limit(DAY_LIMIT)
    )
    reviews_query = (
        select(Appointment, Patient, User.name)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .outerjoin(User, col(User.id) == col(Appointment.clinician_id))
        .where(
            Appointment.status == AppointmentStatus.PROPOSED,
            Appointment.kind == AppointmentKind.REVIEW,
            Appointment.due_date == today,
        )
        .order_by(col(Patient.family_name), col(Appointment.id))
        .limit(DAY_LIMIT)
    )
    if clinician_id is not None:
        booked_query = booked_query.where(Appointment.clinician_id == clinician_id)
        reviews_query = reviews_query.where(Appointment.clinician_id == clinician_id)
    booked = list(session.exec(booked_query).all())
    reviews = list(session.exec(reviews_query).all())
    patients = {p.id for _, p, _ in booked + reviews if p.id is not None}
    charts = _charts_today(session, patients, start, end)
    return TodaysClinic(
        today=today,
        bookings=_rows(booked, charts, zone),
        reviews_due=_rows(reviews, charts, zone),
        clinician_id=clinician_id,
    )
