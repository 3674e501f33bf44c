"""What a change to a product's minimum interval does to the follow-up already proposed.

A re-treatment still ``proposed`` is the planner's suggestion, agreed with nobody
yet: it is re-proposed (``followup.resuggest_retreatment``), so the window staff
are offered, the worklist and the patient page show, and the next handout prints
opens where the clinic's interval now puts it, and agrees with the booking floor
and the chair, which read the setting as it is now. A booked re-treatment is a
time agreed with the patient: it is left as booked, and those that now fall
before the new interval are counted, so the settings page can say so. The chair
still asks for a reason if one is given early.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner import scheduling
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import AppointmentStatus
from planner.models import ClinicSetting
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.followup import resuggest_retreatment
from planner.services.product_rules import checked_product


@dataclass(frozen=True)
class IntervalFollowUp:
    """The open re-treatments of one product after its interval changed."""

    brand: str
    # Proposals whose window now opens elsewhere.
    reproposed: int
    # Booked re-treatments left as booked that now fall before the interval.
    booked_early: int

    def describe(self) -> str:
        """Say what became of the follow-up already arranged, for the settings page."""
        moved = _count(self.reproposed, "proposed re-treatment window")
        said = (
            f"{moved} not yet booked {'was' if self.reproposed == 1 else 'were'} "
            "re-proposed to open at the new interval"
            if self.reproposed
            else "No proposed re-treatment window needed to move"
        )
        said += f" ({self.brand} patients)."
        if self.booked_early:
            early = _count(self.booked_early, "booked re-treatment")
            said += (
                f" {early} now {'falls' if self.booked_early == 1 else 'fall'} "
                "before the new interval and "
                f"{'keeps its' if self.booked_early == 1 else 'keep their'} time: "
                "check with the patient; the chair will ask for a reason."
            )
        return said


@dataclass(frozen=True)
class SavedSetting:
    """A saved setting, and what saving a product's interval did to follow-ups."""

    setting: ClinicSetting
    follow_up: IntervalFollowUp | None = None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def refollow_interval(
    session: Session,
    actor: Actor,
    product_code: str,
    *,
    zone: ZoneInfo,
    source: str,
) -> IntervalFollowUp:
    """Re-propose the product's open re-treatment proposals after its interval changed.

    Runs inside the caller's unit of work (saving the setting). ``source`` names
    the change in each moved proposal's audit event.
    """
    product = session.exec(select(Product).where(Product.code == product_code)).one()
    checked = checked_product(session, product)
    rows = session.exec(
        select(Appointment, TreatmentSession)
        .join(
            TreatmentSession,
            col(TreatmentSession.id) == col(Appointment.source_session_id),
        )
        .where(
            Appointment.kind == AppointmentKind.TREATMENT,
            col(Appointment.status).in_(
                (AppointmentStatus.PROPOSED, AppointmentStatus.BOOKED)
            ),
            TreatmentSession.product_id == product.id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
        )
        .order_by(col(Appointment.id))
    ).all()
    reproposed = booked_early = 0
    for appointment, record in rows:
        if appointment.status == AppointmentStatus.PROPOSED:
            moved = resuggest_retreatment(
                session, actor, record, zone=zone, source=source
            )
            reproposed += int(moved)
        elif _before_floor(appointment.starts_at, record, checked, zone):
            booked_early += 1
    return IntervalFollowUp(checked.brand, reproposed, booked_early)


def _before_floor(
    starts_at: datetime | None,
    record: TreatmentSession,
    checked: dosing.Product,
    zone: ZoneInfo,
) -> bool:
    """Whether a booked time is early after its source treatment, as booking judges."""
    if starts_at is None:
        return False
    treated_on = scheduling.local_day(record.performed_at, zone)
    early = scheduling.early_retreatment(
        treated_on, scheduling.local_day(starts_at, zone), checked.min_interval_days
    )
    return early is not None
