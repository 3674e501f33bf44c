"""Issue 13's audit findings, one test per finding, each at its boundary.

Findings 1 and 2 (every product checked; totals per muscle, side and session) are in
tests/unit/test_dose_limits.py; the paths through the services are in
tests/services/test_safety_paths.py.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.dosing import check_lot
from planner.dosing import product_from_reference
from planner.dosing.cycle_checks import check_exposure
from planner.dosing.cycle_checks import check_top_up
from planner.dosing.cycle_checks import top_up_problem
from planner.dosing.dilution import check_dilution
from planner.dosing.dilution import check_lot_dilution
from planner.dosing.dilution import diluent_problem
from planner.dosing.dilution import label_dilutions
from planner.dosing.records import CycleTimes
from planner.dosing.records import LotInfo
from planner.reference import product_reference
from tests.unit.past_sessions import past_session

BOTOX = product_from_reference(product_reference("botox"))
DYSPORT = product_from_reference(product_reference("dysport"))
XEOMIN = product_from_reference(product_reference("xeomin"))
LONDON = ZoneInfo("Europe/London")
# Day 14 is the review (the shipped review day); the re-treatment window opens at
# 12 weeks.
TIMES = CycleTimes(review_day=14, window_opens_day=84)


def full(on, product="botox", units=20.0):
    return past_session(on, "full", product, units)


# Finding 5: top-ups bypassed the interval.


@pytest.mark.parametrize(
    ("day", "code"),
    [(2, "top_up_early"), (13, "top_up_early"), (14, None), (83, None)],
)
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_top_up_before_the_review_is_a_warning(day, code, product):
    start = date(2026, 3, 2)
    history = [full(start, product)]
    warnings = check_top_up("top_up", history, start + timedelta(days=day), TIMES)
    assert [w.code for w in warnings] == ([code] if code else [])
    if code:
        assert warnings[0].severity == "warning"
        assert f"day {day} of the cycle" in warnings[0].message


@pytest.mark.parametrize("day", [84, 70 + 30])
def test_a_top_up_cannot_join_a_cycle_whose_window_has_opened(day):
    start = date(2026, 3, 2)
    today = start + timedelta(days=day)
    problem = top_up_problem(start, today, TIMES)
    assert problem is not None
    assert "new full treatment" in problem
    (warning,) = check_top_up("top_up", [full(start)], today, TIMES)
    assert warning.code == "top_up_outside_cycle"
    assert top_up_problem(start, start + timedelta(days=83), TIMES) is None


def test_a_top_up_needs_a_cycle_and_a_full_treatment_is_not_a_top_up():
    assert top_up_problem(None, date(2026, 3, 2), TIMES) is not None
    assert check_top_up("full", [], date(2026, 3, 2), TIMES) == []
    with pytest.raises(ValueError, match="review_day"):
        CycleTimes(review_day=90, window_opens_day=84)


# Finding 6: dates. A vial across the October clock change.


@pytest.mark.parametrize(
    ("product", "stale"),
    [
        (BOTOX, True),
        (DYSPORT, True),
        (product_from_reference(product_reference("daxxify")), False),
    ],
)
def test_a_vial_reconstituted_across_the_clock_change_is_timed_in_real_hours(
    product, stale
):
    # London's clocks go back at 02:00 on 25 October 2026: 09:00 BST on the 24th to
    # 08:30 GMT on the 25th is 24.5 hours, though the wall clock moved 23.5.
    made = datetime(2026, 10, 24, 9, 0, tzinfo=LONDON)
    now = datetime(2026, 10, 25, 8, 30, tzinfo=LONDON)
    lot = LotInfo("A1", date(2027, 1, 1), made)
    codes = [w.code for w in check_lot(lot, product, now)]
    assert codes == (["reconstitution_expired"] if stale else [])
    if stale:
        assert "24.5 h ago" in check_lot(lot, product, now)[0].message


def test_a_vial_made_after_now_across_the_clock_change_is_in_the_future():
    # 01:30 GMT comes after 01:45 BST (00:45 UTC) though it reads earlier.
    made = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    now = datetime(2026, 10, 25, 1, 45, tzinfo=LONDON, fold=0)
    codes = [
        w.code for w in check_lot(LotInfo("A1", date(2027, 1, 1), made), BOTOX, now)
    ]
    assert codes == ["reconstitution_in_future"]


# Finding 8: cumulative exposure was per product only.


def test_exposure_lists_every_product_without_adding_them_up():
    today = date(2026, 12, 5)
    history = [
        past_session(date(2026, 11, 10), "full", "dysport", 300),
        past_session(date(2026, 11, 20), "outside", "xeomin", 200, where="neurology"),
    ]
    (warning,) = check_exposure(BOTOX, 390, history, today)
    assert warning.severity == "caution"
    message = warning.message
    assert "Botox 390 U today" in message
    assert "Dysport 300 U (Speywood) on 10 Nov 2026" in message
    assert "Xeomin 200 U on 20 Nov 2026, given elsewhere (neurology)" in message
    assert "890" not in message
    assert "590" not in message
    assert "not added together" in message


def test_exposure_is_quiet_for_the_clinics_own_cycles_of_the_same_product():
    today = date(2026, 12, 5)
    assert (
        check_exposure(DYSPORT, 50, [full(date(2026, 9, 10), "dysport")], today) == []
    )
    # Older than the rolling 3 months: out of the window.
    old = past_session(date(2026, 9, 4), "outside", "xeomin", 100, where="cosmetic")
    assert check_exposure(DYSPORT, 50, [old], today) == []
    edge = past_session(date(2026, 9, 5), "outside", "xeomin", 100, where="cosmetic")
    assert check_exposure(DYSPORT, 50, [edge], today)


def test_outside_toxin_counts_towards_the_products_cap_but_opens_no_cycle():
    from planner.dosing import check_cumulative_cap
    from planner.dosing import last_full_session

    outside = past_session(date(2026, 11, 20), "outside", "botox", 300, where="neuro")
    warnings = check_cumulative_cap(BOTOX, 150, [outside], date(2026, 12, 5), 0.8)
    assert [w.code for w in warnings] == ["cap_exceeded"]
    assert last_full_session([outside], date(2026, 12, 5)) is None


# Finding 10: dilution was never questioned.


@pytest.mark.parametrize(
    ("code", "vial", "diluent", "on_label", "shown"),
    [
        ("botox", 100, 2.5, True, "4 U per 0.1 mL"),
        ("botox", 100, 3.0, False, "3.33 U per 0.1 mL"),
        ("dysport", 300, 2.5, True, "12 U (Speywood) per 0.1 mL"),
        ("dysport", 300, 2.0, False, "15 U (Speywood) per 0.1 mL"),
        ("xeomin", 100, 2.5, True, "4 U per 0.1 mL"),
    ],
)
def test_a_dilution_off_the_label_table_is_a_warning(
    code, vial, diluent, on_label, shown
):
    product = product_reference(code)
    check = check_dilution(
        product.brand,
        label_dilutions(product),
        vial,
        diluent,
        unit_name=product.unit_name,
    )
    assert check.on_label is on_label
    assert check.shown == shown
    assert [w.code for w in check.warnings] == (
        [] if on_label else ["dilution_off_label"]
    )


@pytest.mark.parametrize("diluent", [0.001, 0.1, 25, float("nan"), float("inf")])
def test_an_impossible_diluent_volume_is_refused(diluent):
    assert diluent_problem(diluent) is not None
    botox = product_reference("botox")
    with pytest.raises(ValueError, match="misplaced decimal point"):
        check_dilution(botox.brand, label_dilutions(botox), 100, diluent, unit_name="U")


@pytest.mark.parametrize(
    ("product", "vial", "diluent", "code"),
    [
        (BOTOX, 100, 2.5, None),
        (BOTOX, 100, 3.0, "dilution_off_label"),
        (BOTOX, 100, 0.001, "dilution_off_label"),
        (DYSPORT, 300, 1.5, None),
        (DYSPORT, 300, 2.0, "dilution_off_label"),
    ],
)
def test_a_vial_off_the_label_table_is_a_warning_at_the_chair(
    product, vial, diluent, code
):
    lot = LotInfo("L7", date(2027, 1, 1), None, vial, diluent)
    warnings = check_lot_dilution(lot, product)
    assert [w.code for w in warnings] == ([code] if code else [])
    if code:
        (warning,) = warnings
        assert (warning.severity, warning.needs_reason) == ("warning", True)
        assert warning.message.startswith("Vial lot L7: ")
        assert "[S2" in warning.source


def test_a_lot_without_its_dilution_raises_nothing_at_the_chair():
    assert check_lot_dilution(LotInfo("L7", date(2027, 1, 1)), BOTOX) == []
    assert check_lot_dilution(None, DYSPORT) == []


# Finding 11: volumes printed to 0.01 mL were a third too small or twice too large.


@pytest.mark.parametrize(
    ("units", "shown"),
    [
        (1.5, "0.015 mL · 1.5 marks (0.3 mL syringe)"),
        (0.5, "0.005 mL · 0.5 marks (0.3 mL syringe)"),
    ],
)
def test_small_doses_keep_their_volume_to_the_microlitre(units, shown):
    from planner.dosing import format_draw
    from planner.dosing import syringe_draw

    # 100 U in 1 mL is 100 U per mL, the label's most concentrated Botox dilution.
    assert format_draw(syringe_draw(units, 100, 1.0)) == shown


def test_doses_are_written_with_their_products_unit():
    from planner.dosing import format_dose

    assert format_dose(2.5, "U (Speywood)") == "2.5 U (Speywood)"
    assert format_dose(4, DYSPORT.unit_name) == "4 U (Speywood)"
    assert format_dose(4, BOTOX.unit_name) == "4 U"
