"""A product's own re-treatment close: the window arithmetic, without the database.

The clinic-wide close (``retreat_window_end_weeks``) stands for every product
whose own close (``retreat_window_end_weeks.<code>``) is unset; a product's own
close never comes before that product's window opens.
"""

from datetime import date
from datetime import timedelta

import pytest

from planner.scheduling import Rules
from planner.scheduling import product_close_key
from planner.scheduling import retreatment_opens_day
from planner.scheduling import retreatment_window
from planner.scheduling.settings_fit import follow_up_problem
from planner.scheduling.settings_fit import product_close_problem

TREATED = date(2026, 3, 2)
CLINIC = {
    "retreat_window_start_weeks": 12,
    "retreat_window_end_weeks": 16,
    product_close_key("dysport"): 20,
    product_close_key("botox"): None,
}


@pytest.mark.parametrize(
    ("product", "weeks"),
    [
        ("dysport", 20),  # its own close
        ("botox", 16),  # unset (None): the clinic-wide close
        ("xeomin", 16),  # no setting at all: the clinic-wide close
        (None, 16),  # no product named: the clinic-wide close
    ],
)
def test_a_products_own_close_replaces_the_clinic_wide_one_only_where_set(
    product, weeks
):
    assert Rules.from_settings(CLINIC, product).retreat_end_weeks == weeks


def test_a_product_close_stored_as_a_float_reads_as_weeks_and_a_fraction_is_refused():
    assert Rules.from_settings({product_close_key("dysport"): 20.0}, "dysport") == (
        Rules(retreat_end_weeks=20)
    )
    with pytest.raises(ValueError, match=r"retreat_window_end_weeks\.dysport"):
        Rules.from_settings({product_close_key("dysport"): 20.5}, "dysport")


@pytest.mark.parametrize(
    ("product", "interval", "opens", "closes"),
    [
        ("dysport", 84, 84, 140),  # its own 20 weeks
        ("botox", 84, 84, 112),  # the clinic's 16 weeks
        # Dysport's interval of 100 days opens later; its own close still stands.
        ("dysport", 100, 100, 140),
    ],
)
def test_the_window_closes_at_the_products_close(product, interval, opens, closes):
    rules = Rules.from_settings(CLINIC, product)
    window = retreatment_window(TREATED, rules, min_interval_days=interval)
    assert window.start == TREATED + timedelta(days=opens)
    assert window.end == TREATED + timedelta(days=closes)


@pytest.mark.parametrize(
    ("weeks", "opens_day", "problem"),
    [
        (12, 84, None),  # closing on the day it opens
        (15, 100, None),
        (
            14,
            100,
            "must not be before Dysport's re-treatment window opens "
            "(100 days after treatment)",
        ),
        (
            13,
            98,
            "must not be before Dysport's re-treatment window opens "
            "(14 weeks after treatment)",
        ),
    ],
)
def test_a_products_close_before_its_opening_is_refused(weeks, opens_day, problem):
    assert product_close_problem(weeks, opens_day=opens_day, brand="Dysport") == (
        problem
    )


def test_the_opening_may_not_pass_a_products_own_close():
    stored = {**CLINIC, "retreat_window_end_weeks": 24}
    label = {product_close_key("dysport"): "Dysport: re-treatment window closes"}
    problem = follow_up_problem(
        "retreat_window_start_weeks", 21, stored, lambda key: label.get(key, key)
    )
    assert problem == (
        "must not be after a product's window closes "
        "(Dysport: re-treatment window closes: 20 weeks)"
    )
    assert follow_up_problem("retreat_window_start_weeks", 16, stored, str) is None


def test_the_opening_day_is_unchanged_by_a_products_close():
    rules = Rules.from_settings(CLINIC, "dysport")
    assert retreatment_opens_day(rules, min_interval_days=84) == 84
