"""Scores filed by time point and each cycle's response, through the services.

SAQ totals are sum / 45 x 100 over nine answers of 1-5, so the audit's
example (70 at baseline, 45 at review, 68 before cycle 2) is made with the
nearest totals: 71.1 (sum 32), 44.4 (sum 20) and 68.9 (sum 31).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.services import outcomes
from planner.services.cycle_plots import draw_cycles
from planner.services.cycle_responses import comparison_courses
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import sign_treatment

CYCLE_1 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
CYCLE_2 = datetime(2026, 4, 6, 10, 0, tzinfo=UTC)
SITES = [("mentalis", "left", 2.5), ("depressor_anguli_oris", "left", 2.0)]
MORE_MENTALIS = [("mentalis", "left", 3.5), ("depressor_anguli_oris", "left", 2.0)]
# Three Botox cycles, mentalis up from 2.5 to 3.5 U at cycle 2; SAQ answer sums
# before treatment and at the review (total = sum / 45 x 100).
THREE_CYCLES = [
    (CYCLE_1, SITES, (32, 20)),
    (CYCLE_2, MORE_MENTALIS, (31, 19)),
    (datetime(2026, 7, 6, 10, 0, tzinfo=UTC), MORE_MENTALIS, (30, 24)),
]


def saq(total_of_nine):
    """Answers summing to ``total_of_nine`` (9 to 45), as evenly as they go."""
    base, extra = divmod(total_of_nine, 9)
    return {f"q{n}": base + (1 if n <= extra else 0) for n in range(1, 10)}


def score(session, actor, patient_id, when, answers_sum, timepoint=None):
    return outcomes.record_assessment(
        session,
        actor,
        patient_id,
        "saq",
        saq(answers_sum),
        timepoint=timepoint,
        zone=ZONE,
        now=when,
    )


def seed_cycles(session, actor, patient_id, cycles):
    """Chart, score before, sign and score at review, for each (when, sites, sums).

    ``sums`` are the SAQ answer sums before treatment and at the review (day 14).
    """
    for number, (when, sites, (before, review)) in enumerate(cycles, start=1):
        draft = make_treatment(
            session, actor, patient_id, sites, when=when, lot_number=f"C{number}000"
        )
        score(session, actor, patient_id, when.replace(minute=15), before)
        sign_treatment(session, actor, draft, when=when.replace(minute=30))
        score(session, actor, patient_id, when + timedelta(days=14), review)


@pytest.fixture
def two_cycles(session, injector, make_patient):
    """The audit's history: baseline, cycle 1, its review, cycle 2 scored first."""
    patient = make_patient()
    # Baseline on treatment day, before cycle 1 is even opened.
    baseline = score(session, injector, patient.id, CYCLE_1.replace(hour=9), 32)
    make_treatment(session, injector, patient.id, SITES, when=CYCLE_1, sign=True)
    review = score(
        session, injector, patient.id, datetime(2026, 1, 19, 11, tzinfo=UTC), 20
    )
    # Cycle 2 is being charted; the SAQ is taken before it is signed.
    draft = make_treatment(
        session,
        injector,
        patient.id,
        MORE_MENTALIS,
        when=CYCLE_2,
        lot_choice="new",
        lot_number="C7777",
    )
    before_signing = score(
        session, injector, patient.id, CYCLE_2.replace(minute=20), 31
    )
    sign_treatment(session, injector, draft, when=CYCLE_2.replace(minute=40))
    return patient, draft, (baseline, review, before_signing)


def test_scores_are_filed_by_time_point_and_a_score_before_signing_is_pre_treatment(
    session, two_cycles
):
    patient, draft, (baseline, review, before_signing) = two_cycles
    # Suggested from the dates: before any treatment, then the review window,
    # then treatment day.
    assert baseline.timepoint == "pre_treatment"
    assert review.timepoint == "review"
    assert before_signing.timepoint == "pre_treatment"
    # Filed under the draft being charted, not under cycle 1 signed earlier.
    assert before_signing.session_id == draft.id
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (course,) = comparison_courses(overview.records)
    assert course.before.values.round(1).tolist() == [71.1, 68.9]


