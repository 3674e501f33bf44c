"""One instrument across cycles, per time point, and each cycle's own response.

A score is only ever compared with a score of the same time point: a cycle's
review with its own pre-treatment score (its response), a pre-treatment score
with the first cycle's (the course over the years). Never a review with the
next cycle's pre-treatment score: the effect has worn off by then, and the
difference is the toxin wearing off, not the dose. The review that judges a
cycle is the one taken before any top-up of it: one taken after shows the full
treatment and the top-up together, and is kept apart (``after_top_up``).
"""

import math
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

import numpy as np

from planner.comparison.matrix import FloatArray
from planner.comparison.matrix import frozen_array
from planner.comparison.records import ScorePoint
from planner.comparison.timepoints import PRE_TREATMENT
from planner.comparison.timepoints import REVIEW
from planner.comparison.timepoints import WEAR_OFF
from planner.comparison.timepoints import timepoint_group
from planner.comparison.trends import Trend
from planner.comparison.trends import pick_score
from planner.comparison.trends import score_trend


@dataclass(frozen=True, eq=False)
class ScoreCourse:
    """One instrument's scores per cycle at each time point, and the responses.

    ``before``, ``review``, ``after_top_up`` and ``wear_off`` are trends
    over the same ``cycles``; ``before`` counts a baseline as the first
    pre-treatment score. ``review`` is the review taken before any top-up of
    the cycle, ``after_top_up`` a review taken after one (full treatment and
    top-up together, never the full treatment's alone). ``response`` has
    shape (c,): each cycle's review minus its own pre-treatment score, NaN
    unless the cycle has both. Which sign is better is the instrument's
    business (``planner.scoring``).
    """

    instrument: str
    cycles: tuple[int, ...]
    before: Trend
    review: Trend
    wear_off: Trend
    response: FloatArray
    after_top_up: Trend

    @property
    def baseline(self) -> float:
        """Return the first pre-treatment score, NaN when there is none."""
        return self.before.baseline

    @property
    def baseline_cycle(self) -> int | None:
        """Return the cycle whose pre-treatment score is the baseline."""
        finite = np.flatnonzero(np.isfinite(self.before.values))
        return self.cycles[int(finite[0])] if finite.size else None

    @property
    def responded(self) -> int:
        """Return how many cycles have both a pre-treatment and a review score."""
        return int(np.isfinite(self.response).sum())

    def responses(self) -> dict[int, float]:
        """Return the finite responses keyed by cycle (for ``dose_response``)."""
        return {
            cycle: float(value)
            for cycle, value in zip(self.cycles, self.response.tolist(), strict=True)
            if math.isfinite(value)
        }

    def has_scores(self) -> bool:
        """Say whether any time point has a score in these cycles."""
        return any(
            bool(np.isfinite(trend.values).any())
            for trend in (self.before, self.review, self.after_top_up, self.wear_off)
        )


def score_course(
    points: Iterable[ScorePoint], instrument: str, *, cycles: Sequence[int]
) -> ScoreCourse:
    """Line up ``instrument``'s scores per time point over ``cycles``.

    Each cycle's score at a time point is its latest there (``score_trend``);
    a baseline counts as a pre-treatment score, and "other" scores are left
    out, since they compare with nothing. A review taken after a top-up goes
    to ``after_top_up``, never to the cycle's response.
    """
    grouped = [
        replace(point, timepoint=timepoint_group(point.timepoint))
        for point in points
        if point.instrument == instrument
    ]
    full_only = [p for p in grouped if not (p.after_top_up and p.timepoint == REVIEW)]
    before, review, wear_off = (
        score_trend(full_only, instrument, timepoint=code, cycles=cycles)
        for code in (PRE_TREATMENT, REVIEW, WEAR_OFF)
    )
    topped_up = score_trend(
        [p for p in grouped if p.after_top_up],
        instrument,
        timepoint=REVIEW,
        cycles=cycles,
    )
    # NaN where either is missing: NaN arithmetic does not warn.
    response = frozen_array(review.values - before.values)
    return ScoreCourse(
        instrument=instrument,
        cycles=before.cycles,
        before=before,
        review=review,
        wear_off=wear_off,
        response=response,
        after_top_up=topped_up,
    )


@dataclass(frozen=True)
class TimePointScores:
    """Every score of one instrument in one cycle at one time point.

    ``scores`` are in the order given (by time); ``used`` is the one the
    course and the response use (``pick_score``), None when there are none.
    """

    scores: tuple[ScorePoint, ...]
    used: ScorePoint | None


def time_point_scores(
    points: Iterable[ScorePoint], instrument: str, cycle: int, timepoint: str
) -> TimePointScores:
    """Gather ``instrument``'s finite scores in ``cycle`` at ``timepoint``, as
    ``score_course`` groups them: a baseline counts as pre-treatment, and a
    review taken after a top-up is not the review.
    """
    found = tuple(
        point
        for point in points
        if point.instrument == instrument
        and point.cycle == cycle
        and math.isfinite(point.total)
        and timepoint_group(point.timepoint) == timepoint
        and not (timepoint == REVIEW and point.after_top_up)
    )
    return TimePointScores(found, pick_score(found))
