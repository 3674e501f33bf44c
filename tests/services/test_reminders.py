"""Reminders: queued once per booking, sent when a sender can, else kept for staff."""

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.models import Reminder
from planner.services import reminders
from planner.services.audit import Actor
from tests.factories import audit_events
from tests.factories import make_appointment

# The audit guard (tests/audit_guard.py) still checks every other table here.
pytestmark = pytest.mark.audit_exempt(
    "the booking fixture stores its booked appointment directly",
    tables=["appointment"],
)
ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class RecordingSender:
    channels = frozenset({"sms"})

    def __init__(self, fail=False):
        self.sent = []
        self.fail = fail

    def send(self, reminder):
        if self.fail:
            raise OSError("gateway down for +44 7700 900123")
        self.sent.append(reminder)


@pytest.fixture
def booking(session, make_patient):
    patient = make_patient(
        given_name="Nia", phone="+44 7700 900123", notes="Private note"
    )
    # 11:00 in London on Wednesday.
    return make_appointment(session, patient.id, NOW + timedelta(days=2, hours=2))


def queue(session):
    return reminders.queue_reminders(
        session, now=NOW, zone=ZONE, clinic_name="Face Clinic", phone="020 7946 0000"
    )


def test_one_reminder_per_booking_with_plain_text(session, booking):
    assert queue(session) == 1
    assert queue(session) == 0
    (reminder,) = session.exec(select(Reminder)).all()
    assert reminder.channel == "sms"
    assert reminder.body == (
        "Hello Nia, this is a reminder of your review at day 14 at Face Clinic on "
        "Wednesday 6 May at 11:00. To change it, call 020 7946 0000."
    )
    assert "Private note" not in reminder.body
    assert reminder.due_at == booking.starts_at - timedelta(days=2)


def test_without_a_sender_reminders_wait_for_staff(session, booking):
    queue(session)
    counts = reminders.send_due(session, None, now=booking.starts_at)
    assert counts == {"sent": 0, "failed": 0, "waiting": 1}
    (waiting,) = reminders.outbox(session)
    done = reminders.mark_sent(
        session, Actor(None, "staff@example.org"), waiting.id, now=NOW
    )
    assert done.status == "sent"
    assert reminders.outbox(session) == []


@pytest.mark.audit_exempt(
    "puts the failed reminder back to pending by hand to send it again",
    tables=["reminder"],
)
def test_sender_sends_or_records_failure_without_the_address(session, booking):
    queue(session)
    failing = RecordingSender(fail=True)
    assert reminders.send_due(session, failing, now=booking.starts_at)["failed"] == 1
    (failed,) = session.exec(select(Reminder)).all()
    assert failed.error == "OSError"
    failed.status = "pending"
    session.add(failed)
    session.commit()
    working = RecordingSender()
    assert reminders.send_due(session, working, now=booking.starts_at)["sent"] == 1
    assert len(working.sent) == 1


def test_nothing_leaves_before_it_is_due(session, booking):
    queue(session)
    sender = RecordingSender()
    assert reminders.send_due(session, sender, now=NOW - timedelta(days=1))["sent"] == 0
    assert sender.sent == []


def test_outbox_page_lists_and_marks_sent(session, booking, login_as):
    from planner.models import Role

    queue(session)
    browser = login_as(Role.STAFF)
    page = browser.get("/schedule/outbox").get_data(as_text=True)
    assert "Hello Nia" in page
    assert "+44 7700 900123" in page
    (reminder,) = session.exec(select(Reminder)).all()
    assert browser.post_form(f"/reminders/{reminder.id}/sent", {}).status_code == 302
    assert "Nothing is waiting" in browser.get("/schedule/outbox").get_data(
        as_text=True
    )


def test_queueing_and_sending_are_audited_without_the_message(session, booking):
    queue(session)
    failing = RecordingSender(fail=True)
    reminders.send_due(session, failing, now=booking.starts_at)
    (reminder,) = session.exec(select(Reminder)).all()
    events = audit_events(session, "reminder")
    assert [(e.action, e.entity_id, e.patient_id, e.actor_email) for e in events] == [
        ("create", reminder.id, booking.patient_id, "system"),
        ("update", reminder.id, booking.patient_id, "system"),
    ]
    assert events[0].after["channel"] == "sms"
    assert events[1].before == {"status": "pending"}
    assert (events[1].after["status"], events[1].after["error"]) == (
        "failed",
        "OSError",
    )
    trail = json.dumps([(e.before, e.after) for e in events])
    assert "Nia" not in trail
    assert "7700" not in trail
