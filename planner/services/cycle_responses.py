"""The cycles' responses as the page and the PDF show them: ledger, courses, muscles.

The pure comparison package does the arithmetic; this module turns its results
into rows of words and numbers, so that templates only lay them out. Every
number is in its own product's units; nothing is compared across products.
"""

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from markupsafe import Markup

from planner import comparison
from planner import plots
from planner.comparison import ScoreCourse
from planner.models import CycleResponse
from planner.services.cycle_events import EventRecord
from planner.services.cycle_records import CycleRecords
from planner.services.ledger_sources import DiaryEffectText
from planner.services.ledger_sources import TimePointNote
from planner.services.ledger_sources import diary_effect_text
from planner.services.ledger_sources import time_point_notes
from planner.services.score_subscales import FDI_SOCIAL
from planner.services.score_subscales import course_instrument
from planner.services.score_subscales import short_title
from planner.services.score_words import DASH
from planner.services.score_words import MINUS
from planner.services.score_words import Change
from planner.services.score_words import change_in
from planner.services.score_words import direction
from planner.services.score_words import dose
from planner.services.score_words import score_text
from planner.services.score_words import units_text

# The instrument's range, so that charts show a change against the whole scale
# (planner.scoring: Sunnybrook composite 0-100 as published, raw down to -15,
# which widens the axis when it occurs; eFACE and FDI 0-100; SAQ 20-100;
# House-Brackmann grades I-VI).
SCORE_RANGES: Mapping[str, tuple[float, float]] = {
    "sunnybrook": (0.0, 100.0),
    "eface": (0.0, 100.0),
    "saq": (20.0, 100.0),
    "fdi": (0.0, 100.0),
    FDI_SOCIAL: (0.0, 100.0),
    "house_brackmann": (1.0, 6.0),
}
INSTRUMENT_ORDER = ("sunnybrook", "eface", "saq", "fdi", "house_brackmann")
# The page and the print follow the FDI's subscales apart (score_subscales).
PAGE_ORDER = ("sunnybrook", "eface", "saq", "fdi", FDI_SOCIAL, "house_brackmann")
SIDE_WORDS = {"right": "right", "left": "left", "midline": "midline"}


@dataclass(frozen=True)
class LedgerScore:
    """One instrument in one cycle: before, at review and the cycle's response.

    ``before`` or ``review`` is empty when not scored; ``response`` is None
    unless both are there. ``review`` is the review before any top-up;
    ``after_top_up`` a review taken after one, shown as such and never part
    of the response (empty when none).
    """

    title: str
    before: str
    review: str
    response: Change | None
    after_top_up: str = ""
    # Which way is better, as the instrument's scoring has it: "lower is better".
    direction: str = ""
    # Where a time point has more than one score: every one, and which is used.
    others: tuple[TimePointNote, ...] = ()


@dataclass(frozen=True)
class LedgerRow:
    """One cycle of the ledger, ready to print.

    ``top_up`` words the top-ups in the cycle's product; ``other_top_ups`` those
    in another product, each in its own units and never added to the cycle's.
    """

    cycle: int
    treated_on: date
    product: str
    product_changed: bool
    units: str
    top_up: str
    changes: tuple[str, ...]
    change_note: str
    scores: tuple[LedgerScore, ...]
    course: str
    interval: str
    events: tuple[str, ...]
    other_top_ups: tuple[str, ...] = ()
    # Side effects the patient reported in the diary, beside the clinic's events.
    diary_effects: tuple[DiaryEffectText, ...] = ()


def comparison_courses(
    records: CycleRecords, *, subscales: bool = False
) -> list[ScoreCourse]:
    """Line up every instrument the patient has scores for, over all cycles.

    ``subscales`` adds the FDI's Social subscale as a line of its own, for the
    page and the print (whose lines are named by ``score_subscales``).
    """
    numbers = [cycle.cycle for cycle in records.cycles]
    found = [
        comparison.score_course(records.points, code, cycles=numbers)
        for code in (PAGE_ORDER if subscales else INSTRUMENT_ORDER)
        if any(p.instrument == code for p in records.points)
    ]
    return [course for course in found if course.has_scores()]


