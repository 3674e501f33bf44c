"""Booking, rescheduling and closing appointments, with the clinic's checks."""

from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import scheduling
from planner.clinic_time import wall_clock_gap
from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import AuditAction
from planner.models import ClosedDay
from planner.models import Role
from planner.models import User
from planner.models import WorkingHours
from planner.services import rebooking
from planner.services import write_locks
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.locking import update_if_version
from planner.services.lookup import get_or_raise
from planner.services.retreatment_floor import check_early_booking
from planner.services.retreatment_floor import early_retreatment
from planner.services.schedule_settings import clinic_settings
from planner.validation import blank_as_none
from planner.validation import parse_input

MAX_ID = 2**31 - 1
STALE = "Someone changed this appointment; reload and try again."


class BookingRequest(BaseModel):
    """A slot for an appointment; a time without a zone is the clinic's local time."""

    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=1, le=MAX_ID - 1)
    clinician_id: int = Field(ge=1, le=MAX_ID)
    starts_at: datetime
    override_reason: str | None = Field(default=None, max_length=500)
    # An injector's clinical reason to re-treat before the minimum interval.
    clinical_reason: str | None = Field(default=None, max_length=500)

    _blank_is_none = field_validator(
        "override_reason", "clinical_reason", mode="before"
    )(blank_as_none)


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=1, le=MAX_ID - 1)
    status: AppointmentStatus
    reason: str | None = Field(default=None, max_length=500)


def get_appointment(session: Session, appointment_id: int) -> Appointment:
    appointment = get_or_raise(
        session,
        Appointment,
        appointment_id,
        f"There is no appointment {appointment_id}.",
        populate_existing=True,
    )
    return appointment


def list_clinicians(session: Session) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.role == Role.INJECTOR, col(User.active))
            .order_by(col(User.name))
        )
    )


def calendar_for(
    session: Session, clinician_id: int
) -> tuple[list[scheduling.WorkingHours], frozenset[Any]]:
    """Return a clinician's working hours and the clinic's closed days."""
    hours = [
        scheduling.WorkingHours(h.clinician_id, h.weekday, h.starts, h.ends)
        for h in session.exec(
            select(WorkingHours).where(WorkingHours.clinician_id == clinician_id)
        )
    ]
    closed = frozenset(session.exec(select(col(ClosedDay.day))).all())
    return hours, closed


def _clash(
    session: Session,
    appointment: Appointment,
    slot: scheduling.Interval,
    clinician_id: int,
) -> Appointment | None:
    """Find a booked appointment of this clinician or this patient that overlaps."""
    return session.exec(
        select(Appointment)
        .where(
            col(Appointment.status) == AppointmentStatus.BOOKED,
            col(Appointment.id) != appointment.id,
            (col(Appointment.clinician_id) == clinician_id)
            | (col(Appointment.patient_id) == appointment.patient_id),
            col(Appointment.starts_at) < slot.end,
            col(Appointment.ends_at) > slot.start,
        )
        .limit(1)
    ).first()


def _needs_override(
    appointment: Appointment,
    slot: scheduling.Interval,
    hours: list[scheduling.WorkingHours],
    closed: frozenset[Any],
    zone: ZoneInfo,
    early: scheduling.EarlyRetreatment | None = None,
) -> list[str]:
    """List why this slot falls outside what the clinic planned, if it does.

    A re-treatment before the product's minimum interval is before its window too:
    its clinical reason answers for that, so the window is not named again.
    """
    problems: list[str] = []
    day = scheduling.local_day(slot.start, zone)
    if appointment.window_start and appointment.window_end:
        window = scheduling.Window(
            appointment.window_start, appointment.due_date, appointment.window_end
        )
        if not window.contains(day) and not (early and day < window.start):
            problems.append(
                f"it is outside the window {_day(window.start)} – {_day(window.end)}"
            )
    if day in closed:
        problems.append(f"the clinic is closed on {_day(day)}")
    elif hours:
        local_start = slot.start.astimezone(zone)
        local_end = slot.end.astimezone(zone)
        fits = any(
            h.weekday == local_start.weekday()
            and h.starts <= local_start.time()
            and local_end.time() <= h.ends
            and local_end.date() == local_start.date()
            for h in hours
        )
        if not fits:
            problems.append("it is outside the clinician's working hours")
    return problems


