"""Appointment reminders: written into an outbox, sent by a pluggable sender.

With no sender configured, reminders wait in the outbox for staff to send by
hand (and mark sent); with SMTP configured, email reminders go out by mail.
Text messages need a gateway the clinic chooses, so they always wait for staff.
"""

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
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
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.followup import clinic_settings
from planner.services.lookup import get_or_raise

KIND_WORDS = {
    "treatment": "your treatment",
    "review": "your 2-week review",
    "assessment": "your assessment",
    "other": "your appointment",
}


class Sender(Protocol):
    """Delivers one reminder; raises to report a failure."""

    @property
    def channels(self) -> frozenset[str]: ...

    def send(self, reminder: Reminder) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """Send email reminders through the clinic's mail server."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    channels: frozenset[str] = frozenset({"email"})

    def send(self, reminder: Reminder) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = reminder.recipient
        message["Subject"] = "Appointment reminder"
        message.set_content(reminder.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def reminder_text(
    patient: Patient,
    appointment: Appointment,
    *,
    clinic_name: str,
    phone: str,
    zone: ZoneInfo,
) -> str:
    """Write a short reminder in plain words, with no clinical details."""
    assert appointment.starts_at is not None
    local = appointment.starts_at.astimezone(zone)
    what = KIND_WORDS.get(str(appointment.kind), "your appointment")
    call = f" To change it, call {phone}." if phone else ""
    return (
        f"Hello {patient.given_name}, this is a reminder of {what} at {clinic_name} "
        f"on {local:%A} {local.day} {local:%B} at {local:%H:%M}.{call}"
    )


def _trail(reminder: Reminder) -> dict[str, object]:
    """Describe a reminder for the audit trail.

    The message and the patient's address stay in the outbox row; the trail
    names the reminder, its appointment, channel, due time and status.
    """
    return {
        "appointment_id": reminder.appointment_id,
        "channel": reminder.channel,
        "due_at": reminder.due_at.isoformat(),
        "status": reminder.status.value,
    }


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

    Each appointment gets one reminder per channel, due the set number of days
    before it; running this again adds nothing twice. Each reminder written is
    an audit event (by default the system's: the scheduled command queues them).
    """
    days = int(clinic_settings(session).get("reminder_days_before", 2))
    horizon = now + timedelta(days=days + 1)
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
        due = max(now, appointment.starts_at - timedelta(days=days))
        exists = session.exec(
            select(Reminder.id).where(
                Reminder.appointment_id == appointment.id, Reminder.channel == channel
            )
        ).first()
        if exists is not None:
            continue
        reminder = Reminder(
            appointment_id=appointment.id,
            channel=channel,
            recipient=recipient,
            body=reminder_text(
                patient,
                appointment,
                clinic_name=clinic_name,
                phone=phone,
                zone=zone,
            ),
            due_at=due,
        )
        session.add(reminder)
        queued.append((reminder, patient.id))
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


def send_due(
    session: Session,
    sender: Sender | None,
    *,
    now: datetime,
    actor: Actor = SYSTEM,
) -> dict[str, int]:
    """Send the due reminders the sender handles; the rest stay in the outbox.

    Each reminder sent, or failed, is an audit event: it left (or tried to
    leave) the clinic with the patient's appointment in it.
    """
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    due = session.exec(
        select(Reminder, Appointment.patient_id)
        .join(Appointment, col(Appointment.id) == col(Reminder.appointment_id))
        .where(Reminder.status == ReminderStatus.PENDING, col(Reminder.due_at) <= now)
    ).all()
    for reminder, patient_id in due:
        if sender is None or reminder.channel not in sender.channels:
            counts["waiting"] += 1
            continue
        try:
            sender.send(reminder)
        except (OSError, smtplib.SMTPException) as exc:
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
    """List reminders waiting or failed, oldest due first, for staff to send."""
    return session.exec(
        select(Reminder)
        .where(
            col(Reminder.status).in_((ReminderStatus.PENDING, ReminderStatus.FAILED))
        )
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
    before = reminder.status.value
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = now
    appointment = session.get(Appointment, reminder.appointment_id)
    _save(
        session,
        actor,
        reminder,
        patient_id=appointment.patient_id if appointment is not None else None,
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
