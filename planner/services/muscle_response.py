"""One muscle's dose beside each cycle's response and duration, in words.

The pure ``comparison.muscle_responses`` groups the cycles by product and fits
nothing across products; this module writes its rows, its findings with n and,
when the cycles are few, a plain caution. House-Brackmann is a grade, listed
before and after each cycle, never fitted (clinical reference §4.4, §7).
"""

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner import comparison
from planner import plots
from planner.comparison import MuscleResponse
from planner.comparison import ScoreCourse
from planner.services.cycle_records import CycleRecords
from planner.services.score_subscales import course_instrument
from planner.services.score_subscales import short_title
from planner.services.score_words import DASH
from planner.services.score_words import MINUS
from planner.services.score_words import Change
from planner.services.score_words import change_of
from planner.services.score_words import direction
from planner.services.score_words import dose
from planner.services.score_words import grade_change
from planner.services.score_words import number
from planner.services.score_words import score_text
from planner.services.score_words import units_text

# A cycle reviewed only after its top-up: full and top-up together, so the
# score says nothing of the full treatment's dose alone.
AFTER_TOP_UP_ONLY = "only after the top-up"
# A cycle scored at its review with no score before its treatment: the review
# is listed, but a response needs the cycle's own score before (§4, §7).
NO_BASELINE = "no baseline: not a response"


@dataclass(frozen=True)
class MuscleRow:
    """One cycle of a muscle's comparison: units, top-up units, weeks, as numbers.

    ``top_up`` is empty when there was none; ``weeks`` a dash when not recorded.
    ``reviews`` holds each instrument's score at the cycle's review (before
    any top-up; a dash when none), beside ``responses``. ``other_top_ups``
    words the top-ups into this muscle in another product, each in its own
    units ("+10 U (Speywood) Dysport"), never added to ``top_up``.
    """

    cycle: int
    units: str
    top_up: str
    responses: tuple[Change, ...]
    weeks: str
    other_top_ups: tuple[str, ...] = ()
    reviews: tuple[str, ...] = ()


@dataclass(frozen=True)
class MuscleBlock:
    """A muscle over the cycles of one product, with what the numbers can say."""

    product: str
    # The product's units, as its row words them: "U", "U (Speywood)".
    unit: str
    rows: list[MuscleRow]
    findings: list[str]
    caution: str
    dose_changed: bool


@dataclass(frozen=True)
class MuscleView:
    """One muscle and side: dose against response, product by product."""

    muscle: str
    side: str
    name: str
    # The instruments' column headings: "SAQ response", "House–Brackmann grade".
    headings: tuple[str, ...]
    blocks: list[MuscleBlock]
    # Per instrument, the review score's heading and which way is better:
    # "SAQ at review", "lower is better".
    review_headings: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()

    @property
    def dose_changed(self) -> bool:
        """Say whether the dose differed between cycles of any one product."""
        return any(block.dose_changed for block in self.blocks)


def muscle_view(
    records: CycleRecords,
    courses: Sequence[ScoreCourse],
    muscle: str,
    side: comparison.Side,
    *,
    name: str,
    shown: Sequence[int],
    brands: Mapping[str, str],
) -> MuscleView:
    """Set one muscle's dose beside each cycle's response and duration.

    A descriptive grade (House-Brackmann, §4.4) is listed before and after
    each cycle, never fitted against the dose.
    """
    cycles = [cycle for cycle in records.cycles if cycle.cycle in shown]
    # Every course with a review is listed: one reviewed only after a top-up,
    # or with no score before treatment, too; its rows say so.
    responded = [
        course
        for course in courses
        if np.isfinite(course.review.values).any()
        or np.isfinite(course.after_top_up.values).any()
    ]
    graded = {
        course.instrument: course
        for course in responded
        if course_instrument(course.instrument).descriptive
    }
    responses = {
        course.instrument: course.responses()
        for course in responded
        if course.instrument not in graded
    }
    wear_off = {
        number: float(r.wear_off_weeks)
        for number, r in records.responses.items()
        if r.wear_off_weeks is not None
    }
    found = comparison.muscle_responses(
        cycles, muscle, side, responses=responses, wear_off_weeks=wear_off
    )
    codes = tuple(course.instrument for course in responded)
    others = {
        cycle.cycle: tuple(
            f"+{units_text(units, top_up.unit_name)} {top_up.brand}"
            for top_up in records.other_top_ups.get(cycle.cycle, [])
            if (units := top_up.units_in(muscle, side)) > 0
        )
        for cycle in cycles
    }
    return MuscleView(
        muscle=muscle,
        side=side,
        name=name,
        headings=tuple(
            f"{short_title(code)} {'grade' if code in graded else 'response'}"
            for code in codes
        ),
        blocks=[
            _block(group, responded, graded, brands, records.unit_names, others)
            for group in found
        ],
        review_headings=tuple(f"{short_title(code)} at review" for code in codes),
        directions=tuple(direction(course_instrument(code)) for code in codes),
    )


