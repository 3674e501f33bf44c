"""Reminders around a clock change go at the clinic's hour, once.

The send-reminders command runs every hour here (queue, then send), over the
days around each change: London's last Sundays of March and October, and
Auckland's last Sunday of September and first of April. Each appointment's
reminder leaves once, in the run at the appointment's clinic hour on the clinic
day the setting names (not an hour early or late, never twice, never not).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.models import Reminder
from planner.models import ReminderStatus
from planner.models import Role
from planner.services import reminders
from planner.services import settings as settings_service
from planner.services.audit import Actor
from tests.factories import make_appointment

pytestmark = pytest.mark.audit_exempt(
    "the bookings are stored directly as appointment rows",
    tables=["appointment"],
)
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")

# The clinic's zone and the Sunday its clocks change.
CHANGES = [
    pytest.param(LONDON, datetime(2026, 3, 29), id="london-forward"),
    pytest.param(LONDON, datetime(2026, 10, 25), id="london-back"),
    pytest.param(AUCKLAND, datetime(2026, 9, 27), id="auckland-forward"),
    pytest.param(AUCKLAND, datetime(2026, 4, 5), id="auckland-back"),
]


class Clock:
    """A sender that notes the run each reminder left in."""

    channels = frozenset({"sms"})

    def __init__(self) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)
        self.sent: list[tuple[int, datetime]] = []

    def send(self, reminder: Reminder) -> None:
        self.sent.append((reminder.appointment_id, self.now))


def _days_before(session, make_user, days: int) -> None:
    admin = make_user(Role.ADMIN)
    key = "reminder_days_before"
    setting = settings_service.get_setting(session, key)
    settings_service.update_setting(
        session, Actor(admin.id, admin.email), key, days, version=setting.version
    )


@pytest.mark.parametrize(("zone", "change"), CHANGES)
@pytest.mark.parametrize("days", [1, 2])
def test_each_reminder_leaves_once_at_the_clinic_hour(
    session, make_user, make_patient, zone, change, days
):
    _days_before(session, make_user, days)
    patient = make_patient(phone="+44 7700 900123")
    # 09:00, 10:00 and 16:00 on the change day and the two days after it.
    wanted = {}
    for offset in range(3):
        for hour in (9, 10, 16):
            wall = (change + timedelta(days=offset)).replace(hour=hour, tzinfo=zone)
            booked = make_appointment(session, patient.id, wall.astimezone(UTC))
            wanted[booked.id] = (wall.date() - timedelta(days=days), hour)
    clock = Clock()
    start = (change - timedelta(days=days + 2)).replace(tzinfo=zone).astimezone(UTC)
    for step in range(24 * 6):
        clock.now = start + timedelta(hours=step)
        reminders.queue_reminders(
            session, now=clock.now, zone=zone, clinic_name="Face Clinic", phone=""
        )
        reminders.send_due(session, clock, now=clock.now)
    sent_at = {}
    for appointment_id, moment in clock.sent:
        assert appointment_id not in sent_at, "a reminder went twice"
        local = moment.astimezone(zone)
        sent_at[appointment_id] = (local.date(), local.hour)
    assert sent_at == wanted
    rows = session.exec(select(Reminder)).all()
    assert len(rows) == len(wanted)
    assert {row.status for row in rows} == {ReminderStatus.SENT}
