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


def reminder_due(
    starts_at: datetime, days_before: int, *, now: datetime, zone: tzinfo
) -> datetime:
    """Return when an appointment's reminder falls due, never before ``now``.

    ``days_before`` days ahead of the appointment's time; 0 means the morning of
    the day (``SAME_DAY_AT`` on the clinic's clock), or ``SAME_DAY_LEAD`` before
    an appointment earlier than that.
    """
    if days_before > 0:
        due = starts_at - timedelta(days=days_before)
    else:
        day = starts_at.astimezone(zone).date()
        morning = datetime.combine(day, SAME_DAY_AT, tzinfo=zone).astimezone(UTC)
        due = min(morning, starts_at - SAME_DAY_LEAD)
    return max(now, due)
