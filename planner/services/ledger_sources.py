"""Who reported what in the cycles ledger: the patient's own, beside the clinic's.

Clinical reference §4.5: patient-reported and clinician scores are recorded
side by side, never one as a proxy for the other. A time point with more than
one score lists each with who entered it, and says which one the ledger and
the response use. A side effect the patient sent through the diary is shown
as their report, with whether the clinic has dealt with it or recorded it as
an adverse event, never as one itself (review rW2 V2-1, V2-2).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner import comparison
from planner.comparison import ScoreCourse
from planner.comparison.timepoints import PRE_TREATMENT
from planner.comparison.timepoints import REVIEW
from planner.services.cycle_events import DiarySideEffect
from planner.services.score_subscales import course_instrument
from planner.services.score_words import score_text


@dataclass(frozen=True)
class TimePointNote:
    """Every score of a time point that has more than one, naming who entered each.

    ``when``: "before" or "at review"; ``scores``: "40 (clinician-entered) · 100
    (patient-entered) · 60 (patient-entered, diary)"; ``used``: the one the
    ledger and the response use, "40, clinician-entered".
    """

    when: str
    scores: str
    used: str


@dataclass(frozen=True)
class DiaryEffectText:
    """A diary side effect worded for the ledger: what, and whose report it is.

    ``words``: "My eyelid droops, since 7 Dec 2026"; ``source``:
    "patient-reported (diary), not yet reviewed by the clinic".
    """

    words: str
    source: str
    urgent: bool


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def diary_effect_text(effect: DiarySideEffect) -> DiaryEffectText:
    """Word a diary side effect as the patient's report, saying whether the
    clinic has recorded it as an adverse event or dealt with it (the worklist)."""
    if effect.recorded_on is not None:
        state = f"recorded as an adverse event on {_day(effect.recorded_on)}"
    elif effect.handled_on is not None:
        state = f"dealt with by the clinic {_day(effect.handled_on)}"
    else:
        state = "not yet reviewed by the clinic"
    source = f"patient-reported (diary), {state}"
    return DiaryEffectText(
        words=f"{effect.words}, since {_day(effect.since)}",
        source=source,
        urgent=effect.urgent,
    )


def entered_by(point: comparison.ScorePoint) -> str:
    """Say who entered a score: "clinician-entered", "patient-entered, diary"."""
    if not point.self_entered:
        return "clinician-entered"
    return "patient-entered, diary" if point.from_diary else "patient-entered"


def time_point_notes(
    course: ScoreCourse, cycle: int, points: Sequence[comparison.ScorePoint]
) -> tuple[TimePointNote, ...]:
    """Name every score at a time point that has more than one: the patient's
    own beside the clinician-entered, neither standing in for the other (§4.5).
    """
    definition = course_instrument(course.instrument)
    notes = []
    for code, when in ((PRE_TREATMENT, "before"), (REVIEW, "at review")):
        found = comparison.time_point_scores(points, course.instrument, cycle, code)
        if len(found.scores) < 2 or found.used is None:
            continue
        notes.append(
            TimePointNote(
                when=when,
                scores=" \u00b7 ".join(
                    f"{score_text(definition, p.total)} ({entered_by(p)})"
                    for p in found.scores
                ),
                used=f"{score_text(definition, found.used.total)}, "
                f"{entered_by(found.used)}",
            )
        )
    return tuple(notes)
