"""Toxin given elsewhere counts towards the re-treatment interval (§2.2, §2.4).

A dose another clinic gave is exposure like this clinic's own: a full treatment
sooner than the charted product's interval after it is warned about, with the
place and the product named. Only days are compared, never units, so the dose
given elsewhere may be any product. It never opens a cycle here.
"""

from datetime import date
from datetime import timedelta

import pytest

from planner.dosing import check_interval
from planner.dosing import last_cycle_sessions
from planner.dosing import product_from_reference
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

TODAY = date(2026, 11, 20)
PLACE = "Another hospital, Synkinesis"


def given_elsewhere(days_ago: int, product: str = "xeomin"):
    return past_session(
        TODAY - timedelta(days=days_ago), "outside", product, 20.0, where=PLACE
    )


def full_here(days_ago: int, product: str = "botox"):
    return past_session(TODAY - timedelta(days=days_ago), "full", product, 20.0)


@pytest.mark.parametrize(
    ("charted", "elsewhere"),
    [("botox", "botox"), ("dysport", "dysport"), ("xeomin", "dysport")],
)
def test_a_full_treatment_soon_after_toxin_given_elsewhere_is_warned(
    charted: str, elsewhere: str
) -> None:
    product = product_from_reference(product_reference(charted))
    (warning,) = check_interval(
        "full", product, [given_elsewhere(21, elsewhere)], TODAY
    )
    assert warning.code == "interval_short"
    assert warning.severity == "warning"
    brand = product_reference(elsewhere).brand
    assert warning.message.startswith(
        f"21 days since toxin given elsewhere on 30 Oct 2026 ({brand}, {PLACE});"
    )
    assert warning.source == product.interval_source


def test_the_latest_of_a_full_treatment_here_and_a_dose_elsewhere_counts() -> None:
    botox = product_from_reference(product_reference("botox"))
    history = [full_here(150), given_elsewhere(30)]
    (warning,) = check_interval("full", botox, history, TODAY)
    assert "30 days since toxin given elsewhere" in warning.message
    history = [given_elsewhere(150), full_here(30)]
    (warning,) = check_interval("full", botox, history, TODAY)
    assert "30 days since the last full treatment" in warning.message


def test_a_dose_elsewhere_long_enough_ago_or_not_yet_given_is_quiet() -> None:
    botox = product_from_reference(product_reference("botox"))
    assert check_interval("full", botox, [given_elsewhere(84)], TODAY) == []
    assert check_interval("full", botox, [given_elsewhere(-2)], TODAY) == []
    assert check_interval("top_up", botox, [given_elsewhere(10)], TODAY) == []


def test_a_dose_elsewhere_opens_no_cycle_here() -> None:
    assert last_cycle_sessions([given_elsewhere(10)], TODAY) == ()