def test_a_cycles_response_is_its_review_against_its_own_pre_treatment_score(
    session, two_cycles
):
    patient, _, _ = two_cycles
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (course,) = comparison_courses(overview.records)
    # Cycle 1: 44.4 - 71.1 = -26.7 (SAQ: lower is better). Cycle 2: no review yet.
    assert course.responses() == {1: pytest.approx(20 / 45 * 100 - 32 / 45 * 100)}
    first, second = overview.ledger
    (saq_1,) = first.scores
    assert (saq_1.before, saq_1.review) == ("71.1", "44.4")
    assert (saq_1.response.text, saq_1.response.verdict) == ("\u221226.7", "better")
    (saq_2,) = second.scores
    assert (saq_2.before, saq_2.review, saq_2.response) == ("68.9", "", None)
    assert second.changes == ("Mentalis left: 2.5 \u2192 3.5 U (+1)",)
    assert first.units == "4.5 U"


def test_the_trend_has_no_plus_24_worse_artefact(session, two_cycles):
    """The audit: review 44.4 then 68.9 before cycle 2 read as "+24.4 worse"."""
    patient, _, _ = two_cycles
    overview = draw_cycles(
        cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE), FACE_MAP
    )
    (view,) = overview.courses
    texts = [
        change.text for row in view.rows for change in (row.response, row.from_baseline)
    ]
    assert "+24.4" not in texts
    # Before cycle 2 against the baseline: 68.9 - 71.1 = -2.2, better.
    assert view.rows[1].from_baseline.text == "\u22122.2"
    assert view.rows[1].from_baseline.verdict == "better"
    assert view.baseline_note == "Baseline 71.1, before cycle 1"
    # The chart draws each time point as its own line, never review to next.
    assert [s.label for s in view.series] == ["Before treatment", "At review"]
    assert "24.4" not in view.svg


def test_filtering_keeps_the_baseline_and_the_real_previous_cycle(session, two_cycles):
    patient, _, _ = two_cycles
    overview = cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, only={2}
    )
    assert overview.shown == (2,)
    assert overview.filtered
    (row,) = overview.ledger
    assert row.change_note == "Changed from cycle 1"
    (view,) = overview.courses
    assert view.baseline_note == (
        "Baseline 71.1, before cycle 1 (not among the cycles shown)"
    )
    (card,) = overview.cards
    assert card.previous == 1
    assert len(card.ghosts) == 2


def test_the_self_entry_time_point_is_suggested_when_not_given(
    session, injector, make_patient
):
    patient = make_patient()
    make_treatment(session, injector, patient.id, SITES, when=CYCLE_1, sign=True)
    # Day 9: before the review window (11-17): "other", for the clinician to say.
    assert (
        outcomes.suggest_timepoint(
            session, patient.id, day=datetime(2026, 1, 14).date(), zone=ZONE
        )
        == "other"
    )
    saved = score(session, injector, patient.id, datetime(2026, 4, 1, tzinfo=UTC), 25)
    assert saved.timepoint == "pre_treatment"  # 12 weeks on: the next cycle is due
    assert saved.session_id is None  # its treatment is not charted yet
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    assert overview.waiting == 1


def test_one_muscles_dose_against_the_response(session, two_cycles):
    patient, _, _ = two_cycles
    overview = cycles_overview(
        session,
        patient.id,
        face_map=FACE_MAP,
        zone=ZONE,
        muscle=("mentalis", "left"),
    )
    view = overview.muscle
    assert view.name == "Mentalis, left"
    assert view.headings == ("SAQ response",)
    (block,) = view.blocks
    assert block.product == "Botox"
    assert [(r.cycle, r.units) for r in block.rows] == [(1, "2.5"), (2, "3.5")]
    assert [r.responses[0].text for r in block.rows] == ["\u221226.7", "\u2013"]
    assert block.findings[0] == (
        "SAQ response: n = 1, too few cycles with a different dose to compare."
    )
    assert "too few to tell" in block.caution
    assert view.dose_changed
