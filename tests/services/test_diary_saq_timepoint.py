"""A diary SAQ's time point follows from the clinic day; the clinic's score stands.

Review at 2 weeks (clinical reference §3; SAQ "repeated 2 weeks after BoNT"
[S39]) by the clinic's review window (14 ± 3 days by default), never before
the toxin acts (2-3 days [S20] [S36] [S37]). Outside the window the patient
says whether the effect has worn off (the wear-off score) or not ("other").
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from planner import comparison
from planner.errors import InvalidInput
from planner.models import Assessment
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.cycle_records import read_cycles
from planner.services.cycle_responses import comparison_courses
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
LOW = {f"q{i}": "2" for i in range(1, 10)}  # SAQ 40
HIGH = {f"q{i}": "4" for i in range(1, 10)}  # SAQ 80
PRODUCTS = ["botox", "dysport"]
CLIENT = "203.0.113.7"
DEFAULT = comparison.FollowUpDays(review_first=11, review_last=17, retreat_first=84)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (0, ()),
        (2, ()),
        (3, ("wear_off", "other")),
        (10, ("wear_off", "other")),
        (11, ("review",)),
        (17, ("review",)),
        (18, ("wear_off", "other")),
        (90, ("wear_off", "other")),
    ],
)
def test_self_report_timepoints_by_day(since, expected):
    assert comparison.self_report_timepoints(since, DEFAULT) == expected


def test_a_score_before_the_toxin_acts_is_never_a_review():
    # A clinic whose review window starts on day 1: days 1-2 are still not review.
    early = comparison.FollowUpDays(review_first=1, review_last=5, retreat_first=84)
    treated = date(2026, 3, 2)
    for since, expected in ((1, "other"), (2, "other"), (3, "review")):
        day = treated + timedelta(days=since)
        assert comparison.default_timepoint(day, [treated], early) == expected
    assert comparison.self_report_timepoints(2, early) == ()
    assert comparison.self_report_timepoints(3, early) == ("review",)


def test_the_clinicians_score_is_preferred_over_a_later_patients():
    points = [
        comparison.ScorePoint(1, date(2026, 3, 16), "saq", 40.0, "review"),
        comparison.ScorePoint(1, date(2026, 3, 17), "saq", 80.0, "review", True),
    ]
    trend = comparison.score_trend(points, "saq", timepoint="review")
    assert trend.values.tolist() == [40.0]
    alone = comparison.score_trend(points[1:], "saq", timepoint="review")
    assert alone.values.tolist() == [80.0]


def _cycle(session, injector, make_patient, product, *, review=True, when=NOW):
    patient = make_patient()
    outcomes.record_assessment(
        session,
        injector,
        patient.id,
        "saq",
        HIGH,
        timepoint="pre_treatment",
        zone=ZONE,
        now=when - timedelta(hours=1),
    )
    record = sign_chin(
        session, injector, patient.id, when=when, lot_number="L1", product=product
    )
    if review:
        outcomes.record_assessment(
            session,
            injector,
            patient.id,
            "saq",
            LOW,
            timepoint="review",
            zone=ZONE,
            now=when + timedelta(days=14),
        )
    return patient, record


def _send(session, record, at, when, answers=HIGH, *, printed_at=NOW):
    printed = printable_link(
        session, record.id, key=DIARY_KEY, now=printed_at, zone=ZONE
    )
    diary = open_diary(session, printed.printed.token, client=CLIENT, now=at, zone=ZONE)
    assert diary is not None
    return entries.record_saq(
        session, diary, {**answers, "when": when}, client=CLIENT, now=at
    )


def _course(session, patient):
    (course,) = comparison_courses(read_cycles(session, patient.id, ZONE))
    return course


@pytest.mark.parametrize("product", PRODUCTS)
def test_two_weeks_on_day_30_is_refused_and_the_review_stands(
    session, injector, make_patient, product
):
    patient, record = _cycle(session, injector, make_patient, product)
    at = NOW + timedelta(days=30)
    with pytest.raises(InvalidInput) as info:
        _send(session, record, at, "two_weeks")
    assert info.value.fields["when"] == (
        "Today is not about 2 weeks after your injections (that is 13 Mar 2026 "
        "to 19 Mar 2026). Please say whether the effect has worn off."
    )
    session.rollback()
    entry = _send(session, record, at, "wear_off")
    assessment = session.get(Assessment, entry.assessment_id)
    assert (assessment.timepoint, assessment.self_entered) == ("wear_off", True)
    course = _course(session, patient)
    assert course.review.values.tolist() == [40.0]
    assert course.response.tolist() == [-40.0]
    assert course.wear_off.values.tolist() == [80.0]
    other = _send(session, record, at, "still_working")
    assert session.get(Assessment, other.assessment_id).timepoint == "other"
    assert _course(session, patient).response.tolist() == [-40.0]


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("when", ["two_weeks", "wear_off", "still_working"])
def test_nothing_is_filed_before_the_toxin_acts(
    session, injector, make_patient, product, when
):
    patient, record = _cycle(session, injector, make_patient, product, review=False)
    with pytest.raises(InvalidInput) as info:
        _send(session, record, NOW + timedelta(days=1), when)
    assert info.value.fields["when"].startswith("It is too early for these questions.")
    assert "from 13 Mar 2026 to 19 Mar 2026" in info.value.fields["when"]
    session.rollback()
    course = _course(session, patient)
    assert course.review.values.tolist() == [pytest.approx(float("nan"), nan_ok=True)]


@pytest.mark.parametrize("product", PRODUCTS)
def test_in_the_window_the_day_decides(session, injector, make_patient, product):
    patient, record = _cycle(session, injector, make_patient, product, review=False)
    # A page opened on day 10 offered "worn off"; sent on day 12, it is the review.
    entry = _send(session, record, NOW + timedelta(days=12), "wear_off")
    assert entry.answers["when"] == "two_weeks"
    assessment = session.get(Assessment, entry.assessment_id)
    assert assessment.timepoint == "review"
    # With no clinic review, the patient's is the cycle's review.
    assert _course(session, patient).response.tolist() == [0.0]


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_patients_review_never_replaces_the_clinics(
    session, injector, make_patient, product
):
    patient, record = _cycle(session, injector, make_patient, product)
    # Day 16, later than the clinic's day-14 review, in the window.
    _send(session, record, NOW + timedelta(days=16), "two_weeks")
    course = _course(session, patient)
    assert course.review.values.tolist() == [40.0]
    assert course.response.tolist() == [-40.0]


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_window_is_counted_in_clinic_days(session, injector, make_patient, product):
    # Treated 2 Jun (BST); day 11 is 13 Jun, which starts at 23:00 UTC on 12 Jun.
    treated = datetime(2026, 6, 2, 10, tzinfo=UTC)
    patient, record = _cycle(
        session, injector, make_patient, product, review=False, when=treated
    )
    before = datetime(2026, 6, 12, 22, 30, tzinfo=UTC)  # 23:30 on 12 Jun: day 10
    with pytest.raises(InvalidInput):
        _send(session, record, before, "two_weeks", printed_at=treated)
    session.rollback()
    after = datetime(2026, 6, 12, 23, 30, tzinfo=UTC)  # 00:30 on 13 Jun: day 11
    entry = _send(session, record, after, "two_weeks", printed_at=treated)
    assert session.get(Assessment, entry.assessment_id).timepoint == "review"
    assert _course(session, patient).review.values.tolist() == [80.0]