def _day(value: Any) -> str:
    return f"{value.day} {value:%b %Y}"


def _on_clinic_clock(entered: datetime, zone: ZoneInfo) -> datetime:
    """Read a booking's wall-clock time on the clinic's clock, as the treatment
    time is read: a time the clocks skip is refused, and so is one they show
    twice, rather than guessing which of the two is meant."""
    if entered.tzinfo is not None:
        return entered
    try:
        gap = wall_clock_gap(entered, zone)
    except OverflowError:
        # Year 1 or 9999 shifted by the zone's offset leaves the calendar.
        raise InvalidInput(
            "The appointment time is not valid.",
            fields={"starts_at": "is not a date and time the clinic can book"},
        ) from None
    day = _day(entered.date())
    if gap == "skipped":
        raise InvalidInput(
            "That time does not exist on the clinic's clock.",
            fields={
                "starts_at": f"falls in the hour the clocks go forward on {day}: "
                "enter the time the clinic's clocks will show"
            },
        )
    if gap == "repeated":
        raise InvalidInput(
            "That time happens twice on the clinic's clock.",
            fields={
                "starts_at": f"happens twice on {day}, in the hour the clocks go "
                "back, so it is not clear which is meant: choose a time outside "
                "that hour"
            },
        )
    return entered.replace(tzinfo=zone)


