"""The floor between full treatments, as booking meets it (issue 13 finding 9).

The floor is the last full treatment's product's minimum interval, read as the
chair's ``interval_short`` check reads it (``product_rules.checked_product``: the
label's, or for Dysport the clinic's setting), so a booking on or after it does
not trip that warning and one before it does.

Booking a treatment before the floor is a clinical decision: only an injector makes
it, and the clinical reason is kept as such on the appointment, apart from the
generic reason to book outside the window. Admins manage users and settings and
chart nothing, so they cannot make it either. The chair's interval warning on that
treatment still asks for its own reason when it is signed.
"""

from datetime import date
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner import scheduling
from planner.dosing.records import format_day
from planner.dosing.timing import interval_rule
from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import Product
from planner.models import Role
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.actor_roles import require_role
from planner.services.audit import Actor
from planner.services.product_rules import checked_product

# Who may book a re-treatment before the floor.
EARLY_BOOKERS = frozenset({Role.INJECTOR})


class LastFull(NamedTuple):
    """The patient's last full treatment: its clinic day and its product's rules."""

    day: date
    product: dosing.Product


class Floor(NamedTuple):
    """The booking page's floor: the last full treatment's day, the floor, and the
    chair's words for the interval ("Botox should be given at least 84 days...")."""

    last: date
    floor: date
    rule: str


def last_full_treatment(
    session: Session, patient_id: int, before: datetime, zone: ZoneInfo
) -> LastFull | None:
    """Return the patient's last signed full treatment before then, if any."""
    row = session.exec(
        select(TreatmentSession.performed_at, Product)
        .join(Product, col(Product.id) == col(TreatmentSession.product_id))
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
            col(TreatmentSession.performed_at) <= before,
        )
        .order_by(col(TreatmentSession.performed_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    performed, product = row
    return LastFull(
        scheduling.local_day(performed, zone), checked_product(session, product)
    )


def early_retreatment(
    session: Session, appointment: Appointment, starts: datetime, zone: ZoneInfo
) -> tuple[scheduling.EarlyRetreatment, dosing.Product] | None:
    """Say how a treatment at ``starts`` falls before the interval, if it does.

    The product returned is the last full treatment's, whose interval was used.
    """
    if appointment.kind != AppointmentKind.TREATMENT:
        return None
    last = last_full_treatment(session, appointment.patient_id, starts, zone)
    if last is None:
        return None
    early = scheduling.early_retreatment(
        last.day, scheduling.local_day(starts, zone), last.product.min_interval_days
    )
    return None if early is None else (early, last.product)


def check_early_booking(
    session: Session,
    actor: Actor,
    early: tuple[scheduling.EarlyRetreatment, dosing.Product],
    clinical_reason: str | None,
) -> None:
    """Let only an injector book an early re-treatment, and only with a reason."""
    found, product = early
    when = found.describe()
    require_role(
        session,
        actor,
        EARLY_BOOKERS,
        "Only an injector can book a re-treatment before the minimum interval: this "
        f"time is {when}, and {interval_rule(product)}. Choose a day from "
        f"{format_day(found.floor)}, or ask an injector to book it with a clinical "
        "reason.",
        {"starts_at": f"is {when}"},
    )
    if not clinical_reason:
        raise InvalidInput(
            "A re-treatment before the minimum interval needs a clinical reason.",
            fields={
                "clinical_reason": f"is required: this time is {when}",
            },
        )


def treatment_floor(
    session: Session, appointment: Appointment, zone: ZoneInfo, now: datetime
) -> Floor | None:
    """Return a treatment's last full treatment day and its floor, for the booking page.

    None for another kind of appointment, or a patient with no full treatment yet.
    """
    if appointment.kind != AppointmentKind.TREATMENT:
        return None
    last = last_full_treatment(session, appointment.patient_id, now, zone)
    if last is None:
        return None
    floor = scheduling.retreatment_floor(last.day, last.product.min_interval_days)
    return Floor(last.day, floor, interval_rule(last.product))
