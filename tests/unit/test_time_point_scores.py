"""Every score of a cycle's time point, and the one the course uses (rW2 V2-2)."""

from datetime import date

from planner.comparison import ScorePoint
from planner.comparison import score_course
from planner.comparison import time_point_scores

DAY = date(2026, 3, 16)


def point(total, timepoint="review", **options):
    return ScorePoint(1, options.pop("on", DAY), "saq", total, timepoint, **options)


def test_every_score_is_listed_and_the_used_one_is_the_courses():
    points = [
        point(80.0, "baseline", on=date(2026, 3, 2)),
        point(40.0),
        point(100.0, self_entered=True),
        point(60.0, self_entered=True, from_diary=True),
        point(30.0, after_top_up=True),
    ]
    review = time_point_scores(points, "saq", 1, "review")
    assert [p.total for p in review.scores] == [40.0, 100.0, 60.0]
    assert review.used is not None
    assert review.used.total == 40.0
    course = score_course(points, "saq", cycles=[1])
    assert float(course.review.values[0]) == review.used.total
    before = time_point_scores(points, "saq", 1, "pre_treatment")
    assert [p.total for p in before.scores] == [80.0]
    assert time_point_scores(points, "saq", 2, "review").used is None


def test_without_a_clinician_score_the_latest_patient_score_is_used():
    points = [point(100.0, self_entered=True), point(60.0, self_entered=True)]
    assert time_point_scores(points, "saq", 1, "review").used.total == 60.0
