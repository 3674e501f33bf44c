"""The 12-week floor between full treatments, as booking meets it (issue 13 finding 9).

Booking a treatment before the floor is a clinical decision: only an injector makes
it, and the clinical reason is kept as such on the appointment, apart from the
generic reason to book outside the window. Admins manage users and settings and
chart nothing, so they cannot make it either. The chair's interval warning on that
treatment still asks for its own reason when it is signed.
"""

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select

from planner import scheduling
from planner.dosing.records import format_day
from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import Role
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.actor_roles import require_role
from planner.services.audit import Actor

# Who may book a re-treatment before the floor.
EARLY_BOOKERS = frozenset({Role.INJECTOR})


def last_full_treatment_day(
    session: Session, patient_id: int, before: datetime, zone: ZoneInfo
) -> date | None:
    """Return the clinic day of the patient's last signed full treatment before then."""
    performed = session.exec(
        select(func.max(TreatmentSession.performed_at)).where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
            col(TreatmentSession.performed_at) <= before,
        )
    ).one()
    return None if performed is None else scheduling.local_day(performed, zone)


def early_retreatment(
    session: Session, appointment: Appointment, starts: datetime, zone: ZoneInfo
) -> scheduling.EarlyRetreatment | None:
    """Say how a treatment at ``starts`` falls before the 12-week floor, if it does."""
    if appointment.kind != AppointmentKind.TREATMENT:
        return None
    last = last_full_treatment_day(session, appointment.patient_id, starts, zone)
    return scheduling.early_retreatment(last, scheduling.local_day(starts, zone))


def check_early_booking(
    session: Session,
    actor: Actor,
    early: scheduling.EarlyRetreatment,
    clinical_reason: str | None,
) -> None:
    """Let only an injector book an early re-treatment, and only with a reason."""
    when = early.describe()
    require_role(
        session,
        actor,
        EARLY_BOOKERS,
        "Only an injector can book a re-treatment before the 12-week floor: this "
        f"time is {when}. Choose a day from {format_day(early.floor)}, or ask an "
        "injector to book it with a clinical reason.",
        {"starts_at": f"is {when}"},
    )
    if not clinical_reason:
        raise InvalidInput(
            "A re-treatment before the 12-week floor needs a clinical reason.",
            fields={
                "clinical_reason": f"is required: this time is {when}",
            },
        )


def treatment_floor(
    session: Session, appointment: Appointment, zone: ZoneInfo, now: datetime
) -> tuple[date, date] | None:
    """Return a treatment's last full treatment day and its floor, for the booking page.

    None for another kind of appointment, or a patient with no full treatment yet.
    """
    if appointment.kind != AppointmentKind.TREATMENT:
        return None
    last = last_full_treatment_day(session, appointment.patient_id, now, zone)
    return None if last is None else (last, scheduling.retreatment_floor(last))
