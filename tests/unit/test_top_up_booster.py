"""Review hR finding 3: a top-up after the review window is a booster injection.

Pure rules: a top-up charted after the review window closed and sooner than the
product's minimum interval after the last full treatment warns as
``interval_short`` warns a full treatment. Every product: their intervals are
each its own figure (84 days for all of them today).
"""

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.dosing import ClinicRules
from planner.dosing import Contraindications
from planner.dosing import CycleTimes
from planner.dosing import PlannedSession
from planner.dosing import PlannedSite
from planner.dosing import check_booster
from planner.dosing import check_top_up
from planner.dosing import product_from_reference
from planner.dosing import run_all_checks
from planner.dosing import shipped_doses
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

PRODUCTS = ["botox", "dysport", "xeomin", "daxxify"]
# The shipped settings: review on day 14 ± 3, re-treatment window from 12 weeks.
TIMES = CycleTimes(review_day=14, review_until_day=17, window_opens_day=84)
START = date(2026, 3, 2)


def product(code):
    return product_from_reference(product_reference(code))


def booster(code, day, times=TIMES, kind="top_up"):
    history = [past_session(START, "full", code, 10.0)]
    return check_booster(
        kind, product(code), history, START + timedelta(days=day), times
    )


@pytest.mark.parametrize("code", PRODUCTS)
@pytest.mark.parametrize(
    ("day", "fires"),
    [(14, False), (17, False), (18, True), (42, True), (70, True), (83, True)],
)
def test_a_top_up_after_the_review_window_is_a_booster(code, day, fires):
    found = booster(code, day)
    assert [w.code for w in found] == (["top_up_booster"] if fires else [])
    if fires:
        (warning,) = found
        assert warning.severity == "warning"
        assert warning.needs_reason
        assert warning.message.startswith(
            f"Top-up on day {day} of the cycle that began on 2 Mar 2026, after its "
            "review window closed on day 17: it is in effect a booster injection "
            f"{day} days after the last full treatment"
        )
        assert "at least 84 days (12 weeks)" in warning.message
        assert product(code).brand in warning.message
        assert product(code).interval_source in warning.source
        assert "[S32] [S33]" in warning.source
        assert "review window: Clinic setting" in warning.source


@pytest.mark.parametrize("code", PRODUCTS)
def test_once_the_window_opens_the_top_up_is_the_cycle_checks(code):
    assert booster(code, 84) == []
    history = [past_session(START, "full", code, 10.0)]
    (outside,) = check_top_up("top_up", history, START + timedelta(days=84), TIMES)
    assert outside.code == "top_up_outside_cycle"


def test_only_a_top_up_with_a_cycle_is_a_booster():
    assert booster("botox", 42, kind="full") == []
    assert check_booster("top_up", product("botox"), [], START, TIMES) == []


def test_the_review_window_is_the_clinics():
    wide = CycleTimes(review_day=14, review_until_day=21, window_opens_day=84)
    assert booster("dysport", 21, wide) == []
    (warning,) = booster("dysport", 22, wide)
    assert "review window closed on day 21" in warning.message
    none = CycleTimes(review_day=14, review_until_day=14, window_opens_day=84)
    assert [w.code for w in booster("botox", 15, none)] == ["top_up_booster"]
    with pytest.raises(ValueError, match="review_until_day"):
        CycleTimes(review_day=14, review_until_day=13, window_opens_day=84)
    with pytest.raises(ValueError, match="review_until_day"):
        CycleTimes(review_day=14, review_until_day=84, window_opens_day=84)


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_the_booster_and_interval_short_are_the_same_kind_of_warning(code):
    """The same injections on day 42: as a full treatment, as a top-up."""
    now = datetime(2026, 4, 13, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    history = [past_session(START, "full", code, 10.0)]

    def run(kind):
        plan = PlannedSession(
            kind, product(code), (PlannedSite(1, "mentalis", "left", "affected", 2),)
        )
        return {
            w.code: w
            for w in run_all_checks(
                plan,
                history=history,
                contraindications=Contraindications(),
                rules=ClinicRules(doses=shipped_doses(code), cycle_times=TIMES),
                now=now,
            )
        }

    full, top_up = run("full"), run("top_up")
    short, boost = full["interval_short"], top_up["top_up_booster"]
    assert "interval_short" not in top_up
    assert "top_up_booster" not in full
    assert (short.severity, short.needs_reason, short.hard_stop) == (
        boost.severity,
        boost.needs_reason,
        boost.hard_stop,
    )
    assert short.message.startswith("42 days since the last full treatment")
    assert "42 days after the last full treatment" in boost.message
    # The same interval, in the same words (Dysport's is the clinic's setting).
    rule = short.message.split("; ", 1)[1]
    assert "at least 84 days (12 weeks)" in rule
    assert boost.message.endswith(f", and {rule}")
