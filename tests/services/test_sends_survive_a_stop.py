"""A sending run stopped part-way keeps the record of what already left.

A cron timeout, a SIGTERM on deploy or a crash stops ``send-reminders`` in the
middle of its loop. Each message's status and audit event are committed right
after its own send, so the messages already gone are recorded as sent and the
next run never sends them twice.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.models import DiaryLink
from planner.models import Reminder
from planner.models import ReminderStatus
from planner.models import Role
from planner.services import reminders
from planner.services.audit import Actor
from planner.services.diary_mail import ClinicWords
from planner.services.diary_mail import invite_weekly_checks
from planner.services.settings import update_setting
from tests.factories import DIARY_KEY
from tests.factories import audit_events
from tests.factories import make_appointment
from tests.factories import sign_chin

pytestmark = pytest.mark.audit_exempt(
    "the booking fixture stores its booked appointment directly",
    tables=["appointment"],
)
ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class Stop(BaseException):
    """Stands for the cron job's timeout or a SIGTERM: not a send error."""


class Phone:
    """The SMS double: stops the whole run on the message numbered ``stop_at``."""

    channels = frozenset({"sms"})

    def __init__(self, stop_at=None):
        self.sent = []
        self.stop_at = stop_at

    def send(self, reminder):
        if len(self.sent) == self.stop_at:
            raise Stop
        self.sent.append(reminder.recipient)


def test_a_stopped_reminder_run_keeps_the_messages_already_sent(session, make_patient):
    for i in range(3):
        patient = make_patient(given_name=f"P{i}", phone=f"+44 7700 90012{i}")
        make_appointment(session, patient.id, NOW + timedelta(days=2, hours=2 + i))
    reminders.queue_reminders(
        session, now=NOW, zone=ZONE, clinic_name="Face Clinic", phone="1"
    )
    first = Phone(stop_at=2)
    with pytest.raises(Stop):
        reminders.send_due(session, first, now=NOW + timedelta(days=1))
    session.rollback()  # what the dying process's connection does
    statuses = {r.recipient: r.status for r in session.exec(select(Reminder)).all()}
    assert [statuses[to] for to in first.sent] == [ReminderStatus.SENT] * 2
    assert sorted(statuses.values()).count(ReminderStatus.PENDING) == 1
    sent_events = [
        e
        for e in audit_events(session, "reminder")
        if (e.after or {}).get("status") == "sent"
    ]
    assert len(sent_events) == 2
    second = Phone()
    counts = reminders.send_due(session, second, now=NOW + timedelta(days=1))
    assert counts == {"sent": 1, "failed": 0, "waiting": 0}
    assert second.sent == ["+44 7700 900122"]
    assert not set(first.sent) & set(second.sent)


class Mailer:
    """The mail double: stops the whole run on the email numbered ``stop_at``."""

    def __init__(self, stop_at=None):
        self.sent = []
        self.stop_at = stop_at

    def send(self, to, subject, body):
        if len(self.sent) == self.stop_at:
            raise Stop
        self.sent.append(to)


def test_a_stopped_invitation_run_never_invites_a_patient_twice(
    session, injector, make_patient, make_user
):
    admin = make_user(Role.ADMIN)
    update_setting(
        session,
        Actor(admin.id, admin.email),
        "diary_weekly_invite_days",
        "7",
        version=1,
    )
    # One patient on each product: the invitation does not depend on it.
    for i, product in enumerate(["botox", "dysport", "botox"]):
        patient = make_patient(given_name=f"P{i}", email=f"p{i}@example.org")
        sign_chin(
            session,
            injector,
            patient.id,
            when=NOW - timedelta(days=8),
            product=product,
            lot_number=f"S{product[:2]}{patient.id}",
        )

    def run(mailer):
        return invite_weekly_checks(
            session,
            mailer,
            key=DIARY_KEY,
            address_of=lambda token: f"https://planner.example/diary/{token}",
            clinic=ClinicWords("Face Clinic", "020 7946 0000", "999"),
            now=NOW,
        )

    first = Mailer(stop_at=2)
    with pytest.raises(Stop):
        run(first)
    session.rollback()
    invited = session.exec(
        select(DiaryLink).where(col(DiaryLink.invited_at).is_not(None))
    ).all()
    assert len(invited) == 2
    emailed = [
        e
        for e in audit_events(session, "diary_link")
        if (e.after or {}).get("emailed") == "weekly check invitation"
    ]
    assert len(emailed) == 2
    second = Mailer()
    assert run(second) == 1
    assert second.sent == ["p2@example.org"]
