"""Appointment reminders: written into an outbox, sent by a pluggable sender.

With no sender configured, reminders wait in the outbox for staff to send by
hand (and mark sent); with SMTP configured, email reminders go out by mail.
Text messages need a gateway the clinic chooses, so they always wait for staff.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import Conflict
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import AuditAction
from planner.models import Patient
from planner.models import Reminder
from planner.models import ReminderStatus
from planner.scheduling import DEFAULT_RULES
from planner.scheduling import reminder_due
from planner.scheduling import review_name
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.lookup import get_or_raise
from planner.services.mail_server import SEND_ERRORS
from planner.services.mail_server import SmtpMailer
from planner.services.schedule_settings import clinic_settings
from planner.services.schedule_settings import review_day

UNSENT = (ReminderStatus.PENDING, ReminderStatus.FAILED)
KIND_WORDS = {
    "treatment": "your treatment",
    "assessment": "your assessment",
    "other": "your appointment",
}
# Sent from the command line, where nobody waits on a page.
SEND_TIMEOUT_SECONDS = 20


class Sender(Protocol):
    """Delivers one reminder; raises to report a failure."""

    @property
    def channels(self) -> frozenset[str]: ...

    def send(self, reminder: Reminder) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """Send email reminders through the clinic's mail server."""

    mailer: SmtpMailer
    channels: frozenset[str] = frozenset({"email"})

    def send(self, reminder: Reminder) -> None:
        self.mailer.send(reminder.recipient, "Appointment reminder", reminder.body)


def reminder_text(
    patient: Patient,
    appointment: Appointment,
    *,
    clinic_name: str,
    phone: str,
    zone: ZoneInfo,
    review_day: int = DEFAULT_RULES.review_day,
    same_day: bool = False,
) -> str:
    """Write a short reminder in plain words, with no clinical details.

    A review is named by the clinic's review day; a reminder sent on the day of
    the appointment says "today".
    """
    assert appointment.starts_at is not None
    local = appointment.starts_at.astimezone(zone)
    what = (
        f"your {review_name(review_day)}"
        if str(appointment.kind) == "review"
        else KIND_WORDS.get(str(appointment.kind), "your appointment")
    )
    call = f" To change it, call {phone}." if phone else ""
    when = f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"
    return (
        f"Hello {patient.given_name}, this is a reminder of {what} at {clinic_name} "
        f"{'today, ' if same_day else 'on '}{when}.{call}"
    )


def _trail(reminder: Reminder) -> dict[str, object]:
    """Describe a reminder for the audit trail.

    The message and the patient's address stay in the outbox row; the trail
    names the reminder, its appointment, channel, due time and status.
    """
    named = reminder.appointment_starts_at
    return {
        "appointment_id": reminder.appointment_id,
        "channel": reminder.channel,
        "due_at": reminder.due_at.isoformat(),
        "starts_at": named.isoformat() if named is not None else None,
        "status": reminder.status.value,
    }


def _names(reminder: Reminder, appointment: Appointment) -> bool:
    """Tell whether a reminder names the appointment's present time.

    A reminder sent before the time was kept (migration 0019) is taken to name
    it, so that upgrading sends no one a second reminder.
    """
    if reminder.appointment_starts_at is None:
        return reminder.status == ReminderStatus.SENT
    return reminder.appointment_starts_at == appointment.starts_at


def _fits(reminder: Reminder, appointment: Appointment) -> bool:
    """Tell whether a reminder may go: ``_current`` for one row already read."""
    return (
        appointment.status == AppointmentStatus.BOOKED
        and reminder.appointment_starts_at == appointment.starts_at
    )


def _current() -> tuple[Any, ...]:
    """Select reminders that still fit their appointment (joined in the query).

    The appointment is still booked, at the time the message names: a reminder
    for a moved, cancelled, missed or attended appointment is never sent or
    offered to staff.
    """
    return (
        Appointment.status == AppointmentStatus.BOOKED,
        col(Reminder.appointment_starts_at) == col(Appointment.starts_at),
    )


