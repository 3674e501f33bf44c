"""Days and clinic times for the demo data, as whole numbers for numpy.

A day is an integer count of days since 1970-01-01; a clinic time is seconds
after local midnight in the clinic's time zone.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY = date(1970, 1, 1)
DAY_SECONDS = 86_400
HOUR = 3_600
MINUTE = 60


def day_number(moment: datetime) -> int:
    """Return the day number of an aware datetime's UTC date."""
    return (moment.astimezone(UTC).date() - EPOCH_DAY).days


def move_off_weekend(days: IntArray) -> IntArray:
    """Move Saturdays back to Friday and Sundays on to Monday."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    shifted: IntArray = days + np.where(weekday == 5, -1, np.where(weekday == 6, 1, 0))
    return shifted


def to_dates(days: IntArray) -> list[date]:
    """Turn day numbers into dates."""
    return [EPOCH_DAY + timedelta(days=day) for day in days.tolist()]


def utc_seconds(days: IntArray, local_seconds: IntArray, zone: str) -> IntArray:
    """Turn clinic-local times on the given days into seconds since the epoch (UTC).

    The offset is taken at local noon of each day; clinic hours never straddle
    a daylight-saving change, which happens at night.
    """
    unique_days, inverse = np.unique(days, return_inverse=True)
    tz = ZoneInfo(zone)
    offsets = np.array(
        [_noon_offset(day, tz) for day in unique_days.tolist()], dtype=np.int64
    )
    seconds: IntArray = days * DAY_SECONDS + local_seconds - offsets[inverse]
    return seconds


def to_datetimes(seconds: IntArray) -> list[datetime]:
    """Turn seconds since the epoch into aware UTC datetimes."""
    return [EPOCH + timedelta(seconds=value) for value in seconds.tolist()]


def _noon_offset(day: int, tz: ZoneInfo) -> int:
    noon = datetime.combine(EPOCH_DAY + timedelta(days=day), datetime.min.time())
    offset = noon.replace(hour=12, tzinfo=tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())
