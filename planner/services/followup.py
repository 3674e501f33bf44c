"""Follow-up proposed when a treatment is signed: the review and the next window."""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import scheduling
from planner.clinic_time import open_through
from planner.errors import Conflict
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import AppointmentStatus
from planner.models import AuditAction
from planner.models import ClinicSetting
from planner.models import CycleResponse
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.reports.sourced import UNSOURCED
from planner.reports.wearing_off import wears_off
from planner.scheduling import SETTING_KEYS
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.drafts import live
from planner.services.product_rules import checked_product
from planner.services.schedule_settings import scheduling_rules

OPEN = (AppointmentStatus.PROPOSED, AppointmentStatus.BOOKED)


def wear_off_history(session: Session, patient_id: int, product_id: int) -> list[float]:
    """Return the patient's recorded wear-off times with one product, oldest first.

    In weeks. Only cycles given with ``product_id`` count: products are not
    assumed to last alike (Daxxify is marketed as lasting longer than the others),
    so another product's cycles say nothing about when this one will wear off.
    """
    rows = session.exec(
        select(CycleResponse.wear_off_weeks)
        .join(
            TreatmentSession, col(TreatmentSession.id) == col(CycleResponse.session_id)
        )
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.product_id == product_id,
            TreatmentSession.kind == SessionKind.FULL,
            live(),
            col(CycleResponse.wear_off_weeks).is_not(None),
        )
        .order_by(col(TreatmentSession.performed_at))
    ).all()
    return [float(weeks) for weeks in rows if weeks is not None]


def _close_fulfilled(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    *,
    treated_on: date,
    zone: ZoneInfo,
    now: datetime,
) -> None:
    """Close the patient's open treatment appointments this treatment answers.

    A proposal, and a booking on or before the treatment's clinic day, were
    kept by it (attended). A booking on a later day was not kept: the patient
    was treated before it, so it is cancelled, saying so, and leaves the
    calendar feed and that day's list rather than standing there as if the
    patient had come.
    """
    next_day = open_through(treated_on, zone)
    booked_later = and_(
        col(Appointment.status) == AppointmentStatus.BOOKED,
        col(Appointment.starts_at) >= next_day,
    )
    when = f"{treated_on.day} {treated_on:%b %Y} (session {record.id})"
    _settle(
        session,
        actor,
        record,
        Appointment.kind == AppointmentKind.TREATMENT,
        col(Appointment.status).in_(OPEN),
        ~booked_later,
        status=AppointmentStatus.ATTENDED,
        note=f" Treated on {treated_on:%d %b %Y} (session {record.id}).",
        link="fulfilled_by_session",
        now=now,
    )
    _settle(
        session,
        actor,
        record,
        Appointment.kind == AppointmentKind.TREATMENT,
        booked_later,
        status=AppointmentStatus.CANCELLED,
        note=f" Cancelled: treated earlier, on {when}.",
        link="superseded_by_session",
        now=now,
    )


def _retire_unbooked_reviews(
    session: Session, actor: Actor, record: TreatmentSession, *, now: datetime
) -> None:
    """Cancel earlier cycles' reviews never booked: the next treatment replaces them."""
    _settle(
        session,
        actor,
        record,
        Appointment.kind == AppointmentKind.REVIEW,
        Appointment.status == AppointmentStatus.PROPOSED,
        status=AppointmentStatus.CANCELLED,
        note=f" Not booked before the next treatment (session {record.id}).",
        link="superseded_by_session",
        now=now,
    )


def _settle(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    *where: Any,
    status: AppointmentStatus,
    note: str,
    link: str,
    now: datetime,
) -> None:
    """Close the patient's other appointments ``where`` picks, noting why; audit each.

    Only appointments this treatment did not propose are looked at. Each one's
    ``updated_at`` moves with its ``version``, so a calendar's LAST-MODIFIED
    changes with its SEQUENCE.

    :param link: the audit key that names the treatment session.
    """
    appointments = session.exec(
        select(Appointment).where(
            Appointment.patient_id == record.patient_id,
            *where,
            col(Appointment.source_session_id) != record.id,
        )
    ).all()
    for appointment in appointments:
        before = appointment.status.value
        appointment.status = status
        appointment.notes = (appointment.notes or "") + note
        appointment.version += 1
        appointment.updated_at = now
        session.add(appointment)
        record_event(
            session,
            actor,
            AuditAction.UPDATE,
            "appointment",
            appointment.id,
            patient_id=record.patient_id,
            before={"status": before},
            after={"status": status.value, link: record.id},
        )


