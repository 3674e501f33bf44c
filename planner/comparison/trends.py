"""Score trends, effect duration and dose against response across cycles (numpy).

Missing values are NaN throughout, so arrays line up with the cycles they
describe and a gap stays a gap instead of shifting later cycles left.
"""

import math
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from planner.comparison.matrix import FloatArray
from planner.comparison.matrix import frozen_array
from planner.comparison.matrix import ordered_cycles
from planner.comparison.records import CycleResponse
from planner.comparison.records import CycleSites
from planner.comparison.records import ScorePoint
from planner.comparison.records import Side

# A fitted line through two points is just the line between them: say nothing.
MIN_PAIRS_FOR_FIT = 3


@dataclass(frozen=True, eq=False)
class Trend:
    """One instrument's score per cycle, with its change from baseline and previous.

    All arrays have shape (c,) and line up with ``cycles``, in the instrument's
    own points; which direction is better is the instrument definition's
    business (``planner.scoring``). ``values`` is NaN where the cycle has no
    score. The baseline is the first finite value; ``change_from_baseline`` is 0
    there. The change from previous compares with the last earlier finite value,
    so one missed assessment does not hide the next change; it is NaN at the
    baseline.
    """

    instrument: str
    timepoint: str | None
    cycles: tuple[int, ...]
    values: FloatArray
    change_from_baseline: FloatArray
    change_from_previous: FloatArray

    @property
    def baseline(self) -> float:
        """Return the first finite value, NaN when there is none."""
        finite = self.values[np.isfinite(self.values)]
        return float(finite[0]) if finite.size else math.nan

    def by_cycle(self) -> dict[int, float]:
        """Return the finite values keyed by cycle number (for ``dose_response``)."""
        return {
            cycle: float(value)
            for cycle, value in zip(self.cycles, self.values.tolist(), strict=True)
            if math.isfinite(value)
        }


def score_trend(
    points: Iterable[ScorePoint],
    instrument: str,
    *,
    timepoint: str | None = None,
    cycles: Sequence[int] | None = None,
) -> Trend:
    """Pick one score per cycle for ``instrument`` and compute its changes.

    A cycle's score is its latest assessment of the instrument (by
    ``assessed_on``; on the same day, the later one in ``points``), restricted to
    ``timepoint`` when one is given; a clinician's score comes before any the
    patient entered, so the patient's never silently replaces the clinic's.
    NaN totals are skipped as unscored.
    ``cycles`` fixes the columns (for example every cycle of the patient, so a
    cycle without a score shows as NaN); by default they are the cycles that have
    a score.
    """
    chosen: dict[int, ScorePoint] = {}
    for point in points:
        if point.instrument != instrument or not math.isfinite(point.total):
            continue
        if timepoint is not None and point.timepoint != timepoint:
            continue
        held = chosen.get(point.cycle)
        if held is None or _rank(point) >= _rank(held):
            chosen[point.cycle] = point
    columns = sorted(set(cycles)) if cycles is not None else sorted(chosen)
    values = np.array(
        [chosen[c].total if c in chosen else math.nan for c in columns],
        dtype=np.float64,
    )
    return Trend(
        instrument=instrument,
        timepoint=timepoint,
        cycles=tuple(columns),
        values=frozen_array(values),
        change_from_baseline=frozen_array(_from_baseline(values)),
        change_from_previous=frozen_array(_from_previous(values)),
    )


def pick_score(points: Iterable[ScorePoint]) -> ScorePoint | None:
    """Return the one score ``score_trend`` keeps among a cycle's scores at a
    time point: the clinician-entered before the patient's, then the latest
    (on the same day, the later one in ``points``); None when there is none.
    """
    chosen: ScorePoint | None = None
    for point in points:
        if chosen is None or _rank(point) >= _rank(chosen):
            chosen = point
    return chosen


def _rank(point: ScorePoint) -> tuple[bool, date]:
    """Order a cycle's scores: the clinician's over the patient's, then the latest."""
    return (not point.self_entered, point.assessed_on)


def _from_baseline(values: FloatArray) -> FloatArray:
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size == 0:
        return np.full_like(values, math.nan)
    # NaN stays NaN: NaN - baseline is NaN without a warning.
    changes: FloatArray = values - values[finite[0]]
    return changes


def _from_previous(values: FloatArray) -> FloatArray:
    changes = np.full_like(values, math.nan)
    finite = np.flatnonzero(np.isfinite(values))
    # Each finite value against the finite value before it, skipping the gaps.
    changes[finite[1:]] = np.diff(values[finite])
    return changes


@dataclass(frozen=True, eq=False)
class EffectDuration:
    """The recorded time course per cycle and summaries of how long it lasted.

    Arrays have shape (c,) and line up with ``cycles``; NaN where not recorded.
    ``wear_off_weeks`` are weeks from injection, ``onset_days`` and ``peak_days``
    days from injection, ``ratings`` the patient's 0-10. The summaries cover the
    recorded wear-off times (a 0, "no effect at all", counts) and are None when
    there are none.
    """

    cycles: tuple[int, ...]
    wear_off_weeks: FloatArray
    onset_days: FloatArray
    peak_days: FloatArray
    ratings: FloatArray
    mean_weeks: float | None
    median_weeks: float | None
    recorded: int


