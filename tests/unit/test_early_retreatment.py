"""Issue 13 finding 9, pure: a re-treatment day before the product's minimum
interval (12 weeks for the labels' products), and the window that opens on it."""

from datetime import date
from datetime import timedelta

import pytest

from planner.scheduling import DEFAULT_RULES
from planner.scheduling import MIN_RETREAT_WEEKS
from planner.scheduling import Rules
from planner.scheduling import Window
from planner.scheduling import cycle_windows
from planner.scheduling import early_retreatment
from planner.scheduling import interval_span
from planner.scheduling import retreatment_floor
from planner.scheduling import retreatment_opens_day
from planner.scheduling import retreatment_window

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
    found = early_retreatment(TREATED, TREATED + timedelta(days=days_after), 84)
    assert (found is not None) is early
    if found is not None:
        assert found.floor == date(2026, 5, 25)
        assert found.days_after == days_after


def test_no_full_treatment_means_nothing_to_be_early_after():
    assert early_retreatment(None, TREATED, 84) is None


def test_a_day_before_the_treatment_is_not_judged_against_it():
    assert early_retreatment(TREATED, TREATED - timedelta(days=1), 84) is None


def test_the_description_gives_weeks_days_and_the_floor():
    found = early_retreatment(TREATED, TREATED + timedelta(days=59), 84)
    assert found is not None
    assert found.describe() == (
        "8 weeks 3 days after the last full treatment on 2 Mar 2026; re-treatment "
        f"is due no sooner than 25 May 2026 ({MIN_RETREAT_WEEKS} weeks)"
    )
    one = early_retreatment(TREATED, TREATED + timedelta(days=8), 84)
    assert one is not None
    assert one.describe().startswith("1 week 1 day after")


# The product's own interval (Dysport's is the clinic's setting), in days.


@pytest.mark.parametrize(
    ("interval", "floor", "said"),
    [
        (84, date(2026, 5, 25), "12 weeks"),  # Botox's label
        (100, date(2026, 6, 10), "100 days"),  # a clinic's longer Dysport interval
        (70, date(2026, 5, 11), "10 weeks"),  # a clinic's shorter one
        (1, date(2026, 3, 3), "1 day"),
    ],
)
def test_the_floor_is_the_products_interval_after_the_last_full_treatment(
    interval, floor, said
):
    assert retreatment_floor(TREATED, interval) == floor
    assert early_retreatment(TREATED, floor, interval) is None
    found = early_retreatment(TREATED, floor - timedelta(days=1), interval)
    assert found is not None
    assert found.floor == floor
    assert found.interval == said
    assert found.describe().endswith(
        f"no sooner than {floor.day} {floor:%b %Y} ({said})"
    )


@pytest.mark.parametrize(
    ("interval", "start", "end"),
    [
        # At or under the clinic's 12-week opening, the clinic's window stands.
        (28, date(2026, 5, 25), date(2026, 6, 22)),
        (84, date(2026, 5, 25), date(2026, 6, 22)),
        # Longer: it opens on the interval, and closes at the clinic's close...
        (100, date(2026, 6, 10), date(2026, 6, 22)),
        # ...or on its opening day when the interval passes the close.
        (112, date(2026, 6, 22), date(2026, 6, 22)),
        (140, date(2026, 7, 20), date(2026, 7, 20)),
    ],
)
def test_the_window_opens_no_sooner_than_the_products_interval(interval, start, end):
    window = retreatment_window(TREATED, min_interval_days=interval)
    assert window == Window(start, start, end)
    # No day of the window is early for the chair's or the booking's check.
    assert early_retreatment(TREATED, window.start, interval) is None
    # The day a top-up's cycle ends is the day the window opens.
    opens = retreatment_opens_day(DEFAULT_RULES, min_interval_days=interval)
    assert TREATED + timedelta(days=opens) == window.start


def test_the_window_keeps_the_clinics_later_opening_and_close():
    rules = Rules(retreat_start_weeks=15, retreat_end_weeks=20)
    window = retreatment_window(TREATED, rules, min_interval_days=100)
    assert window == Window(date(2026, 6, 15), date(2026, 6, 15), date(2026, 7, 20))
    assert retreatment_opens_day(rules, min_interval_days=100) == 105
    cycle = cycle_windows(TREATED, (), rules, min_interval_days=100)
    assert cycle.retreatment == window


@pytest.mark.parametrize(
    ("days", "said"), [(7, "1 week"), (84, "12 weeks"), (90, "90 days")]
)
def test_an_interval_is_said_in_whole_weeks_else_days(days, said):
    assert interval_span(days) == said