def propose_follow_up(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    *,
    zone: ZoneInfo,
    now: datetime,
) -> list[Appointment]:
    """Add the review and re-treatment proposals for a signed full treatment.

    A top-up belongs to its cycle and does not restart the re-treatment window,
    so it proposes nothing. Runs inside the caller's unit of work (signing).
    """
    if record.kind != SessionKind.FULL or record.status != SessionStatus.SIGNED:
        return []
    treated_on = scheduling.local_day(record.performed_at, zone)
    _close_fulfilled(session, actor, record, treated_on=treated_on, zone=zone, now=now)
    _retire_unbooked_reviews(session, actor, record, now=now)
    product = _product(session, record)
    rules = scheduling_rules(session, product_code=product.code)
    review = scheduling.review_window(treated_on, rules)
    retreat = retreatment_window(session, record, treated_on, rules)
    suggestion = _suggestion(session, record, retreat, treated_on)
    retreat = scheduling.Window(retreat.start, retreat.start, suggestion.window_end)

    def proposal(
        kind: AppointmentKind, window: scheduling.Window, due: date, notes: str
    ) -> Appointment:
        return Appointment(
            patient_id=record.patient_id,
            clinician_id=record.injector_id,
            kind=kind,
            window_start=window.start,
            window_end=window.end,
            due_date=due,
            source_session_id=record.id,
            notes=notes,
            created_at=now,
            updated_at=now,
        )

    proposals = [
        proposal(
            AppointmentKind.REVIEW,
            review,
            review.due,
            f"{scheduling.review_name(rules.review_day).capitalize()}: effect, "
            "side effects, a possible small top-up.",
        ),
        proposal(
            AppointmentKind.TREATMENT,
            retreat,
            suggestion.day,
            suggestion.reason + _close_note(session, product, rules),
        ),
    ]
    for appointment in proposals:
        session.add(appointment)
    session.flush()
    for appointment in proposals:
        record_event(
            session,
            actor,
            AuditAction.CREATE,
            "appointment",
            appointment.id,
            patient_id=record.patient_id,
            after=snapshot(appointment),
        )
    return proposals


def _product(session: Session, record: TreatmentSession) -> Product:
    product = session.get(Product, record.product_id)
    if product is None:
        raise Conflict(f"Session {record.id} names no product.")
    return product


def retreatment_window(
    session: Session,
    record: TreatmentSession,
    treated_on: date,
    rules: scheduling.Rules,
) -> scheduling.Window:
    """Return the next cycle's window after a full treatment, before any suggestion.

    It opens no sooner than the treatment's product's minimum interval as the
    chair's ``interval_short`` check reads it (``checked_product``: the label's,
    or for Dysport the clinic's setting), so booking its first day trips no
    interval warning. It closes where ``rules`` close it: the caller reads them
    for ``record``'s product (``scheduling_rules(product_code=...)``), so the
    product's own close where the clinic set one.

    ``record`` is always the cycle's full treatment: a top-up proposes nothing
    and never moves the windows, even one in another product. The close is the
    estimate of when the full treatment's effect wears off; a top-up is a small
    correction within that cycle (clinical reference §3), so a top-up in a
    longer-lasting product must not stretch, nor one in a shorter-lasting
    product cut short, a window the full treatment's product sets.
    """
    product = _product(session, record)
    interval = checked_product(session, product).min_interval_days
    return scheduling.retreatment_window(treated_on, rules, min_interval_days=interval)


