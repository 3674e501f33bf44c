"""Review and treatment appointments around each demo cycle.

Every full session has a review at day 14 (window ±3 days) and a treatment
appointment in the 12-16 week window after it: attended at the next session,
or still proposed after the latest. A few reviews and treatment slots are missed.
"""

import numpy as np
from numpy.typing import NDArray

from planner.demo.clock import HOUR
from planner.demo.clock import MINUTE
from planner.demo.clock import IntArray
from planner.demo.clock import move_off_weekend
from planner.demo.clock import to_dates
from planner.demo.clock import to_datetimes
from planner.demo.clock import utc_seconds
from planner.demo.outcomes import CycleTimes
from planner.demo.people import Cohort
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import table_of
from planner.demo.timeline import REVIEW_DAY
from planner.demo.timeline import REVIEW_TOLERANCE_DAYS
from planner.models import Appointment

WINDOW_OPENS_DAYS = 12 * 7
WINDOW_CLOSES_DAYS = 16 * 7
# Due two weeks into the window, as the clinic's default schedule has it.
DUE_AFTER_OPENING_DAYS = 14
REVIEW_MINUTES = 15
TREATMENT_MINUTES = 30
NO_TIME = -1


def build_appointment_rows(
    rng: np.random.Generator, times: CycleTimes, cohort: Cohort, zone: str
) -> Rows:
    """Build the reviews, treatment appointments and missed slots, by patient."""
    parts = [
        _reviews(times),
        _treatments(times),
        _missed_treatments(rng, times, zone),
    ]
    merged = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    due_day = times.full.day[merged["cycle"]] + merged["due"]
    order = np.lexsort((due_day, merged["patient"]))
    data = {key: values[order] for key, values in merged.items()}
    full = times.full
    source = data["cycle"]
    starts = data["starts"]
    created = times.performed[source] + 20 * MINUTE
    has_time = starts != NO_TIME
    closed = np.isin(data["status"], ("attended", "missed"))
    updated = np.where(closed, starts + 30 * MINUTE, created)
    length = np.where(data["kind"] == "review", REVIEW_MINUTES, TREATMENT_MINUTES)
    return Rows(
        table_of(Appointment),
        patient=data["patient"],
        values={
            "clinician_id": column(cohort.injector[data["patient"]]),
            "kind": column(data["kind"]),
            "status": column(data["status"]),
            "window_start": to_dates(full.day[source] + data["opens"]),
            "window_end": to_dates(full.day[source] + data["closes"]),
            "due_date": to_dates(full.day[source] + data["due"]),
            "starts_at": _maybe_times(starts, has_time),
            "ends_at": _maybe_times(starts + length * MINUTE, has_time),
            "created_at": to_datetimes(created),
            "updated_at": to_datetimes(updated),
        },
        refs={
            "patient_id": ("patient", data["patient"]),
            "source_session_id": ("session", times.session[source]),
        },
        constants={"version": 1},
    )


Part = dict[str, NDArray[np.int64] | NDArray[np.str_]]


def _reviews(times: CycleTimes) -> Part:
    """Review each full session at two weeks: attended, missed, or still booked."""
    count = len(times.full.patient)
    reviews = times.reviews
    status = np.where(
        reviews.attended, "attended", np.where(reviews.missed, "missed", "booked")
    )
    return _part(
        times,
        np.arange(count, dtype=np.int64),
        kind="review",
        status=status,
        opens=REVIEW_DAY - REVIEW_TOLERANCE_DAYS,
        closes=REVIEW_DAY + REVIEW_TOLERANCE_DAYS,
        due=REVIEW_DAY,
        starts=times.review,
    )


def _treatments(times: CycleTimes) -> Part:
    """Book the next treatment: attended at the next session, else proposed."""
    full = times.full
    count = len(full.patient)
    following = full.following
    starts = np.where(full.latest, NO_TIME, times.performed[np.maximum(following, 0)])
    return _part(
        times,
        np.arange(count, dtype=np.int64),
        kind="treatment",
        status=np.where(full.latest, "proposed", "attended"),
        opens=WINDOW_OPENS_DAYS,
        closes=WINDOW_CLOSES_DAYS,
        due=WINDOW_OPENS_DAYS + DUE_AFTER_OPENING_DAYS,
        starts=starts,
    )


def _missed_treatments(rng: np.random.Generator, times: CycleTimes, zone: str) -> Part:
    """Add a missed treatment slot, inside the window, before a few next sessions."""
    full = times.full
    count = len(full.patient)
    chosen = (~full.latest) & (rng.random(count) < 0.03)
    earlier = rng.integers(7, 22, count)
    day = move_off_weekend(full.day[np.maximum(full.following, 0)] - earlier)
    chosen &= day >= full.day + WINDOW_OPENS_DAYS
    index = np.flatnonzero(chosen)
    local = rng.integers(9 * 4, 16 * 4 + 3, len(index)) * HOUR // 4
    return _part(
        times,
        index,
        kind="treatment",
        status=np.full(len(index), "missed"),
        opens=WINDOW_OPENS_DAYS,
        closes=WINDOW_CLOSES_DAYS,
        due=WINDOW_OPENS_DAYS + DUE_AFTER_OPENING_DAYS,
        starts=utc_seconds(day[index], local, zone),
    )


def _part(
    times: CycleTimes,
    index: IntArray,
    *,
    kind: str,
    status: NDArray[np.str_],
    opens: int,
    closes: int,
    due: int,
    starts: IntArray,
) -> Part:
    """Collect one kind of appointment for the listed full sessions.

    ``status`` and ``starts`` hold one value per listed session.
    """
    count = len(index)
    return {
        "patient": times.full.patient[index],
        "cycle": index,
        "kind": np.full(count, kind),
        "status": status,
        "opens": np.full(count, opens, dtype=np.int64),
        "closes": np.full(count, closes, dtype=np.int64),
        "due": np.full(count, due, dtype=np.int64),
        "starts": starts,
    }


def _maybe_times(seconds: IntArray, present: NDArray[np.bool_]) -> list[object]:
    """Turn times into datetimes, or None where there is no time."""
    stamps = to_datetimes(np.where(present, seconds, 0))
    return [
        stamp if has else None
        for stamp, has in zip(stamps, present.tolist(), strict=True)
    ]