def book_appointment(
    session: Session,
    actor: Actor,
    appointment_id: int,
    data: Any,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> Appointment:
    """Book (or rebook) a slot, refusing double-bookings and unplanned times.

    A missed or cancelled appointment can be rebooked until a newer full
    treatment is signed: that treatment's own follow-up replaces it.

    A slot outside the window, the clinician's hours or on a closed day needs an
    explicit reason; a clash with another booking is always refused. A treatment
    before the last full treatment's product's minimum interval is an injector's
    decision, recorded with its clinical reason; anyone else is refused.
    """
    request: BookingRequest = parse_input(BookingRequest, data)
    now = now or utc_now()
    appointment = get_appointment(session, appointment_id)
    # Serialise bookings of this clinician and this patient until the commit,
    # before the clash check reads anything: two at once would each find the
    # slot free (issue 18). Everything is read again under the lock.
    write_locks.hold(
        session.connection(),
        (write_locks.CLINICIAN_CALENDAR, request.clinician_id),
        (write_locks.PATIENT_CALENDAR, appointment.patient_id),
    )
    appointment = get_appointment(session, appointment_id)
    if appointment.status == AppointmentStatus.ATTENDED:
        raise Conflict("This appointment was attended; it cannot be booked.")
    replaced = rebooking.replaced_by(session, appointment)
    if replaced is not None:
        treated_on = scheduling.local_day(replaced.performed_at, zone)
        raise Conflict(
            f"This appointment is {appointment.status.value}, and the patient was "
            f"treated again on {_day(treated_on)} (session {replaced.id}); "
            "book that treatment's follow-up instead."
        )
    clinician = session.get(User, request.clinician_id)
    if clinician is None or clinician.role != Role.INJECTOR or not clinician.active:
        raise InvalidInput(
            "Choose a clinician.", fields={"clinician_id": "is not an active clinician"}
        )
    starts = _on_clinic_clock(request.starts_at, zone)
    lengths = scheduling.slot_lengths_from_settings(clinic_settings(session))
    minutes = scheduling.slot_length(appointment.kind.value, lengths)
    slot = scheduling.Interval(starts, starts + timedelta(minutes=minutes))
    early = early_retreatment(session, appointment, slot.start, zone)
    if early is not None:
        check_early_booking(session, actor, early, request.clinical_reason)
    hours, closed = calendar_for(session, request.clinician_id)
    problems = _needs_override(
        appointment, slot, hours, closed, zone, early[0] if early else None
    )
    if problems and not request.override_reason:
        raise InvalidInput(
            "This time needs a reason.",
            fields={
                "starts_at": "; ".join(problems)
                + ". Choose another time, or give a reason to book it anyway"
            },
        )
    clash = _clash(session, appointment, slot, request.clinician_id)
    if clash is not None:
        assert clash.starts_at is not None
        who = (
            "this patient"
            if clash.patient_id == appointment.patient_id
            else clinician.name
        )
        local = clash.starts_at.astimezone(zone)
        raise Conflict(
            f"Double booking: {who} already has an appointment at "
            f"{local:%H:%M} on {_day(local.date())}.",
            fields={"starts_at": "overlaps another booking"},
        )
    return update_audited(
        session,
        actor,
        appointment,
        request.version,
        {
            "status": AppointmentStatus.BOOKED,
            "clinician_id": request.clinician_id,
            "starts_at": slot.start,
            "ends_at": slot.end,
            "override_reason": request.override_reason if problems else None,
            "clinical_reason": request.clinical_reason if early else None,
            "updated_at": now,
        },
    )


ALLOWED = {
    AppointmentStatus.ATTENDED: (AppointmentStatus.BOOKED, AppointmentStatus.PROPOSED),
    AppointmentStatus.MISSED: (AppointmentStatus.BOOKED,),
    AppointmentStatus.CANCELLED: (AppointmentStatus.BOOKED, AppointmentStatus.PROPOSED),
}


def set_status(
    session: Session,
    actor: Actor,
    appointment_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> Appointment:
    """Mark an appointment attended, missed (a no-show) or cancelled."""
    request: StatusRequest = parse_input(StatusRequest, data)
    now = now or utc_now()
    appointment = get_appointment(session, appointment_id)
    allowed_from = ALLOWED.get(request.status)
    if allowed_from is None:
        raise InvalidInput(
            "Choose attended, missed or cancelled.",
            fields={"status": "must be attended, missed or cancelled"},
        )
    if appointment.status not in allowed_from:
        raise Conflict(
            f"A {appointment.status.value} appointment cannot be marked "
            f"{request.status.value}."
        )
    if request.status == AppointmentStatus.CANCELLED and not request.reason:
        raise InvalidInput(
            "Say why it is cancelled.", fields={"reason": "is required to cancel"}
        )
    if request.status == AppointmentStatus.MISSED and (
        appointment.starts_at is None or appointment.starts_at > now
    ):
        raise InvalidInput(
            "Only a past appointment can be missed.",
            fields={"status": "the appointment has not happened yet"},
        )
    return update_audited(
        session,
        actor,
        appointment,
        request.version,
        {
            "status": request.status,
            "notes": (appointment.notes or "")
            + (f" Cancelled: {request.reason}" if request.reason else ""),
            "updated_at": now,
        },
        before={"status": appointment.status.value},
        after={"status": request.status.value, "reason": request.reason},
    )


def update_audited(
    session: Session,
    actor: Actor,
    appointment: Appointment,
    version: int,
    values: dict[str, Any],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Appointment:
    """Write ``values`` if the appointment is still at ``version``, audit the
    change, commit, and return it as stored.

    The event holds ``before`` and ``after`` as given; without them, every
    stored field that changed (the version and ``updated_at`` too), from and to.

    :raises StaleWrite: someone changed the appointment since ``version``.
    """
    assert appointment.id is not None
    was = snapshot(appointment) if before is None and after is None else None
    update_if_version(
        session,
        Appointment,
        (col(Appointment.id), appointment.id),
        version,
        values,
        stale_message=STALE,
    )
    if was is not None:
        before, after = changed_fields(
            was, snapshot(get_appointment(session, appointment.id))
        )
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "appointment",
        appointment.id,
        patient_id=appointment.patient_id,
        before=before,
        after=after,
    )
    session.commit()
    return get_appointment(session, appointment.id)
