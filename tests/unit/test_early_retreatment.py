"""Issue 13 finding 9, pure: a re-treatment day before the 12-week floor."""

from datetime import date
from datetime import timedelta

import pytest

from planner.scheduling import MIN_RETREAT_WEEKS
from planner.scheduling import early_retreatment

TREATED = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("days_after", "early"),
    [
        (0, True),
        (56, True),  # 8 weeks: the booking the audit found
        (83, True),  # the last early day
        (84, False),  # 12 weeks exactly: the floor itself
        (120, False),
    ],
)
def test_the_floor_is_twelve_weeks_after_the_last_full_treatment(days_after, early):
    found = early_retreatment(TREATED, TREATED + timedelta(days=days_after))
    assert (found is not None) is early
    if found is not None:
        assert found.floor == date(2026, 5, 25)
        assert found.days_after == days_after


def test_no_full_treatment_means_nothing_to_be_early_after():
    assert early_retreatment(None, TREATED) is None


def test_a_day_before_the_treatment_is_not_judged_against_it():
    assert early_retreatment(TREATED, TREATED - timedelta(days=1)) is None


def test_the_description_gives_weeks_days_and_the_floor():
    found = early_retreatment(TREATED, TREATED + timedelta(days=59))
    assert found is not None
    assert found.describe() == (
        "8 weeks 3 days after the last full treatment on 2 Mar 2026; re-treatment "
        f"is due no sooner than 25 May 2026 ({MIN_RETREAT_WEEKS} weeks)"
    )
    one = early_retreatment(TREATED, TREATED + timedelta(days=8))
    assert one is not None
    assert one.describe().startswith("1 week 1 day after")