def _suggestion(
    session: Session,
    record: TreatmentSession,
    window: scheduling.Window,
    treated_on: date,
) -> scheduling.Suggestion:
    """The re-treatment day the patient's own wear-off history, in this product,
    suggests; a later day than the window's close widens the window."""
    return scheduling.suggest_retreatment(
        window,
        wear_off_history(session, record.patient_id, record.product_id),
        treated_on=treated_on,
    )


def _close_note(session: Session, product: Product, rules: scheduling.Rules) -> str:
    """Say that the window's close is a clinic setting, where it is one.

    The close's 3–4 months is sourced for onabotulinumtoxinA (Botox) only
    (clinical reference §3); for any other product, once the clinic has edited
    it, or where the clinic set the product's own close, it is the clinic's
    setting, and the note says so and why. ``rules`` close at the product's own
    close where set (``scheduling_rules(product_code=...)``).
    """
    own = session.get(ClinicSetting, scheduling.product_close_key(product.code))
    if own is not None and own.value is not None:
        return (
            f". The window closes at {rules.retreat_end_weeks} weeks: a clinic "
            f"setting for {product.brand} (set by the clinic)."
        )
    setting = session.get(ClinicSetting, SETTING_KEYS["retreat_end_weeks"])
    edited = setting is not None and setting.unsourced
    duration = wears_off(product.code)
    if not edited and not duration.clinics_own:
        return ""
    why = (
        "edited by the clinic"
        if edited
        else duration.source.removeprefix(f"{UNSOURCED}: ")
    )
    return (
        f". The window closes at {rules.retreat_end_weeks} weeks: a clinic "
        f"setting ({why})."
    )


def resuggest_retreatment(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    *,
    zone: ZoneInfo,
    source: str | None = None,
) -> bool:
    """Re-suggest the cycle's proposed re-treatment window and day.

    Called whenever a full treatment's wear-off is stored, whoever entered it
    (the clinic's response form or the patient's diary), so the same history
    gives the same day, and when the clinic changes the product's minimum
    interval (``interval_change``), so the window opens where it now would.
    Only a proposal still ``proposed`` moves: a booked or closed one is the
    clinic's to change. Runs inside the caller's unit of work; ``source`` goes
    into the audit event where the change came from outside the clinic's
    follow-up (the patient's diary, a settings edit). Returns whether it moved.
    """
    proposal = session.exec(
        select(Appointment).where(
            Appointment.source_session_id == record.id,
            Appointment.kind == AppointmentKind.TREATMENT,
            Appointment.status == AppointmentStatus.PROPOSED,
        )
    ).first()
    if proposal is None:
        return False
    treated_on = scheduling.local_day(record.performed_at, zone)
    product = _product(session, record)
    rules = scheduling_rules(session, product_code=product.code)
    window = retreatment_window(session, record, treated_on, rules)
    suggestion = _suggestion(session, record, window, treated_on)
    notes = suggestion.reason + _close_note(session, product, rules)
    if (
        suggestion.day == proposal.due_date
        and notes == proposal.notes
        and suggestion.window_end == proposal.window_end
        and window.start == proposal.window_start
    ):
        return False
    before: dict[str, Any] = {
        "due_date": proposal.due_date.isoformat(),
        "notes": proposal.notes,
    }
    after: dict[str, Any] = {"due_date": suggestion.day.isoformat(), "notes": notes}
    if window.start != proposal.window_start:
        # The product's minimum interval changed since it was proposed.
        before["window_start"] = (
            proposal.window_start.isoformat() if proposal.window_start else None
        )
        after["window_start"] = window.start.isoformat()
        proposal.window_start = window.start
    if suggestion.window_end != proposal.window_end:
        # The patient's history moved the day past (or back within) the close.
        before["window_end"] = (
            proposal.window_end.isoformat() if proposal.window_end else None
        )
        after["window_end"] = suggestion.window_end.isoformat()
        proposal.window_end = suggestion.window_end
    proposal.due_date = suggestion.day
    proposal.notes = notes
    proposal.version += 1
    session.add(proposal)
    if source is not None:
        after["source"] = source
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "appointment",
        proposal.id,
        patient_id=record.patient_id,
        before=before,
        after=after,
    )
    return True
