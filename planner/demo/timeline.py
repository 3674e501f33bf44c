"""When each demo patient was treated, reviewed and topped up.

Full sessions are 12-16 weeks apart (sometimes later), on weekdays, the last
one before ``today``. A review follows each at about two weeks (±3 days); at
some reviews a small top-up is given. Every session gets a clinic time that is
unique on its day, so vials reconstituted for it never share a timestamp.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.demo.clock import HOUR
from planner.demo.clock import MINUTE
from planner.demo.clock import IntArray
from planner.demo.clock import move_off_weekend
from planner.demo.clock import utc_seconds

BoolArray = NDArray[np.bool_]

# Gap between full sessions in days: 87-112 keeps 12 weeks even after a
# weekend shift of one day at each end.
MIN_GAP_DAYS = 87
MAX_GAP_DAYS = 112
REVIEW_DAY = 14
REVIEW_TOLERANCE_DAYS = 3
# Clinic opens at 08:30 and books treatments until 17:00, at most 20 minutes apart.
OPENING = 8 * HOUR + 30 * MINUTE
BOOKABLE_SECONDS = 8 * HOUR + 30 * MINUTE
LONGEST_SLOT = 20 * MINUTE
TOP_UP_AFTER_REVIEW = 15 * MINUTE


@dataclass(frozen=True)
class FullSessions:
    """Full treatments, ordered by patient then cycle."""

    patient: IntArray
    cycle: IntArray
    day: IntArray
    latest: BoolArray
    # Index of the same patient's next full session; -1 for the latest.
    following: IntArray


@dataclass(frozen=True)
class Reviews:
    """The two-week review after each full session, one per full session."""

    day: IntArray
    attended: BoolArray
    missed: BoolArray
    top_up: BoolArray


@dataclass(frozen=True)
class Sessions:
    """Full sessions and top-ups together, ordered by patient then time."""

    patient: IntArray
    day: IntArray
    local_seconds: IntArray
    top_up: BoolArray
    cycle: IntArray
    # Index (into these sessions) of the full session opening the cycle.
    cycle_session: IntArray
    # Position of each full session and each top-up in these sessions.
    of_full: IntArray
    of_top_up: IntArray

    def __len__(self) -> int:
        return len(self.patient)


def draw_cycle_counts(rng: np.random.Generator, patients: int, cycles: int) -> IntArray:
    """Give most patients every cycle; the rest joined later and had fewer."""
    if cycles == 0:
        return np.zeros(patients, dtype=np.int64)
    fewer = rng.integers(1, cycles + 1, patients)
    counts: IntArray = np.where(rng.random(patients) < 0.65, cycles, fewer)
    return counts.astype(np.int64)


def draw_full_sessions(
    rng: np.random.Generator, counts: IntArray, today: int
) -> FullSessions:
    """Place each patient's full sessions back from a last one before ``today``."""
    patients = len(counts)
    total = int(counts.sum())
    lapsed = rng.random(patients) < 0.1
    days_ago = np.where(
        lapsed, rng.integers(113, 300, patients), rng.integers(2, 113, patients)
    )
    patient = np.repeat(np.arange(patients, dtype=np.int64), counts)
    firsts = np.cumsum(counts) - counts
    cycle = np.arange(total, dtype=np.int64) - np.repeat(firsts, counts) + 1
    latest = cycle == np.repeat(counts, counts)
    # gap[i] is the wait from session i to the patient's next one; a few run late.
    late = np.where(rng.random(total) < 0.07, rng.integers(14, 90, total), 0)
    gap = np.where(latest, 0, rng.integers(MIN_GAP_DAYS, MAX_GAP_DAYS + 1, total))
    gap = gap + np.where(latest, 0, late)
    after = np.cumsum(gap[::-1])[::-1]  # days from each session to the segment end
    ends = np.cumsum(counts) - 1
    before_last = after - after[ends[patient]]
    day = move_off_weekend((today - days_ago)[patient] - before_last)
    following = np.where(latest, -1, np.arange(total, dtype=np.int64) + 1)
    return FullSessions(patient, cycle, day.astype(np.int64), latest, following)


def draw_reviews(rng: np.random.Generator, full: FullSessions, today: int) -> Reviews:
    """Book a review about two weeks after each full session; give a few top-ups."""
    total = len(full.patient)
    day = move_off_weekend(full.day + REVIEW_DAY + rng.integers(0, 3, total))
    past = day < today
    missed = past & (rng.random(total) < 0.04)
    attended = past & ~missed
    # Top-ups are commoner while doses are still being titrated.
    chance = np.where(full.cycle == 1, 0.2, np.where(full.cycle == 2, 0.12, 0.06))
    top_up = attended & (rng.random(total) < chance)
    return Reviews(day.astype(np.int64), attended, missed, top_up)


def order_sessions(full: FullSessions, reviews: Reviews) -> Sessions:
    """Merge full sessions and top-ups, and give each a clinic time."""
    top = np.flatnonzero(reviews.top_up)
    count = len(full.patient) + len(top)
    patient = np.concatenate([full.patient, full.patient[top]])
    day = np.concatenate([full.day, reviews.day[top]])
    is_top = np.concatenate(
        [np.zeros(len(full.patient), bool), np.ones(len(top), bool)]
    )
    order = np.lexsort((is_top, day, patient))
    position = np.empty(count, dtype=np.int64)
    position[order] = np.arange(count, dtype=np.int64)
    of_full = position[: len(full.patient)]
    of_top_up = position[len(full.patient) :]
    cycle_session = np.concatenate([of_full, of_full[top]])[order]
    cycle = np.concatenate([full.cycle, full.cycle[top]])[order]
    sorted_day = day[order]
    local = _slot_times(sorted_day)
    return Sessions(
        patient=patient[order],
        day=sorted_day,
        local_seconds=local,
        top_up=is_top[order],
        cycle=cycle,
        cycle_session=cycle_session,
        of_full=of_full,
        of_top_up=of_top_up,
    )


def _slot_times(days: IntArray) -> IntArray:
    """Give the sessions of each day distinct times, evenly through clinic hours."""
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    unique_days, firsts, per_day = np.unique(
        sorted_days, return_index=True, return_counts=True
    )
    group = np.repeat(np.arange(len(unique_days)), per_day)
    rank = np.arange(len(days), dtype=np.int64) - firsts[group]
    spacing = np.clip(BOOKABLE_SECONDS // per_day, 1, LONGEST_SLOT)
    # Whole minutes read better; only a day of over 510 sessions needs seconds.
    spacing = np.where(spacing >= MINUTE, spacing // MINUTE * MINUTE, spacing)[group]
    local = np.empty(len(days), dtype=np.int64)
    local[order] = OPENING + rank * spacing
    return local


def draw_review_seconds(
    rng: np.random.Generator, reviews: Reviews, sessions: Sessions, zone: str
) -> IntArray:
    """Give each review a quarter-hour slot; a topped-up one ends at its top-up."""
    count = len(reviews.day)
    local = rng.integers(9 * 4, 16 * 4 + 3, count) * HOUR // 4
    topped = np.flatnonzero(reviews.top_up)
    local[topped] = sessions.local_seconds[sessions.of_top_up] - TOP_UP_AFTER_REVIEW
    return utc_seconds(reviews.day, local, zone)