def ledger_rows(
    records: CycleRecords,
    courses: Sequence[ScoreCourse],
    names: Mapping[str, str],
    shown: Sequence[int],
) -> list[LedgerRow]:
    """Write the ledger row of each shown cycle, compared with its real predecessor."""
    rows = []
    index = {cycle: i for i, cycle in enumerate(courses[0].cycles)} if courses else {}
    for doses in comparison.ledger_doses(records.cycles):
        if doses.cycle not in shown:
            continue
        response = records.responses.get(doses.cycle)
        top_ups = records.top_up_days.get(doses.cycle, [])
        unit = records.unit_names[doses.product_code]
        rows.append(
            LedgerRow(
                cycle=doses.cycle,
                treated_on=doses.treated_on,
                product=records.brands[doses.cycle],
                product_changed=doses.product_changed,
                units=units_text(doses.full_units, unit),
                top_up=f"+{units_text(doses.top_up_units, unit)} top-up"
                if top_ups
                else "",
                changes=tuple(_dose_change(c, names, unit) for c in doses.changes),
                change_note=_change_note(doses),
                scores=tuple(
                    _ledger_score(course, index[doses.cycle], records.points)
                    for course in courses
                    if _has_cycle(course, index[doses.cycle])
                ),
                course=_course(response),
                interval=_weeks(doses.days_to_next / 7)
                if doses.days_to_next is not None
                else DASH,
                events=tuple(
                    _event_text(event)
                    for event in records.events
                    if event.cycle == doses.cycle
                ),
                other_top_ups=other_top_up_texts(records, doses.cycle),
                diary_effects=tuple(
                    diary_effect_text(effect)
                    for effect in records.diary_effects
                    if effect.cycle == doses.cycle
                ),
            )
        )
    return rows


def _event_text(event: EventRecord) -> str:
    """Word an event for the ledger: "bruising (mild)", naming another product's
    top-up it followed: "bruising (mild), after the Dysport top-up"."""
    text = f"{event.kind} ({event.severity})"
    if event.other_top_up is not None:
        text += f", after the {event.other_top_up.brand} top-up"
    if event.reported_on is not None:
        text += ", patient-reported (diary)"
    return text


def other_top_up_texts(records: CycleRecords, cycle: int) -> tuple[str, ...]:
    """Word the cycle's top-ups in another product, in that product's units.

    For example "+10 U (Speywood) Dysport top-up".
    """
    return tuple(
        f"+{units_text(top_up.units, top_up.unit_name)} {top_up.brand} top-up"
        for top_up in records.other_top_ups.get(cycle, [])
    )


def _dose_change(
    change: comparison.MuscleDoseChange, names: Mapping[str, str], unit: str
) -> str:
    """Say how one muscle's dose changed, in the units of the cycles' product."""
    where = f"{names.get(change.muscle, change.muscle)} {SIDE_WORDS[change.side]}"
    if change.before == 0:
        return f"{where}: new, {units_text(change.after, unit)}"
    if change.after == 0:
        return f"{where}: stopped, was {units_text(change.before, unit)}"
    delta = change.after - change.before
    sign = "+" if delta > 0 else MINUS
    return (
        f"{where}: {dose(change.before)} \u2192 {units_text(change.after, unit)} "
        f"({sign}{dose(abs(delta))})"
    )


def _change_note(doses: comparison.LedgerDoses) -> str:
    if doses.previous is None:
        return "First cycle"
    if doses.product_changed:
        return f"New product: doses not compared with cycle {doses.previous}"
    if not doses.changes:
        return f"Same doses as cycle {doses.previous}"
    return f"Changed from cycle {doses.previous}"


def _has_cycle(course: ScoreCourse, i: int) -> bool:
    return any(
        math.isfinite(float(trend.values[i]))
        for trend in (course.before, course.review, course.after_top_up)
    )


def _ledger_score(
    course: ScoreCourse, i: int, points: Sequence[comparison.ScorePoint]
) -> LedgerScore:
    definition = course_instrument(course.instrument)
    response = float(course.response[i])
    before, review = float(course.before.values[i]), float(course.review.values[i])
    topped_up = float(course.after_top_up.values[i])
    return LedgerScore(
        title=short_title(course.instrument),
        before=score_text(definition, before) if math.isfinite(before) else "",
        review=score_text(definition, review) if math.isfinite(review) else "",
        response=change_in(definition, response) if math.isfinite(response) else None,
        after_top_up=score_text(definition, topped_up)
        if math.isfinite(topped_up)
        else "",
        direction=direction(definition),
        others=time_point_notes(course, course.cycles[i], points),
    )


