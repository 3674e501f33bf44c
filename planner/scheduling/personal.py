"""Suggest a re-treatment day from the patient's own wear-off history (numpy)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from planner.scheduling.windows import MIN_RETREAT_WEEKS
from planner.scheduling.windows import Window

# Fewer recorded cycles than this and the clinic's default day is suggested.
MIN_CYCLES = 2
# Doses rise over about the first 3 sessions to a steady state [S4], so older cycles
# describe a dose the patient no longer gets.
RECENT_CYCLES = 3


@dataclass(frozen=True)
class Suggestion:
    """A suggested re-treatment day and the sentence the page shows for it."""

    day: date
    reason: str
    # How many past cycles the day is based on; 0 means the clinic's default.
    basis: int
    # The window's last day: the clinic's close, or the suggested day when the
    # patient's own history puts it later.
    window_end: date


def _weeks(value: float) -> str:
    return f"{round(value, 1):g}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _cycles(count: int) -> str:
    return "1 cycle" if count == 1 else f"{count} cycles"


def valid_wear_off_weeks(
    wear_off_weeks: Sequence[float],
) -> npt.NDArray[np.float64]:
    """Return the usable wear-off times, oldest first: finite and above 0.

    :return: shape (n,), weeks after each cycle's full treatment.
    """
    values = np.asarray(wear_off_weeks, dtype=np.float64).reshape(-1)
    return values[np.isfinite(values) & (values > 0)]


def suggest_retreatment(
    window: Window,
    wear_off_weeks: Sequence[float],
    *,
    treated_on: date,
    recent: int = RECENT_CYCLES,
) -> Suggestion:
    """Suggest the day this cycle's effect should wear off, from the patient's history.

    ``wear_off_weeks`` holds, oldest first, the weeks from each past cycle's full
    treatment to the day its effect was recorded as worn off. NaN, infinite, zero
    and negative entries (not recorded, or entered wrongly) are ignored.

    With at least ``MIN_CYCLES`` usable times, the estimate is the median of the
    most recent ``recent`` of them. The median because a single odd cycle (a missed
    muscle, a mistyped week) must not drag the day, because with two to four values
    it needs no tuning, and because "median 14" can be said on the page in plain
    words; a recency-weighted mean would need a weight nobody can justify and would
    follow an outlier that happened to be the last cycle. Only recent cycles count
    because doses settle over the first few sessions [S4]. The day is rounded to
    the nearest whole day (halves up).

    The rule at the window's ends: a day before the window opens moves to its
    opening, so it is never before 12 weeks after treatment. A day after the
    window closes stands, and the window is widened to close on it
    (``window_end``): the clinic's close is a default schedule (reference §3,
    "derived, not a guideline"), and pulling the patient's own wear-off earlier
    would shorten the interval, which raises the antibody risk [S32] [S33].

    With fewer usable times, the window's own due day is suggested.

    :raises ValueError: ``recent`` below ``MIN_CYCLES``, or a window that opens
        sooner than 12 weeks after ``treated_on``.
    """
    if recent < MIN_CYCLES:
        raise ValueError(f"recent must be at least {MIN_CYCLES}, got {recent!r}")
    floor = treated_on + timedelta(weeks=MIN_RETREAT_WEEKS)
    if window.start < floor:
        raise ValueError(
            f"the re-treatment window opens on {window.start.isoformat()}, sooner "
            f"than {MIN_RETREAT_WEEKS} weeks after treatment ({floor.isoformat()})"
        )
    values = valid_wear_off_weeks(wear_off_weeks)
    if values.size < MIN_CYCLES:
        default_weeks = (window.due - treated_on).days / 7
        return Suggestion(
            day=window.due,
            reason=(
                f"Not enough history: wear-off recorded in {_cycles(values.size)} "
                f"(at least {MIN_CYCLES} needed) — suggested the clinic's default, "
                f"{_weeks(default_weeks)} weeks after treatment "
                f"({_day(window.due)})"
            ),
            basis=0,
            window_end=window.end,
        )
    used = values[-recent:]
    median = float(np.median(used))
    estimate = treated_on + timedelta(days=int(np.floor(median * 7 + 0.5)))
    listed = ", ".join(_weeks(float(v)) for v in used)
    summary = (
        f"Wear-off recorded in the last {_cycles(used.size)}: {listed} weeks "
        f"(median {_weeks(median)})"
    )
    if estimate < window.start:
        day, note = window.start, "before the window opens, so suggested at its start,"
    elif estimate > window.end:
        close = _weeks((window.end - treated_on).days / 7)
        day, note = (
            estimate,
            f"later than the clinic's window closes ({close} weeks), so the "
            "window is widened to it: suggested",
        )
    else:
        day, note = estimate, "suggested"
    weeks_after = (day - treated_on).days / 7
    return Suggestion(
        day=day,
        reason=(
            f"{summary} — {note} {_weeks(weeks_after)} weeks after treatment "
            f"({_day(day)})"
        ),
        basis=int(used.size),
        window_end=max(day, window.end),
    )
