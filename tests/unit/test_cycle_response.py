"""Time points, each cycle's own response, the ledger's doses and one muscle's dose.

Hand-built cycles and scores; every expected number is worked out in a comment.
"""

import math
from datetime import date

import numpy as np
import pytest

from planner.comparison import SMALL_N
from planner.comparison import CycleSites
from planner.comparison import FollowUpDays
from planner.comparison import FullTreatment
from planner.comparison import ScorePoint
from planner.comparison import SitePoint
from planner.comparison import default_timepoint
from planner.comparison import file_under
from planner.comparison import ledger_doses
from planner.comparison import muscle_responses
from planner.comparison import score_course
from planner.comparison import timepoint_group
from planner.comparison import treated_muscles

OOC = "orbicularis_oculi_orbital"
FOLLOW_UP = FollowUpDays(review_first=11, review_last=17, retreat_first=84)
TREATMENTS = (
    FullTreatment(10, date(2026, 1, 5)),
    FullTreatment(20, date(2026, 4, 6)),
)


def site(number, muscle, side, units, *, top_up=False):
    return SitePoint(number, muscle, side, 100.0 + number, 200.0, units, top_up)


@pytest.mark.parametrize(
    ("day", "timepoint", "filed"),
    [
        # Before any treatment: a baseline belongs to the first treatment.
        (date(2025, 12, 20), "baseline", 10),
        # On treatment day, before or after the signing: that treatment's.
        (date(2026, 1, 5), "pre_treatment", 10),
        # A pre-treatment score between cycles belongs to the next one.
        (date(2026, 3, 30), "pre_treatment", 20),
        (date(2026, 4, 6), "pre_treatment", 20),
        # Any other score belongs to the latest treatment on or before its day.
        (date(2026, 1, 19), "review", 10),
        (date(2026, 3, 30), "wear_off", 10),
        (date(2026, 4, 6), "other", 20),
        (date(2026, 4, 20), "review", 20),
        # Not yet filed: before the first treatment, after the last one charted.
        (date(2025, 12, 20), "review", None),
        (date(2026, 7, 1), "pre_treatment", None),
    ],
)
def test_scores_are_filed_by_their_time_point(day, timepoint, filed):
    found = file_under(day, timepoint, list(reversed(TREATMENTS)))
    assert (found.session_id if found else None) == filed


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 1), "pre_treatment"),  # before any treatment: baseline
        (date(2026, 1, 5), "pre_treatment"),  # treatment day: the toxin acts later
        (date(2026, 1, 15), "other"),  # day 10, before the review window
        (date(2026, 1, 16), "review"),  # day 11: the window opens
        (date(2026, 1, 22), "review"),  # day 17: it closes
        (date(2026, 1, 23), "other"),
        (date(2026, 3, 29), "other"),  # day 83
        (date(2026, 3, 30), "pre_treatment"),  # day 84: the next cycle is due
        (date(2026, 4, 6), "pre_treatment"),
        (date(2026, 4, 20), "review"),  # day 14 of cycle 2
    ],
)
def test_the_default_time_point_follows_the_cycle_dates(day, expected):
    days = [t.day for t in TREATMENTS]
    assert default_timepoint(day, days, FOLLOW_UP) == expected


def test_follow_up_days_must_rise():
    with pytest.raises(ValueError, match="must rise"):
        FollowUpDays(review_first=14, review_last=11, retreat_first=84)


def test_a_baseline_is_compared_as_a_pre_treatment_score():
    assert timepoint_group("baseline") == "pre_treatment"
    assert timepoint_group("review") == "review"


def points(*rows):
    return [
        ScorePoint(cycle, date(2026, 1, day), "saq", total, timepoint)
        for cycle, day, total, timepoint in rows
    ]


def test_the_audits_example_has_no_plus_23_worse():
    """SAQ 70 at baseline, 45 at the review, 68 before cycle 2 (lower is better).

    Cycle 1 responded 45 - 70 = -25; cycle 2 started 68 - 70 = -2 from the
    baseline. Nothing compares the review's 45 with the next cycle's 68 (+23).
    """
    course = score_course(
        points(
            (1, 1, 70, "baseline"), (1, 15, 45, "review"), (2, 28, 68, "pre_treatment")
        ),
        "saq",
        cycles=[1, 2],
    )
    np.testing.assert_allclose(course.response, [-25, np.nan])
    np.testing.assert_allclose(course.before.values, [70, 68])
    np.testing.assert_allclose(course.before.change_from_baseline, [0, -2])
    np.testing.assert_allclose(course.review.values, [45, np.nan])
    assert course.baseline == 70
    assert course.baseline_cycle == 1
    assert course.responses() == {1: -25.0}
    assert course.responded == 1
    every_change = np.concatenate(
        [
            course.response,
            course.before.change_from_baseline,
            course.before.change_from_previous,
            course.review.change_from_previous,
        ]
    )
    assert 23 not in np.abs(every_change[np.isfinite(every_change)]).round()