def _value(value: float | None) -> float:
    return math.nan if value is None else float(value)


def effect_duration(
    responses: Iterable[CycleResponse], *, cycles: Sequence[int] | None = None
) -> EffectDuration:
    """Line up each cycle's wear-off (and onset, peak, rating) and summarise it.

    ``cycles`` fixes the columns, as in ``score_trend``; by default they are the
    cycles that have a response.

    :raises ValueError: two responses for the same cycle.
    """
    by_cycle: dict[int, CycleResponse] = {}
    for response in responses:
        if response.cycle in by_cycle:
            raise ValueError(f"cycle {response.cycle} has two responses")
        by_cycle[response.cycle] = response
    columns = sorted(set(cycles)) if cycles is not None else sorted(by_cycle)
    found = [by_cycle.get(cycle) for cycle in columns]

    def column(name: str) -> FloatArray:
        return frozen_array(
            [_value(getattr(r, name)) if r is not None else math.nan for r in found]
        )

    weeks = column("wear_off_weeks")
    finite = weeks[np.isfinite(weeks)]
    # nanmean/nanmedian warn on an all-NaN input; an empty history is not an error.
    return EffectDuration(
        cycles=tuple(columns),
        wear_off_weeks=weeks,
        onset_days=column("onset_days"),
        peak_days=column("peak_days"),
        ratings=column("rating"),
        mean_weeks=float(np.mean(finite)) if finite.size else None,
        median_weeks=float(np.median(finite)) if finite.size else None,
        recorded=int(finite.size),
    )


@dataclass(frozen=True, eq=False)
class DoseResponse:
    """Units in one muscle and side per cycle, against a response per cycle.

    DESCRIPTIVE ONLY, NOT CAUSAL: a handful of cycles, doses chosen because of the
    last response, other muscles changing at the same time and the natural
    course of synkinesis all confound it. It answers "did more units here go with
    a better score so far?", never "how many units will work".

    ``units`` and ``response`` have shape (n,) and line up with ``cycles`` and
    ``product_codes``; ``response`` is NaN where the cycle has none. ``units`` is
    0 where the muscle was not treated that cycle. ``slope`` (response per unit,
    least squares) and ``intercept`` need at least three finite pairs with more
    than one dose, ``r`` (Pearson) also needs more than one response; all three
    are None across mixed products, whose units do not compare.
    """

    muscle: str
    side: Side
    cycles: tuple[int, ...]
    product_codes: tuple[str, ...]
    units: FloatArray
    response: FloatArray
    pairs: int
    slope: float | None
    intercept: float | None
    r: float | None

    @property
    def mixed_products(self) -> bool:
        """Say whether the paired cycles used more than one product."""
        finite = np.isfinite(self.response)
        return (
            len({c for c, ok in zip(self.product_codes, finite, strict=True) if ok}) > 1
        )


def _mixed(products: Sequence[str], used: NDArray[np.bool_]) -> bool:
    return len({code for code, keep in zip(products, used, strict=True) if keep}) > 1


def dose_response(
    cycles: Iterable[CycleSites],
    scores_by_cycle: Mapping[int, float],
    muscle: str,
    side: Side,
) -> DoseResponse:
    """Pair each cycle's units in ``muscle`` on ``side`` with that cycle's response.

    ``scores_by_cycle`` maps cycle number to whatever response the page studies:
    a score (``Trend.by_cycle()``), its change at the review, or wear-off weeks.
    Keep its direction in mind when reading the slope: for the SAQ a negative
    slope is the good one.
    """
    ordered = ordered_cycles(cycles)
    units = np.array(
        [
            sum(s.units for s in cycle.sites if s.muscle == muscle and s.side == side)
            for cycle in ordered
        ],
        dtype=np.float64,
    )
    response = np.array(
        [_value(scores_by_cycle.get(cycle.cycle)) for cycle in ordered],
        dtype=np.float64,
    )
    products = tuple(cycle.product_code for cycle in ordered)
    ok = np.isfinite(response)
    x, y = units[ok], response[ok]
    mixed = _mixed(products, ok)
    slope = intercept = r = None
    if x.size >= MIN_PAIRS_FOR_FIT and not mixed and np.ptp(x) > 0:
        # Guarded: polyfit warns (RankWarning) when every dose is the same.
        fitted = np.polyfit(x, y, 1)
        slope, intercept = float(fitted[0]), float(fitted[1])
        if np.ptp(y) > 0:
            r = float(np.corrcoef(x, y)[0, 1])
    return DoseResponse(
        muscle=muscle,
        side=side,
        cycles=tuple(cycle.cycle for cycle in ordered),
        product_codes=products,
        units=frozen_array(units),
        response=frozen_array(response),
        pairs=int(x.size),
        slope=slope,
        intercept=intercept,
        r=r,
    )
