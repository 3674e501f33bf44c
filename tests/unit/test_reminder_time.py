"""When a reminder falls due: at the appointment's clinic hour, days before.

On the days the clinic's clocks change (London: last Sundays of March and
October; Auckland: last Sunday of September, first of April), a reminder counted
back in UTC would go an hour early or late on the clinic's wall clock.
"""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.scheduling import reminder_due
from planner.scheduling.reminder_time import SAME_DAY_AT

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def wall(zone: ZoneInfo, *when: int) -> datetime:
    """The UTC moment of a clinic wall-clock time (one the clock shows once)."""
    return datetime(*when, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("zone", "starts", "days", "due"),
    [
        # London, clocks forward on Sunday 29 March 2026.
        (LONDON, (2026, 3, 30, 10), 1, (2026, 3, 29, 10)),  # the day before
        (LONDON, (2026, 3, 31, 9), 2, (2026, 3, 29, 9)),
        (LONDON, (2026, 3, 29, 14), 1, (2026, 3, 28, 14)),  # on the change day
        (LONDON, (2026, 4, 1, 11), 3, (2026, 3, 29, 11)),  # across the change
        # London, clocks back on Sunday 25 October 2026.
        (LONDON, (2026, 10, 26, 10), 1, (2026, 10, 25, 10)),
        (LONDON, (2026, 10, 27, 9), 2, (2026, 10, 25, 9)),
        (LONDON, (2026, 10, 25, 14), 1, (2026, 10, 24, 14)),
        (LONDON, (2026, 10, 28, 16), 7, (2026, 10, 21, 16)),
        # Auckland, clocks forward on Sunday 27 September 2026.
        (AUCKLAND, (2026, 9, 28, 10), 1, (2026, 9, 27, 10)),
        (AUCKLAND, (2026, 9, 29, 9), 2, (2026, 9, 27, 9)),
        # Auckland, clocks back on Sunday 5 April 2026.
        (AUCKLAND, (2026, 4, 6, 10), 1, (2026, 4, 5, 10)),
        (AUCKLAND, (2026, 4, 7, 15), 3, (2026, 4, 4, 15)),
        # No change between: the same as counting back in UTC.
        (LONDON, (2026, 1, 19, 10), 2, (2026, 1, 17, 10)),
    ],
)
def test_a_reminder_goes_at_the_appointments_clinic_hour(zone, starts, days, due):
    got = reminder_due(wall(zone, *starts), days, now=LONG_AGO, zone=zone)
    assert got == wall(zone, *due)
    assert got.astimezone(zone).time() == time(starts[3])


def test_a_wall_time_the_clocks_skip_goes_just_after_the_jump():
    # 01:30 on 29 March does not exist in London; an hour after 00:30 GMT is
    # 02:30 BST, once.
    starts = wall(LONDON, 2026, 3, 30, 1, 30)
    due = reminder_due(starts, 1, now=LONG_AGO, zone=LONDON)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert due.astimezone(LONDON).time() == time(2, 30)


def test_a_wall_time_the_clocks_repeat_goes_the_first_time_only():
    # 01:30 on 25 October comes twice in London: the reminder goes at the first.
    starts = wall(LONDON, 2026, 10, 26, 1, 30)
    due = reminder_due(starts, 1, now=LONG_AGO, zone=LONDON)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


@pytest.mark.parametrize("zone", [LONDON, AUCKLAND])
def test_reminders_for_one_hour_on_following_days_go_a_day_apart(zone):
    """Over a clock change, 10:00 appointments on each day are reminded at 10:00."""
    for month, first in ((3, 25), (10, 22), (9, 24), (4, 2)):
        for offset in range(8):
            day = datetime(2026, month, first, 10) + timedelta(days=offset)
            starts = day.replace(tzinfo=zone).astimezone(UTC)
            due = reminder_due(starts, 1, now=LONG_AGO, zone=zone).astimezone(zone)
            assert due.time() == time(10)
            assert (starts.astimezone(zone).date() - due.date()).days == 1


def test_never_before_now_and_same_day_morning_on_a_change_day():
    starts = wall(LONDON, 2026, 3, 29, 11)
    now = wall(LONDON, 2026, 3, 29, 9)
    assert reminder_due(starts, 1, now=now, zone=LONDON) == now
    due = reminder_due(starts, 0, now=LONG_AGO, zone=LONDON)
    assert due.astimezone(LONDON).time() == SAME_DAY_AT
