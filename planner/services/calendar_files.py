"""Calendar files: one appointment as .ics, and each clinician's private feed.

A feed's address holds a 256-bit token, shown to the clinician once; only its
SHA-256 is stored (``User.feed_token_hash``), as for login sessions and diary
links, and the feed is found by that digest (a unique column), so a copy of
the database opens no feed.

Unknown tokens are not throttled per client as diary tokens are: a calendar app
goes on polling an address after it is renewed or revoked, often from a place
others share (hospital Wi-Fi, a calendar service's fetchers), and a throttle
that refuses before it checks would then turn away every live feed fetched from
there. A 256-bit token cannot be guessed anyway.
"""

import secrets
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import NotFound
from planner.interop.icalendar_export import CalendarEvent
from planner.interop.icalendar_export import EventStatus
from planner.interop.icalendar_export import build_calendar
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import Patient
from planner.models import User
from planner.scheduling import review_name
from planner.services.audit import Actor
from planner.services.diary_tokens import token_digest
from planner.services.lookup import get_or_raise
from planner.services.schedule_settings import review_day as clinic_review_day
from planner.services.users import save_user_change

FEED_PAST_DAYS = 30
STATUS = {
    AppointmentStatus.BOOKED: "CONFIRMED",
    AppointmentStatus.ATTENDED: "CONFIRMED",
    AppointmentStatus.MISSED: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
}
KIND_NAMES = {
    "treatment": "Treatment",
    "review": "Review",
    "assessment": "Assessment",
    "other": "Appointment",
}


def _initials(patient: Patient) -> str:
    return f"{patient.given_name[:1]}.{patient.family_name[:1]}.".upper()


def _kind_name(kind: str, review_day: int) -> str:
    if kind == "review":
        return review_name(review_day).capitalize()
    return KIND_NAMES.get(kind, "Appointment")


def appointment_event(
    appointment: Appointment,
    patient: Patient,
    clinician: User | None,
    *,
    review_day: int,
) -> CalendarEvent:
    """Describe an appointment for a calendar: initials and MRN only, no diagnosis.

    A review is named by the clinic's review day ("Review at day 14").
    """
    assert appointment.starts_at is not None
    assert appointment.ends_at is not None
    status: EventStatus = STATUS.get(appointment.status, "TENTATIVE")  # type: ignore[assignment]  # values are EventStatus literals
    who = f" with {clinician.name}" if clinician is not None else ""
    return CalendarEvent(
        uid_source=f"appointment-{appointment.id}",
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=f"{_kind_name(appointment.kind.value, review_day)}: "
        f"{_initials(patient)} MRN {patient.mrn}",
        description=f"planner appointment {appointment.id}{who}.",
        status=status,
        sequence=appointment.version,
        last_modified=appointment.updated_at,
        alarm_minutes_before=30,
    )


def appointment_ics(
    session: Session,
    appointment_id: int,
    *,
    zone: ZoneInfo,
    clinic_name: str,
    domain: str,
    now: datetime | None = None,
) -> bytes:
    """Return one booked appointment as an .ics file."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.starts_at is None:
        raise NotFound("That appointment has no booked time to put in a calendar.")
    patient = session.get(Patient, appointment.patient_id)
    assert patient is not None
    clinician = (
        session.get(User, appointment.clinician_id)
        if appointment.clinician_id
        else None
    )
    return build_calendar(
        [
            appointment_event(
                appointment, patient, clinician, review_day=clinic_review_day(session)
            )
        ],
        zone=zone,
        clinic_name=clinic_name,
        domain=domain,
        now=now or utc_now(),
    )


def clinician_feed(
    session: Session,
    token: str,
    *,
    zone: ZoneInfo,
    clinic_name: str,
    domain: str,
    now: datetime | None = None,
) -> bytes:
    """Return a clinician's booked appointments from a month ago onwards as a feed.

    The token is the only credential, so an unknown or revoked one is NotFound,
    the same answer as for a feed that never existed.
    """
    now = now or utc_now()
    if not token or len(token) > 64:
        raise NotFound("There is no such calendar.")
    clinician = session.exec(
        select(User).where(User.feed_token_hash == token_digest(token))
    ).first()
    if clinician is None or not clinician.active:
        raise NotFound("There is no such calendar.")
    rows = session.exec(
        select(Appointment, Patient)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .where(
            Appointment.clinician_id == clinician.id,
            col(Appointment.starts_at).is_not(None),
            col(Appointment.starts_at) >= now - timedelta(days=FEED_PAST_DAYS),
            col(Appointment.status) != AppointmentStatus.PROPOSED,
        )
        .order_by(col(Appointment.starts_at))
        .limit(2000)
    ).all()
    day = clinic_review_day(session)
    return build_calendar(
        [appointment_event(a, p, clinician, review_day=day) for a, p in rows],
        zone=zone,
        clinic_name=clinic_name,
        domain=domain,
        now=now,
        name=f"{clinic_name}: {clinician.name}",
    )


def renew_feed_token(session: Session, actor: Actor, user_id: int) -> str:
    """Give a clinician a new secret feed address; the old one stops working."""
    token = secrets.token_urlsafe(32)
    _set_feed_token(session, actor, user_id, token_digest(token), "renewed")
    return token


def revoke_feed_token(session: Session, actor: Actor, user_id: int) -> None:
    _set_feed_token(session, actor, user_id, None, "revoked")


def _set_feed_token(
    session: Session, actor: Actor, user_id: int, token_hash: str | None, change: str
) -> None:
    user = get_or_raise(session, User, user_id, "There is no such user.")
    user.feed_token_hash = token_hash
    # The token is a credential: the trail records that it changed, not its value.
    save_user_change(session, actor, user, after={"feed_token": change})
