"""A top-up in another product than its cycle's full treatment is held,
as a booster, to the longer of the two products' minimum intervals.

Pure rules. Only days are compared, never the two products' units; the warning
names the product whose interval held it, in its message and in its source.
Dysport's interval is the clinic's setting (UNSOURCED), here moved to 100 or 70
days; Botox's and Xeomin's are their labels' 84 days.
"""

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest

from planner.dosing import CycleTimes
from planner.dosing import check_booster
from planner.dosing import product_from_reference
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

START = date(2026, 3, 2)
SETTING = "Clinic setting (edited on 1 Mar 2026 by Ada Admin)"


def product(code, days=None):
    shipped = product_from_reference(product_reference(code))
    if days is None:
        return shipped
    return replace(shipped, min_interval_days=days, interval_source=SETTING)


def times_for(full):
    # The window opens at the clinic's 12 weeks, or the full product's interval.
    return CycleTimes(
        review_day=14,
        review_until_day=17,
        window_opens_day=max(84, full.min_interval_days),
        full_product=full,
    )


def booster(full, top_up, day):
    history = [past_session(START, "full", full.code, 10.0)]
    return check_booster(
        "top_up", top_up, history, START + timedelta(days=day), times_for(full)
    )


# (full treatment, top-up, day, the product whose interval holds the top-up)
LONGER_IS_THE_FULL_TREATMENTS = [
    (product("dysport", 100), product("botox"), 90),
    (product("dysport", 100), product("xeomin"), 85),
    (product("botox"), product("dysport", 70), 75),
    (product("xeomin"), product("dysport", 70), 80),
]


@pytest.mark.parametrize(("full", "top_up", "day"), LONGER_IS_THE_FULL_TREATMENTS)
def test_the_full_treatments_longer_interval_holds_another_products_top_up(
    full, top_up, day
):
    (warning,) = booster(full, top_up, day)
    assert warning.code == "top_up_booster"
    assert warning.needs_reason
    days = full.min_interval_days
    assert f"at least {days} days" in warning.message
    assert warning.message.endswith(
        f"The cycle's full treatment was {full.brand}, whose minimum interval "
        f"({days} days) is longer than the top-up's {top_up.brand} "
        f"({top_up.min_interval_days} days): in a cycle of two products the "
        "longer interval holds."
    )
    assert (
        f"{full.brand}'s minimum interval (the longer of the two products' "
        f"intervals in the cycle: the full treatment's): {full.interval_source}"
    ) in warning.source
    # Days only: neither product's units are named, let alone added.
    assert " U" not in warning.message


@pytest.mark.parametrize(("full", "top_up", "day"), LONGER_IS_THE_FULL_TREATMENTS)
def test_from_the_longer_interval_on_the_mixed_top_up_is_no_booster(full, top_up, day):
    assert booster(full, top_up, day) != []
    assert booster(full, top_up, full.min_interval_days - 1) != []
    if full.min_interval_days < times_for(full).window_opens_day:
        assert booster(full, top_up, full.min_interval_days) == []


@pytest.mark.parametrize(
    ("full", "top_up", "day"),
    [
        (product("botox"), product("dysport", 100), 80),
        (product("xeomin"), product("dysport", 100), 83),
        (product("dysport", 70), product("botox"), 80),
    ],
)
def test_the_top_ups_own_longer_interval_holds_it_in_its_own_words(full, top_up, day):
    (warning,) = booster(full, top_up, day)
    days = top_up.min_interval_days
    assert f"at least {days} days" in warning.message
    assert top_up.brand in warning.message
    assert "longer interval holds" not in warning.message
    assert f"{top_up.brand}'s minimum interval: {top_up.interval_source}" in (
        warning.source
    )


@pytest.mark.parametrize("code", ["botox", "dysport", "xeomin"])
def test_a_cycle_of_one_product_keeps_its_own_interval(code):
    from planner.dosing.cycle_checks import booster_interval

    own = product(code)
    assert booster_interval(own, times_for(own)) is own
    (warning,) = booster(own, own, 42)
    assert "longer interval holds" not in warning.message


def test_a_tie_or_an_unknown_full_treatment_is_the_top_ups_own():
    from planner.dosing.cycle_checks import booster_interval

    botox, xeomin = product("botox"), product("xeomin")
    assert booster_interval(xeomin, times_for(botox)) is xeomin
    unknown = CycleTimes(review_day=14, review_until_day=17, window_opens_day=84)
    assert booster_interval(botox, unknown) is botox
