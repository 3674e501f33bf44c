"""A top-up refused outside its cycle says why the cycle's window opened that day.

The window opens at the later of the clinic's opening day (12 weeks as shipped)
and the minimum interval of the cycle's full treatment's product
(``scheduling.retreatment_opens_day``). The refusal names that interval in the
chair's ``interval_short`` words (``interval_rule``): the label's for Botox, the
clinic's setting for Dysport; where the clinic's opening is later, it says so.
"""

from dataclasses import replace
from datetime import date
from datetime import timedelta

import pytest

from planner.dosing import product_from_reference
from planner.dosing.cycle_checks import check_top_up
from planner.dosing.cycle_checks import top_up_problem
from planner.dosing.records import CLINIC_SETTING
from planner.dosing.records import CycleTimes
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

START = date(2026, 3, 2)
BOTOX = product_from_reference(product_reference("botox"))
DYSPORT = product_from_reference(product_reference("dysport"))


def dysport_at(days):
    return replace(
        DYSPORT, min_interval_days=days, interval_source=f"{CLINIC_SETTING} (edited)"
    )


BOTOX_RULE = "Botox should be given at least 84 days (12 weeks) apart"
DYSPORT_100 = (
    "the clinic's setting is at least 100 days (14.29 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)"
)
DYSPORT_70 = (
    "the clinic's setting is at least 70 days (10 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)"
)
INTERVAL = "It opens at the minimum interval of the cycle's full treatment: "
CLINIC = (
    "It opens at 12 weeks (the clinic's setting), later than the minimum "
    "interval of the cycle's full treatment: "
)


@pytest.mark.parametrize(
    ("product", "opens", "why"),
    [
        (BOTOX, 84, INTERVAL + BOTOX_RULE + "."),
        (dysport_at(100), 100, INTERVAL + DYSPORT_100 + "."),
        (dysport_at(70), 84, CLINIC + DYSPORT_70 + "."),
    ],
    ids=["botox", "dysport-100", "dysport-70"],
)
def test_the_refusal_says_why_the_window_opened_that_day(product, opens, why):
    times = CycleTimes(window_opens_day=opens, full_product=product)
    today = START + timedelta(days=opens)
    problem = top_up_problem(START, today, times)
    assert problem is not None
    assert f"its re-treatment window opened on day {opens}" in problem
    assert problem.endswith(why)
    history = [past_session(START, "full", product.code, 20.0)]
    (warning,) = check_top_up("top_up", history, today, times)
    assert warning.code == "top_up_outside_cycle"
    assert warning.message == problem
    assert top_up_problem(START, today - timedelta(days=1), times) is None


def test_a_window_cannot_open_before_the_products_interval():
    with pytest.raises(ValueError, match="min_interval_days"):
        CycleTimes(window_opens_day=84, full_product=dysport_at(100))


@pytest.mark.parametrize(
    ("product", "opens", "named"),
    [
        (BOTOX, 84, "Botox's minimum interval: [S20] Botox label"),
        (
            dysport_at(100),
            100,
            f"Dysport's minimum interval: {CLINIC_SETTING} (edited)",
        ),
        (dysport_at(70), 84, f"Dysport's minimum interval: {CLINIC_SETTING} (edited)"),
    ],
    ids=["botox", "dysport-100", "dysport-70"],
)
def test_the_warnings_source_names_the_full_treatments_interval_source(
    product, opens, named
):
    """As ``top_up_booster`` does: the label's tag, or the clinic's setting."""
    times = CycleTimes(window_opens_day=opens, full_product=product)
    today = START + timedelta(days=opens)
    history = [past_session(START, "full", product.code, 20.0)]
    (warning,) = check_top_up("top_up", history, today, times)
    assert warning.source.startswith("Re-treatment window: Clinic setting")
    assert named in warning.source
    assert warning.source.endswith(product.interval_source)


def test_a_top_up_with_no_cycle_names_no_interval():
    times = CycleTimes(full_product=BOTOX)
    (warning,) = check_top_up("top_up", [], START, times)
    assert "There is no full treatment to top up" in warning.message
    assert "minimum interval:" not in warning.source
