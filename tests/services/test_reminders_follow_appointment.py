"""Reminders follow their appointment: they name its time, and stop when it closes."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import Reminder
from planner.models import Role
from planner.services import appointments
from planner.services import reminders
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import make_appointment

# The audit guard (tests/audit_guard.py) still checks every other table here.
pytestmark = pytest.mark.audit_exempt(
    "the booking fixture stores its booked appointment directly",
    tables=["appointment"],
)
# Monday 4 May 2026, 09:00 in London (summer time).
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
OLD_TEXT = "on Wednesday 6 May at 11:00"
# The first queue run whose horizon reaches 15:00 on Wednesday 13 May.
MAY_10 = datetime(2026, 5, 10, 14, 0, tzinfo=UTC)


class RecordingSender:
    channels = frozenset({"sms", "email"})

    def __init__(self):
        self.sent = []

    def send(self, reminder):
        self.sent.append((reminder.channel, reminder.body))


@pytest.fixture(params=["sms", "email"])
def booking(request, session, make_patient, injector):
    """Nia's review at 11:00 (London) on Wednesday 6 May; a text, or an email."""
    address = (
        {"phone": "+44 7700 900123"}
        if request.param == "sms"
        else {"email": "nia@example.org"}
    )
    patient = make_patient(given_name="Nia", **address)
    return make_appointment(
        session,
        patient.id,
        NOW + timedelta(days=2, hours=2),
        clinician_id=injector.user_id,
    )


def queue(session, now=NOW):
    return reminders.queue_reminders(
        session, now=now, zone=ZONE, clinic_name="Face Clinic", phone="020 7946 0000"
    )


def rebook(session, actor, appointment, local, now):
    """Book the appointment again at a clinic-local time (``2026-05-13T15:00``)."""
    session.refresh(appointment)
    return appointments.book_appointment(
        session,
        actor,
        appointment.id,
        {
            "version": appointment.version,
            "clinician_id": actor.user_id,
            "starts_at": local,
            "override_reason": "the patient asked",
        },
        zone=ZONE,
        now=now,
    )


def text(when):
    return (
        "Hello Nia, this is a reminder of your review at day 14 at Face Clinic "
        f"{when}. To change it, call 020 7946 0000."
    )


def test_rebooking_rewrites_the_unsent_reminder_for_the_new_time(
    session, booking, injector
):
    assert queue(session) == 1
    rebook(session, injector, booking, "2026-05-13T15:00", NOW + timedelta(hours=1))
    # Before the next queue run, nothing naming the old time is sent or offered.
    sender = RecordingSender()
    assert (
        reminders.send_due(session, sender, now=NOW + timedelta(hours=2))["sent"] == 0
    )
    assert reminders.outbox(session) == []
    # The queue run that reaches the new time writes the same reminder again,
    # due two days before 15:00.
    assert queue(session, MAY_10) == 0
    (reminder,) = session.exec(select(Reminder)).all()
    assert reminder.due_at == datetime(2026, 5, 11, 14, 0, tzinfo=UTC)
    assert reminder.body == text("on Wednesday 13 May at 15:00")
    assert reminders.outbox(session) == [reminder]
    counts = reminders.send_due(
        session, sender, now=datetime(2026, 5, 11, 15, 0, tzinfo=UTC)
    )
    assert counts["sent"] == 1
    assert sender.sent == [(reminder.channel, text("on Wednesday 13 May at 15:00"))]
    events = audit_events(session, "reminder")
    assert [(e.action, e.actor_email) for e in events] == [
        ("create", "system"),
        ("update", "system"),
        ("update", "system"),
    ]
    moved = events[1]
    assert (moved.before["starts_at"], moved.before["due_at"]) == (
        "2026-05-06T10:00:00+00:00",
        "2026-05-04T10:00:00+00:00",
    )
    assert (moved.after["starts_at"], moved.after["reason"]) == (
        "2026-05-13T14:00:00+00:00",
        "appointment moved",
    )
    assert "Nia" not in str([(e.before, e.after) for e in events])


