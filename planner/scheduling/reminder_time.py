"""When an appointment's reminder falls due, on the clinic's clock.

Pure: no flask, no database.
"""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo

# With reminder_days_before at 0 the reminder goes on the morning of the day, on
# the clinic's clock; an appointment earlier than that is reminded of an hour
# before. A clinic choice, not a sourced figure.
SAME_DAY_AT = time(8, 0)
SAME_DAY_LEAD = timedelta(hours=1)


def _wall_moment(wall: datetime, zone: tzinfo) -> datetime:
    """Return the one UTC moment of a naive clinic wall-clock time.

    A time the clocks skip is read on the clock before the jump (01:30 on a
    London spring-forward day is 02:30 BST); a time they show twice is its first
    showing. Either way one moment: a reminder goes once.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def reminder_due(
    starts_at: datetime, days_before: int, *, now: datetime, zone: tzinfo
) -> datetime:
    """Return when an appointment's reminder falls due, never before ``now``.

    ``days_before`` clinic days ahead of the appointment, at its clinic
    wall-clock time (10:00 the day before a 10:00 appointment, whatever the
    clocks did in between); 0 means the morning of the day (``SAME_DAY_AT`` on
    the clinic's clock), or ``SAME_DAY_LEAD`` before an appointment earlier
    than that.
    """
    if days_before > 0:
        # Counted back on the clinic's calendar, not in UTC: across a clock
        # change, 24 hours back is an hour off the appointment's wall time.
        local = starts_at.astimezone(zone).replace(tzinfo=None)
        due = _wall_moment(local - timedelta(days=days_before), zone)
    else:
        day = starts_at.astimezone(zone).date()
        morning = datetime.combine(day, SAME_DAY_AT, tzinfo=zone).astimezone(UTC)
        due = min(morning, starts_at - SAME_DAY_LEAD)
    return max(now, due)