def _withdraw(
    session: Session,
    actor: Actor,
    reminder: Reminder,
    *,
    patient_id: int | None,
    reason: str,
) -> None:
    """Cancel an unsent reminder that no longer fits its appointment; audit why."""
    before = _trail(reminder)
    reminder.status = ReminderStatus.CANCELLED
    _save(
        session,
        actor,
        reminder,
        patient_id=patient_id,
        before=before,
        after={**_trail(reminder), "reason": reason},
    )


def _withdraw_unbooked(session: Session, actor: Actor) -> None:
    """Cancel the unsent reminders of appointments no longer booked."""
    rows = session.exec(
        select(Reminder, Appointment)
        .join(Appointment, col(Appointment.id) == col(Reminder.appointment_id))
        .where(
            col(Reminder.status).in_(UNSENT),
            Appointment.status != AppointmentStatus.BOOKED,
        )
    ).all()
    for reminder, appointment in rows:
        _withdraw(
            session,
            actor,
            reminder,
            patient_id=appointment.patient_id,
            reason=f"appointment {appointment.status.value}",
        )


def queue_reminders(
    session: Session,
    *,
    now: datetime,
    zone: ZoneInfo,
    clinic_name: str,
    phone: str,
    actor: Actor = SYSTEM,
) -> int:
    """Write a reminder for each booked appointment inside the reminder horizon.

    Each appointment gets one reminder per channel for its time, due the set
    number of days before it; running this again adds nothing twice. An unsent
    reminder whose appointment moved is rewritten for the new time; one sent
    before the move stays as it was, and a new one names the new time. Unsent
    reminders of appointments no longer booked are cancelled. Each reminder
    written or changed is an audit event (by default the system's: the
    scheduled command queues them).
    """
    days = int(clinic_settings(session).get("reminder_days_before", 2))
    review = review_day(session)
    horizon = now + timedelta(days=days + 1)
    _withdraw_unbooked(session, actor)
    rows = session.exec(
        select(Appointment, Patient)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            col(Appointment.starts_at) > now,
            col(Appointment.starts_at) <= horizon,
        )
    ).all()
    queued: list[tuple[Reminder, int | None]] = []
    for appointment, patient in rows:
        assert appointment.starts_at is not None
        assert appointment.id is not None
        channel, recipient = (
            ("sms", patient.phone)
            if patient.phone
            else ("email", patient.email)
            if patient.email
            else ("letter", patient.full_name)
        )
        assert recipient is not None
        due = reminder_due(appointment.starts_at, days, now=now, zone=zone)
        body = reminder_text(
            patient,
            appointment,
            clinic_name=clinic_name,
            phone=phone,
            zone=zone,
            review_day=review,
            same_day=days == 0,
        )
        earlier = session.exec(
            select(Reminder).where(
                Reminder.appointment_id == appointment.id,
                Reminder.channel == channel,
                Reminder.status != ReminderStatus.CANCELLED,
            )
        ).all()
        current = [r for r in earlier if _names(r, appointment)]
        moved = [r for r in earlier if r not in current and r.status in UNSENT]
        if not current and moved:
            # Not sent yet, so not history: the message is written again.
            _rewrite(session, actor, moved.pop(0), appointment, body=body, due=due)
        elif not current:
            reminder = Reminder(
                appointment_id=appointment.id,
                channel=channel,
                recipient=recipient,
                body=body,
                due_at=due,
                appointment_starts_at=appointment.starts_at,
            )
            session.add(reminder)
            queued.append((reminder, patient.id))
        for reminder in moved:
            _withdraw(
                session,
                actor,
                reminder,
                patient_id=patient.id,
                reason="appointment moved",
            )
    session.flush()
    for reminder, patient_id in queued:
        record_event(
            session,
            actor,
            AuditAction.CREATE,
            "reminder",
            reminder.id,
            patient_id=patient_id,
            after=_trail(reminder),
        )
    session.commit()
    return len(queued)


def _rewrite(
    session: Session,
    actor: Actor,
    reminder: Reminder,
    appointment: Appointment,
    *,
    body: str,
    due: datetime,
) -> None:
    """Write an unsent reminder again for its appointment's new time; audit it."""
    before = _trail(reminder)
    reminder.body = body
    reminder.due_at = due
    reminder.appointment_starts_at = appointment.starts_at
    reminder.status = ReminderStatus.PENDING
    reminder.error = None
    _save(
        session,
        actor,
        reminder,
        patient_id=appointment.patient_id,
        before=before,
        after={**_trail(reminder), "reason": "appointment moved"},
    )


