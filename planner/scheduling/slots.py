"""The clinic calendar: working hours, closed days, appointment lengths, free slots.

Working hours are wall-clock times in the clinic's zone. A slot is found by placing
the hours on a calendar day in that zone and only then converting to UTC, so a 09:00
start is 08:00 UTC in British Summer Time and 09:00 UTC in winter, and a day of 23
or 25 hours still gives its 09:00 to 17:00 slots.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Literal

from planner.clinic_time import local_day
from planner.clinic_time import require_aware
from planner.scheduling.intervals import BookedIndex
from planner.scheduling.intervals import Interval
from planner.scheduling.windows import Window

# Mirrors the catalogue's slot_minutes_<kind> defaults; the clinic's choice.
DEFAULT_SLOT_MINUTES: Mapping[str, int] = {
    "treatment": 30,
    "review": 15,
    "assessment": 30,
    "other": 15,
}
SLOT_SETTING_PREFIX = "slot_minutes_"

ScanOrder = Literal["earliest", "nearest_due"]


def _require_minutes(name: str, value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{name} must be a whole number of minutes above 0, got {value!r}"
        )
    return value


@dataclass(frozen=True)
class WorkingHours:
    """One clinician's block of work on one weekday (Monday is 0), local wall time."""

    clinician_id: int
    weekday: int
    starts: time
    ends: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6, got {self.weekday!r}")
        if self.starts.tzinfo is not None or self.ends.tzinfo is not None:
            raise ValueError("starts and ends are local wall times, without a zone")
        if not self.starts < self.ends:
            raise ValueError(
                f"starts must be before ends on the same day, got "
                f"{self.starts.isoformat()} to {self.ends.isoformat()}"
            )


@dataclass(frozen=True)
class ClosedDay:
    """A day the whole clinic is closed, e.g. a bank holiday."""

    day: date
    reason: str = ""


def closed_dates(closed_days: Iterable[ClosedDay]) -> frozenset[date]:
    """Return the closed days as a set for ``free_slots``."""
    return frozenset(closed.day for closed in closed_days)


def slot_lengths_from_settings(settings: Mapping[str, object]) -> dict[str, int]:
    """Return minutes per appointment kind from ``slot_minutes_<kind>`` settings."""
    lengths = dict(DEFAULT_SLOT_MINUTES)
    for key, value in settings.items():
        if key.startswith(SLOT_SETTING_PREFIX):
            lengths[key.removeprefix(SLOT_SETTING_PREFIX)] = _require_minutes(
                key, value
            )
    return lengths


def slot_length(kind: str, lengths: Mapping[str, int] = DEFAULT_SLOT_MINUTES) -> int:
    """Return the appointment length in minutes for a kind; ValueError if unknown."""
    if kind not in lengths:
        raise ValueError(
            f"no slot length for appointment kind {kind!r}; known: {sorted(lengths)}"
        )
    return lengths[kind]


def within_window(day: date, window: Window) -> bool:
    """Return True when a calendar day lies in the window, both ends included."""
    return window.contains(day)


def _as_index(booked: Sequence[Interval] | BookedIndex) -> BookedIndex:
    return booked if isinstance(booked, BookedIndex) else BookedIndex(booked)


def _check_hours(hours: Sequence[WorkingHours]) -> None:
    clinicians = {block.clinician_id for block in hours}
    if len(clinicians) > 1:
        raise ValueError(
            f"working hours of one clinician expected, got {sorted(clinicians)}"
        )


def _candidates(
    day: date,
    hours: Sequence[WorkingHours],
    length: timedelta,
    step: timedelta,
    zone: tzinfo,
) -> list[Interval]:
    # Keyed by start so that overlapping blocks of hours do not offer a slot twice.
    found: dict[datetime, Interval] = {}
    for block in hours:
        if block.weekday != day.weekday():
            continue
        # Wall time on that day in the zone, then UTC; a start or end inside a
        # clock change's gap or repeat reads as before the change (fold=0).
        moment = datetime.combine(day, block.starts, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, block.ends, tzinfo=zone).astimezone(UTC)
        while moment + length <= end:
            found.setdefault(moment, Interval(moment, moment + length))
            moment += step
    return [found[start] for start in sorted(found)]


def free_slots(
    day: date,
    hours: Sequence[WorkingHours],
    booked: Sequence[Interval] | BookedIndex,
    closed: Set[date],
    slot_minutes: int,
    zone: tzinfo,
    *,
    step_minutes: int | None = None,
    not_before: datetime | None = None,
) -> list[Interval]:
    """Return one clinician's free slots on a local day, in UTC, earliest first.

    Slots start at the beginning of each block of ``hours`` on that weekday and
    every ``step_minutes`` after (default: the slot length), and must end by the
    block's end. A slot overlapping any ``booked`` interval is left out; touching
    one is fine. With a step shorter than the slot, the slots returned overlap each
    other: they are alternative start times, not a tiling.

    :param booked: that clinician's appointments (or a prebuilt ``BookedIndex``).
    :param not_before: leave out slots starting earlier, e.g. now.
    :raises ValueError: hours of more than one clinician, or a length or step that
        is not a whole number of minutes above 0.
    """
    length = timedelta(minutes=_require_minutes("slot_minutes", slot_minutes))
    step = (
        length
        if step_minutes is None
        else timedelta(minutes=_require_minutes("step_minutes", step_minutes))
    )
    _check_hours(hours)
    if not_before is not None:
        require_aware("not_before", not_before)
    if day in closed:
        return []
    candidates = _candidates(day, hours, length, step, zone)
    if not_before is not None:
        candidates = [slot for slot in candidates if slot.start >= not_before]
    busy = _as_index(booked).mask(candidates)
    return [slot for slot, taken in zip(candidates, busy, strict=True) if not taken]


def window_days(window: Window, order: ScanOrder = "earliest") -> list[date]:
    """Return the window's days, earliest first or nearest its due day first.

    For "nearest_due", a day before and a day after the due day at the same distance
    come earlier day first.
    """
    days = [
        window.start + timedelta(days=offset)
        for offset in range((window.end - window.start).days + 1)
    ]
    if order == "nearest_due":
        days.sort(key=lambda day: (abs((day - window.due).days), day))
    return days


def first_free_slot(
    window: Window,
    hours: Sequence[WorkingHours],
    booked: Sequence[Interval] | BookedIndex,
    closed: Set[date],
    slot_minutes: int,
    zone: tzinfo,
    *,
    step_minutes: int | None = None,
    not_before: datetime | None = None,
    order: ScanOrder = "earliest",
) -> Interval | None:
    """Return the first free slot scanning the window's days, or None if there is none.

    Days are scanned in ``order`` (see ``window_days``); on each day the earliest
    free slot wins. Days before ``not_before``'s local day are skipped.
    """
    index = _as_index(booked)
    today = None if not_before is None else local_day(not_before, zone)
    for day in window_days(window, order):
        if today is not None and day < today:
            continue
        slots = free_slots(
            day,
            hours,
            index,
            closed,
            slot_minutes,
            zone,
            step_minutes=step_minutes,
            not_before=not_before,
        )
        if slots:
            return slots[0]
    return None