def _course(response: CycleResponse | None) -> str:
    """Write onset, peak and wear-off: "day 3 · day 14 · 11 wk"."""
    if response is None or all(
        value is None
        for value in (response.onset_days, response.peak_days, response.wear_off_weeks)
    ):
        return "Not recorded"
    return (
        f"{_days(response.onset_days)} · {_days(response.peak_days)} · "
        f"{_weeks(response.wear_off_weeks)}"
    )


def _days(value: float | None) -> str:
    return DASH if value is None else f"day {plots.format_value(value)}"


def _weeks(value: float | None) -> str:
    return DASH if value is None else f"{plots.format_value(value)} wk"


@dataclass(frozen=True)
class CourseRow:
    """One cycle of an instrument's table.

    ``after_top_up`` is a review taken after the cycle's top-up (a dash when
    none): never part of ``response``, which is the review before it.
    """

    cycle: int
    before: str
    review: str
    wear_off: str
    response: Change
    from_baseline: Change
    after_top_up: str = DASH


@dataclass(frozen=True)
class CourseView:
    """One instrument across the shown cycles, per time point."""

    instrument: str
    title: str
    short: str
    higher_is_better: bool
    provenance: str
    rows: list[CourseRow]
    series: list[plots.Series]
    baseline: tuple[float, str] | None
    baseline_note: str
    y_range: tuple[float, float]
    svg: Markup | None = None
    # Some shown cycle has a review taken after its top-up.
    topped_up: bool = False
    # A descriptive grade (House-Brackmann): grades and better/same/worse,
    # no differences and no chart on a numeric axis (§4.4, §7).
    descriptive: bool = False


def course_views(
    courses: Sequence[ScoreCourse], shown: Sequence[int]
) -> list[CourseView]:
    """Describe each instrument over the shown cycles, baseline stated."""
    views = []
    for course in courses:
        definition = course_instrument(course.instrument)
        better = definition.higher_is_better
        keep = [i for i, cycle in enumerate(course.cycles) if cycle in shown]
        if not any(_has_any(course, i) for i in keep):
            continue
        base, base_cycle = course.baseline, course.baseline_cycle
        rows = [
            CourseRow(
                cycle=course.cycles[i],
                before=score_text(definition, float(course.before.values[i])),
                review=score_text(definition, float(course.review.values[i])),
                wear_off=score_text(definition, float(course.wear_off.values[i])),
                response=change_in(definition, float(course.response[i])),
                from_baseline=change_in(
                    definition, float(course.before.change_from_baseline[i])
                ),
                after_top_up=score_text(
                    definition, float(course.after_top_up.values[i])
                ),
            )
            for i in keep
            if _has_any(course, i)
        ]
        series = [
            plots.Series(
                label, tuple(shown), tuple(float(trend.values[i]) for i in keep)
            )
            for label, trend in (
                ("Before treatment", course.before),
                ("At review", course.review),
                ("After a top-up", course.after_top_up),
                ("At wear-off", course.wear_off),
            )
            if np.isfinite(trend.values[keep]).any() and not definition.descriptive
        ]
        note, line = "", None
        if base_cycle is not None:
            grade = "grade " if definition.descriptive else ""
            shown_base = score_text(definition, base)
            note = f"Baseline {grade}{shown_base}, before cycle {base_cycle}"
            if base_cycle not in shown:
                note += " (not among the cycles shown)"
            line = (base, note)
        views.append(
            CourseView(
                instrument=course.instrument,
                title=definition.title,
                short=short_title(course.instrument),
                higher_is_better=better,
                provenance=definition.provenance,
                rows=rows,
                series=series,
                baseline=line,
                baseline_note=note or "No score before treatment yet: no baseline",
                y_range=SCORE_RANGES.get(course.instrument, (0.0, 100.0)),
                topped_up=any(row.after_top_up != DASH for row in rows),
                descriptive=definition.descriptive,
            )
        )
    return views


def _has_any(course: ScoreCourse, i: int) -> bool:
    return any(
        math.isfinite(float(trend.values[i]))
        for trend in (
            course.before,
            course.review,
            course.after_top_up,
            course.wear_off,
        )
    )