def send_due(
    session: Session,
    sender: Sender | None,
    *,
    now: datetime,
    actor: Actor = SYSTEM,
) -> dict[str, int]:
    """Send the due reminders the sender handles; the rest stay in the outbox.

    Only a reminder that still fits its appointment goes: the unsent reminders
    of appointments no longer booked are cancelled, and one whose appointment
    moved waits for ``queue_reminders`` to write it again. Each reminder sent,
    failed or cancelled is an audit event: it left (or tried to leave) the
    clinic with the patient's appointment in it.

    Each message's status and event are committed straight after its own send,
    so a run stopped part-way (a cron timeout, a restart) keeps the record of
    what already left, and the next run never sends those again.
    """
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    _withdraw_unbooked(session, actor)
    session.commit()
    due = session.exec(
        select(Reminder, Appointment.patient_id)
        .join(Appointment, col(Appointment.id) == col(Reminder.appointment_id))
        .where(
            Reminder.status == ReminderStatus.PENDING,
            col(Reminder.due_at) <= now,
            *_current(),
        )
    ).all()
    for reminder, patient_id in due:
        if sender is None or reminder.channel not in sender.channels:
            counts["waiting"] += 1
            continue
        try:
            sender.send(reminder)
        except SEND_ERRORS as exc:
            reminder.status = ReminderStatus.FAILED
            # The error's class only: its text may echo the patient's address.
            reminder.error = f"{type(exc).__name__}"
            counts["failed"] += 1
        else:
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = now
            counts["sent"] += 1
        _save(
            session,
            actor,
            reminder,
            patient_id=patient_id,
            before={"status": ReminderStatus.PENDING.value},
            after={**_trail(reminder), "by_hand": False, "error": reminder.error},
        )
        session.commit()
    return counts


def outbox(session: Session, *, limit: int = 200) -> Sequence[Reminder]:
    """List reminders waiting or failed, oldest due first, for staff to send.

    A reminder whose appointment moved, or is no longer booked, is left out:
    staff never see (or send) a message naming the wrong time.
    """
    return session.exec(
        select(Reminder)
        .join(Appointment, col(Appointment.id) == col(Reminder.appointment_id))
        .where(col(Reminder.status).in_(UNSENT), *_current())
        .order_by(col(Reminder.due_at))
        .limit(limit)
    ).all()


def outbox_appointments(
    session: Session, waiting: Sequence[Reminder]
) -> dict[int | None, Appointment]:
    """Map each outbox reminder's appointment id to its appointment."""
    ids = [r.appointment_id for r in waiting]
    rows = session.exec(select(Appointment).where(col(Appointment.id).in_(ids)))
    return {a.id: a for a in rows}


def mark_sent(
    session: Session, actor: Actor, reminder_id: int, *, now: datetime
) -> Reminder:
    """Record that staff sent a reminder by hand."""
    reminder = get_or_raise(
        session, Reminder, reminder_id, "There is no such reminder."
    )
    if reminder.status == ReminderStatus.SENT:
        raise Conflict("That reminder is already sent.")
    appointment = session.get(Appointment, reminder.appointment_id)
    if (
        reminder.status == ReminderStatus.CANCELLED
        or appointment is None
        or not _fits(reminder, appointment)
    ):
        raise Conflict(
            "That reminder is out of date: its appointment moved or is no "
            "longer booked."
        )
    before = reminder.status.value
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = now
    _save(
        session,
        actor,
        reminder,
        patient_id=appointment.patient_id,
        before={"status": before},
        after={"status": "sent", "by_hand": True},
    )
    session.commit()
    return reminder


def _save(
    session: Session,
    actor: Actor,
    reminder: Reminder,
    *,
    patient_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Add a reminder's change, and its audit event, to the unit of work."""
    session.add(reminder)
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "reminder",
        reminder.id,
        patient_id=patient_id,
        before=before,
        after=after,
    )