def test_rebooking_across_the_clock_change_names_the_new_local_time(
    session, make_patient, injector
):
    # Friday 27 March 2026, 10:00 GMT; the clocks go forward on Sunday 29 March.
    now = datetime(2026, 3, 25, 8, 0, tzinfo=UTC)
    patient = make_patient(given_name="Nia", phone="+44 7700 900123")
    booking = make_appointment(
        session,
        patient.id,
        datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
        clinician_id=injector.user_id,
    )
    queue(session, now)
    rebook(session, injector, booking, "2026-03-30T10:00", now + timedelta(hours=1))
    queue(session, datetime(2026, 3, 28, 9, 30, tzinfo=UTC))
    sender = RecordingSender()
    reminders.send_due(session, sender, now=datetime(2026, 3, 28, 10, 0, tzinfo=UTC))
    # 10:00 in London on Monday is 09:00 UTC: the message names the clinic's time.
    assert sender.sent == [("sms", text("on Monday 30 March at 10:00"))]


def test_a_reminder_sent_before_rebooking_stays_and_a_new_one_names_the_new_time(
    session, booking, injector
):
    queue(session)
    sender = RecordingSender()
    assert (
        reminders.send_due(session, sender, now=NOW + timedelta(hours=2))["sent"] == 1
    )
    rebook(session, injector, booking, "2026-05-07T10:30", NOW + timedelta(hours=3))
    assert queue(session, NOW + timedelta(hours=4)) == 1
    # Due two days before 10:30 (09:30 UTC) on Thursday.
    reminders.send_due(session, sender, now=datetime(2026, 5, 5, 9, 30, tzinfo=UTC))
    assert [body for _, body in sender.sent] == [
        text(OLD_TEXT),
        text("on Thursday 7 May at 10:30"),
    ]
    first, second = session.exec(select(Reminder).order_by(Reminder.id)).all()
    assert (first.status, first.body) == ("sent", text(OLD_TEXT))
    assert first.sent_at == NOW + timedelta(hours=2)
    assert second.status == "sent"
    # Queuing again adds nothing: the new time has had its reminder.
    assert queue(session, NOW + timedelta(hours=6)) == 0


@pytest.mark.parametrize(
    ("status", "when"),
    [
        ("cancelled", NOW + timedelta(hours=1)),
        ("attended", NOW + timedelta(hours=1)),
        # A no-show is marked after the time; its reminder waited for staff.
        ("missed", NOW + timedelta(days=2, hours=3)),
    ],
)
def test_no_reminder_for_an_appointment_no_longer_booked(
    session, booking, injector, status, when
):
    queue(session)
    session.refresh(booking)
    appointments.set_status(
        session,
        injector,
        booking.id,
        {"version": booking.version, "status": status, "reason": "patient unwell"},
        now=when,
    )
    assert reminders.outbox(session) == []
    sender = RecordingSender()
    counts = reminders.send_due(session, sender, now=when + timedelta(minutes=1))
    assert sender.sent == []
    assert counts == {"sent": 0, "failed": 0, "waiting": 0}
    (reminder,) = session.exec(select(Reminder)).all()
    assert reminder.status == "cancelled"
    withdrawn = audit_events(session, "reminder")[-1]
    assert (withdrawn.before["status"], withdrawn.after["status"]) == (
        "pending",
        "cancelled",
    )
    assert withdrawn.after["reason"] == f"appointment {status}"


def test_outbox_page_never_shows_a_stale_time(
    session, make_patient, injector, login_as
):
    patient = make_patient(given_name="Nia", phone="+44 7700 900123")
    booking = make_appointment(
        session,
        patient.id,
        NOW + timedelta(days=2, hours=2),
        clinician_id=injector.user_id,
    )
    queue(session)
    (reminder,) = session.exec(select(Reminder)).all()
    browser = login_as(Role.STAFF)
    assert OLD_TEXT in browser.get("/schedule/outbox").get_data(as_text=True)
    rebook(session, injector, booking, "2026-05-13T15:00", NOW + timedelta(hours=1))
    page = browser.get("/schedule/outbox").get_data(as_text=True)
    assert OLD_TEXT not in page
    assert "Nothing is waiting" in page
    # A page left open from before cannot mark the old message sent.
    browser.post_form(f"/reminders/{reminder.id}/sent", {})
    session.refresh(reminder)
    assert reminder.status == "pending"
    queue(session, MAY_10)
    page = browser.get("/schedule/outbox").get_data(as_text=True)
    assert "on Wednesday 13 May at 15:00" in page
    assert OLD_TEXT not in page
