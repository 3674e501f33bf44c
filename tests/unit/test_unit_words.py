"""Messages that give a dose set no unit name inside brackets.

"(… 400 U (Speywood))" doubled the brackets after Dysport's unit name; each
message now sets its dose after a comma or a colon. Botox and Dysport.
"""

from dataclasses import replace

import pytest

from planner.comparison.diff import MuscleDoseChange
from planner.dosing import check_cumulative_cap
from planner.services.cycle_responses import _dose_change
from tests.unit.test_dosing import BOTOX
from tests.unit.test_dosing import DYSPORT
from tests.unit.test_dosing import TODAY
from tests.unit.test_dosing import make_past

PRODUCTS = {"botox": (BOTOX, "U"), "dysport": (DYSPORT, "U (Speywood)")}


@pytest.mark.parametrize("code", PRODUCTS)
def test_the_three_month_cap_message_sets_its_doses_outside_brackets(code):
    product, unit = PRODUCTS[code]
    capped = replace(product, cap_units_3_months=400)
    history = [make_past(60, product=code, units=390)]
    (warning,) = check_cumulative_cap(capped, 20, history, TODAY, 0.8)
    assert f"today 20 {unit}, earlier sessions including top-ups 390 {unit}, " in (
        warning.message
    )
    assert f"{unit})" not in warning.message


@pytest.mark.parametrize("code", PRODUCTS)
def test_a_stopped_muscle_says_what_it_was_without_brackets(code):
    _, unit = PRODUCTS[code]
    change = MuscleDoseChange("mentalis", "left", 10, 0, None, None)
    assert _dose_change(change, {"mentalis": "Mentalis"}, unit) == (
        f"Mentalis left: stopped, was 10 {unit}"
    )
