"""The pure rule behind ``vial_overdrawn``: what a shared vial has left."""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner.dosing import LotInfo
from planner.dosing import VialShare
from planner.dosing import check_vial_content
from planner.dosing import product_from_reference
from planner.reference import product_reference

LONDON = ZoneInfo("Europe/London")
# 10:00 on the clinic's clock (BST): the vial was made up at 08:30 UTC, 09:30 BST.
NOW = datetime(2026, 6, 2, 10, 0, tzinfo=LONDON)
MADE = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)


def product(code):
    return product_from_reference(product_reference(code))


def lot(size, share, made=MADE):
    return LotInfo("A1", date(2027, 1, 1), made, size, 2.5, share)


@pytest.mark.parametrize(
    ("code", "size", "unit"),
    [("botox", 100, "U"), ("dysport", 300, "U (Speywood)"), ("xeomin", 50, "U")],
)
def test_a_shared_vial_taken_past_what_is_left_warns_in_the_products_units(
    code, size, unit
):
    share = VialShare(charted=size - 10, charts=2, wasted=0)
    assert check_vial_content(lot(size, share), product(code), 10, NOW) == []
    (warning,) = check_vial_content(lot(size, share), product(code), 12.5, NOW)
    assert (warning.code, warning.needs_reason) == ("vial_overdrawn", True)
    assert warning.message.startswith(
        f"Vial of lot A1, {size} {unit}, reconstituted 2 Jun 2026 09:30, has "
        f"10 {unit} left: {size - 10} {unit} is charted on 2 other charts. This "
        f"chart takes 12.5 {unit} from it, 2.5 {unit} more than is left."
    )
    assert "[S62]" in warning.source


def test_a_vial_that_is_the_charts_own_warns_past_its_size():
    alone = VialShare()
    assert check_vial_content(lot(100, alone), product("botox"), 100, NOW) == []
    (warning,) = check_vial_content(lot(100, alone), product("botox"), 250, NOW)
    assert (warning.code, warning.needs_reason) == ("vial_overdrawn", True)
    assert "holds 100 U. This chart takes 250 U from it, 150 U more" in warning.message
    assert "switch the chart to the next vial" in warning.message
    (dysport,) = check_vial_content(lot(300, alone), product("dysport"), 301, NOW)
    assert "1 U (Speywood) more than it holds" in dysport.message


def test_without_the_vials_share_or_size_there_is_nothing_to_check():
    assert check_vial_content(lot(100, None), product("botox"), 250, NOW) == []
    sized = LotInfo("A1", date(2027, 1, 1), MADE, None, None, VialShare(90, 1))
    assert check_vial_content(sized, product("botox"), 250, NOW) == []
    assert check_vial_content(None, product("botox"), 250, NOW) == []


def test_an_overdrawn_vial_has_nothing_left_and_everything_taken_is_over():
    share = VialShare(charted=80, charts=1, wasted=30)
    (warning,) = check_vial_content(lot(100, share, None), product("botox"), 4, NOW)
    assert warning.message.startswith(
        "Vial of lot A1, 100 U, reconstitution time not recorded, has nothing "
        "left: 80 U is charted on 1 other chart and 30 U is recorded as waste. "
        "This chart takes 4 U from it, 4 U more than is left."
    )