def test_a_cycles_response_is_its_own_latest_review_against_its_own_pre_score():
    course = score_course(
        points(
            (1, 1, 60, "pre_treatment"),
            (1, 14, 50, "review"),
            (1, 20, 40, "review"),  # a later review (after a top-up) wins
            (1, 21, 99, "other"),  # "other" compares with nothing
            (2, 2, 58, "pre_treatment"),
            (3, 15, 30, "review"),  # no pre-treatment score: no response
            (3, 25, 55, "wear_off"),
        ),
        "saq",
        cycles=[1, 2, 3],
    )
    np.testing.assert_allclose(course.response, [-20, np.nan, np.nan])
    np.testing.assert_allclose(course.wear_off.values, [np.nan, np.nan, 55])
    assert course.has_scores()


def test_a_course_without_scores():
    course = score_course([], "saq", cycles=[1, 2])
    assert not course.has_scores()
    assert math.isnan(course.baseline)
    assert course.baseline_cycle is None
    assert course.responded == 0


CYCLES = [
    CycleSites(
        1,
        date(2026, 1, 5),
        "botox",
        (site(1, OOC, "left", 2.5), site(2, "mentalis", "midline", 4)),
    ),
    # Cycle 2: OOC left up to 5, mentalis unchanged, DAO added; a 1.25 U top-up.
    CycleSites(
        2,
        date(2026, 4, 6),
        "botox",
        (
            site(1, OOC, "left", 5),
            site(2, "mentalis", "midline", 4),
            site(3, "depressor_anguli_oris", "left", 2),
            site(4, OOC, "left", 1.25, top_up=True),
        ),
    ),
    # Cycle 3: Dysport; nothing is compared with cycle 2's Botox units.
    CycleSites(3, date(2026, 7, 6), "dysport", (site(1, OOC, "left", 10),)),
    # Cycle 4: Dysport again, OOC left down to 7.5.
    CycleSites(4, date(2026, 10, 5), "dysport", (site(1, OOC, "left", 7.5),)),
]


def test_the_ledger_keeps_top_ups_apart_and_lists_only_changed_muscles():
    rows = ledger_doses(reversed(CYCLES))
    assert [row.cycle for row in rows] == [1, 2, 3, 4]
    first, second, third, fourth = rows
    assert (first.previous, first.changes, first.product_changed) == (None, (), False)
    # 5 + 4 + 2 = 11 at the full treatment; the 1.25 top-up is apart.
    assert (second.full_units, second.top_up_units) == (11, 1.25)
    assert [(c.muscle, c.side, c.before, c.after, c.delta) for c in second.changes] == [
        (OOC, "left", 2.5, 5, 2.5),
        ("depressor_anguli_oris", "left", 0, 2, 2),
    ]
    assert third.product_changed
    assert third.changes == ()
    assert [(c.before, c.after, c.delta) for c in fourth.changes] == [(10, 7.5, -2.5)]
    # 5 Jan to 6 Apr 2026 is 91 days; the latest cycle has no next one.
    assert first.days_to_next == 91
    assert fourth.days_to_next is None


def test_one_muscles_dose_is_compared_with_the_response_within_each_product():
    responses = {"saq": {1: -10.0, 2: -20.0, 3: -5.0, 4: -8.0}}
    wear_off = {1: 10.0, 2: 12.0, 4: 11.0}
    found = muscle_responses(
        CYCLES, OOC, "left", responses=responses, wear_off_weeks=wear_off
    )
    assert [(m.product_code, m.cycles) for m in found] == [
        ("botox", (1, 2)),
        ("dysport", (3, 4)),
    ]
    botox, dysport = found
    # The full treatment's dose: the review comes before the top-up.
    np.testing.assert_allclose(botox.units, [2.5, 5])
    np.testing.assert_allclose(botox.top_up_units, [0, 1.25])
    np.testing.assert_allclose(botox.wear_off_weeks, [10, 12])
    np.testing.assert_allclose(botox.responses["saq"].response, [-10, -20])
    assert botox.responses["saq"].pairs == 2
    assert botox.responses["saq"].slope is None  # two pairs: no line
    assert botox.dose_changed
    np.testing.assert_allclose(dysport.wear_off_weeks, [np.nan, 11])
    assert dysport.duration.pairs == 1
    assert not any(m.responses["saq"].mixed_products for m in found)
    assert SMALL_N > 2


def test_muscles_never_treated_on_that_side_have_no_comparison():
    assert (
        muscle_responses(CYCLES, "platysma", "left", responses={}, wear_off_weeks={})
        == []
    )
    assert treated_muscles(CYCLES) == [
        (OOC, "left"),
        ("mentalis", "midline"),
        ("depressor_anguli_oris", "left"),
    ]
