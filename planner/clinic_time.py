"""The clinic's clock: aware moments, and the calendar day they fall on at the clinic.

Pure: no flask, no database. Moments are stored in UTC, but people read days on the
clinic's wall calendar, so every date that is shown or compared is taken in the
clinic's zone here. In a London summer, 23:30 UTC is already the next day.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Literal

# A wall-clock time the clocks skip (they go forward over it) or show twice
# (they go back over it) on a day the clinic's zone changes offset.
ClockGap = Literal["skipped", "repeated"]


def require_aware(name: str, value: datetime) -> None:
    """Raise ValueError naming the argument unless the datetime is timezone-aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def require_aware_or_none(name: str, value: datetime | None) -> None:
    """Like :func:`require_aware`, letting None (not recorded) through."""
    if value is not None:
        require_aware(name, value)


def wall_clock_gap(entered: datetime, zone: tzinfo) -> ClockGap | None:
    """Say whether a naive wall-clock time is one the clinic's clocks skip or repeat.

    A skipped time does not exist on the clinic's clock; a repeated one exists
    twice, an hour apart. None: the time names exactly one moment.

    :raises OverflowError: a time at the calendar's ends (year 1 or 9999).
    """
    first = entered.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != entered:
        return "skipped"
    if first.utcoffset() != entered.replace(tzinfo=zone, fold=1).utcoffset():
        return "repeated"
    return None


def local_day(moment: datetime, zone: tzinfo) -> date:
    """Return the clinic's calendar day at an aware moment (e.g. 23:30 UTC in BST)."""
    require_aware("moment", moment)
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """Return the first moment of a clinic day, its midnight, as a UTC moment.

    Where the clocks skip midnight, this is the moment they jump from.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def open_through(day: date, zone: tzinfo) -> datetime:
    """Return the moment something open through the whole clinic day ``day``
    closes: the start of the next clinic day (whatever the clock changes)."""
    return day_start(day + timedelta(days=1), zone)


def last_open_day(closes_at: datetime, zone: tzinfo) -> date:
    """Return the last clinic day something closing at ``closes_at`` is open on.

    For a close at a clinic midnight (``open_through``) that is the day before
    it; for a close later in a day, that day (open for part of it).
    """
    require_aware("closes_at", closes_at)
    return local_day(closes_at - timedelta(microseconds=1), zone)


def clinic_now(zone: tzinfo, now: datetime) -> datetime:
    """Return the aware moment ``now`` on the clinic's wall clock."""
    require_aware("now", now)
    return now.astimezone(zone)


def clinic_today(zone: tzinfo, now: datetime) -> date:
    """Return the clinic's calendar day at the aware moment ``now``."""
    return clinic_now(zone, now).date()


def today_start(zone: tzinfo, now: datetime) -> datetime:
    """Return the first moment of the clinic day ``now`` falls on, as a UTC moment.

    What "today" counts from: its clinic midnight, not 24 hours back (a day
    the clocks change is 23 or 25 hours long).
    """
    return day_start(clinic_today(zone, now), zone)


# Why a day cannot be a day of a treatment's cycle (see ``cycle_day_problem``).
FUTURE = "future"
BEFORE_TREATMENT = "before_treatment"


def cycle_day_problem(day: date, *, treated_on: date, today: date) -> str | None:
    """Say why ``day`` cannot be a day of the cycle treated on ``treated_on``.

    ``FUTURE`` after the clinic's ``today``, ``BEFORE_TREATMENT`` before the
    treatment's clinic day (something noticed then was not caused by it), else
    None. One rule for what the clinic records and what the patient's diary
    records; each words it for its own reader.
    """
    if day > today:
        return FUTURE
    if day < treated_on:
        return BEFORE_TREATMENT
    return None


def day_text(value: date) -> str:
    """Write a day as people read it on the chart and the diary: "2 Mar 2026"."""
    return f"{value.day} {value:%b %Y}"


# Why a photo's day contradicts its timepoint (see ``photo_day_problem``).
AFTER_TREATMENT = "after_treatment"
AFTER_NEXT_TREATMENT = "after_next_treatment"


def photo_day_problem(
    timepoint: str, day: date, *, treated_on: date, next_treated_on: date | None
) -> str | None:
    """Say why a photo taken on clinic ``day`` cannot be at ``timepoint`` of its cycle.

    A photo "before the injections" (``pre_treatment``) shows the face the cycle
    set out to treat: it is taken on or before the treatment's clinic day, else
    ``AFTER_TREATMENT``. One "at the review" (``review``) shows this cycle's
    effect: on or after the treatment day (else ``BEFORE_TREATMENT``) and no
    later than the next cycle's treatment day (else ``AFTER_NEXT_TREATMENT``).
    Any other timepoint is not checked.
    """
    if timepoint == "pre_treatment" and day > treated_on:
        return AFTER_TREATMENT
    if timepoint == "review":
        if day < treated_on:
            return BEFORE_TREATMENT
        if next_treated_on is not None and day > next_treated_on:
            return AFTER_NEXT_TREATMENT
    return None