def _block(
    group: MuscleResponse,
    courses: Sequence[ScoreCourse],
    graded: Mapping[str, ScoreCourse],
    brands: Mapping[str, str],
    unit_names: Mapping[str, str],
    others: Mapping[int, tuple[str, ...]],
) -> MuscleBlock:
    """Write one product's rows and findings, instruments in ``courses`` order;
    ``brands`` and ``unit_names`` are by product code, as the product rows have
    them."""
    codes = [course.instrument for course in courses]
    rows = [
        MuscleRow(
            cycle=cycle,
            units=dose(float(group.units[j])),
            top_up=dose(float(group.top_up_units[j]))
            if group.top_up_units[j] > 0
            else "",
            responses=tuple(
                _grades(graded[course.instrument], cycle)
                if course.instrument in graded
                else _response(group, course, j, cycle)
                for course in courses
            ),
            weeks=number(float(group.wear_off_weeks[j])),
            other_top_ups=others.get(cycle, ()),
            reviews=tuple(_review(course, cycle) for course in courses),
        )
        for j, cycle in enumerate(group.cycles)
    ]
    better = {code: course_instrument(code).higher_is_better for code in codes}
    findings = [
        _listed(graded[course.instrument], group.cycles)
        if course.instrument in graded
        else _unpaired(course, group.cycles)
        or _finding(
            f"{short_title(course.instrument)} response",
            group.responses[course.instrument],
            unit="points",
            words=("better", "worse")
            if better[course.instrument]
            else ("worse", "better"),
        )
        for course in courses
    ]
    findings.append(
        _finding("Wear-off", group.duration, unit="weeks", words=("later", "sooner"))
    )
    most = max(
        [fit.pairs for fit in group.responses.values()]
        + [_graded_pairs(course, group.cycles) for course in graded.values()]
        + [group.duration.pairs]
    )
    caution = ""
    if most < comparison.SMALL_N:
        counted = (
            f"Only {most} cycle{'s' if most != 1 else ''} to compare"
            if most
            else "No cycles to compare yet"
        )
        caution = (
            f"{counted}: too few to tell the dose's effect from chance, the natural "
            "course of synkinesis or other changes made at the same time."
        )
    return MuscleBlock(
        product=brands.get(group.product_code, group.product_code),
        unit=unit_names[group.product_code],
        rows=rows,
        findings=findings,
        caution=caution,
        dose_changed=group.dose_changed,
    )


def _response(group: MuscleResponse, course: ScoreCourse, j: int, cycle: int) -> Change:
    """Write a cycle's response to its full treatment, or say it was scored
    only after the top-up, which is never set against the full dose."""
    value = float(group.responses[course.instrument].response[j])
    if math.isfinite(value):
        return change_of(value, course_instrument(course.instrument).higher_is_better)
    i = course.cycles.index(cycle)
    if math.isfinite(float(course.after_top_up.values[i])):
        return Change(AFTER_TOP_UP_ONLY, "")
    return _no_baseline(course, i)


def _no_baseline(course: ScoreCourse, i: int) -> Change:
    """Say a review with no score before treatment is no response; else a dash."""
    if math.isfinite(float(course.review.values[i])) and not math.isfinite(
        float(course.before.values[i])
    ):
        return Change(NO_BASELINE, "")
    return Change(DASH, "")


def _review(course: ScoreCourse, cycle: int) -> str:
    """Write the cycle's score at its review (a grade as its grade), or a dash."""
    i = course.cycles.index(cycle)
    return score_text(
        course_instrument(course.instrument), float(course.review.values[i])
    )


def _grades(course: ScoreCourse, cycle: int) -> Change:
    """Write a cycle's grade before and at review: "IV → II", "better"."""
    i = course.cycles.index(cycle)
    before, review = float(course.before.values[i]), float(course.review.values[i])
    if not math.isfinite(before):
        return _no_baseline(course, i)
    return grade_change(course_instrument(course.instrument), before, review)


def _unpaired(course: ScoreCourse, cycles: Sequence[int]) -> str:
    """Say plainly when the cycles have review scores but none a score before
    treatment, so that no response can be compared; "" otherwise."""
    at = [course.cycles.index(cycle) for cycle in cycles]
    reviewed = np.isfinite(course.review.values[at]).any()
    if not reviewed or np.isfinite(course.response[at]).any():
        return ""
    return (
        f"{short_title(course.instrument)} response: n = 0; no cycle here has a "
        "score before treatment, so none has a response: the scores at review "
        "are listed, not compared."
    )


def _graded_pairs(course: ScoreCourse, cycles: Sequence[int]) -> int:
    """Count the cycles graded both before and at review."""
    return sum(
        math.isfinite(float(course.response[course.cycles.index(c)])) for c in cycles
    )


def _listed(course: ScoreCourse, cycles: Sequence[int]) -> str:
    """Say that a descriptive grade is listed, with n, and why it is not fitted."""
    return (
        f"{short_title(course.instrument)}: n = {_graded_pairs(course, cycles)}; "
        "grades listed before and after each cycle, not set against the dose: a "
        "single gross grade cannot track one muscle's change [S44] [S46b]."
    )


def _finding(
    label: str, fit: comparison.DoseResponse, *, unit: str, words: tuple[str, str]
) -> str:
    """Say in one sentence what the paired cycles show, with n.

    ``words`` say what a rise and a fall of the measure mean, e.g. ("worse",
    "better") for a response whose lower score is better.
    """
    n = fit.pairs
    if fit.slope is None:
        if n > 1 and np.ptp(fit.units[np.isfinite(fit.response)]) == 0:
            return f"{label}: n = {n}, all at the same dose; nothing to compare."
        return f"{label}: n = {n}, too few cycles with a different dose to compare."
    per_unit = fit.slope
    if plots.format_value(abs(per_unit)) == "0":
        return f"{label}: n = {n}, no change with the dose."
    way = words[0] if per_unit > 0 else words[1]
    r = f", r = {fit.r:.2f}".replace("-", MINUS) if fit.r is not None else ""
    return (
        f"{label}: n = {n}; each extra unit went with "
        f"{plots.format_value(abs(per_unit))} {unit} {way}{r}."
    )
