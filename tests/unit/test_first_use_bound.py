"""With no reconstitution time, a vial's first charted use bounds it (pure check).

In real hours, as for a recorded time: across the clocks going forward, 24 wall
hours are 23 real ones. Exactly the in-use time after the first use is still
within it, as it is after a recorded reconstitution.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.dosing import check_lot
from planner.dosing import product_from_reference
from planner.dosing.records import LotInfo
from planner.reference import product_reference

LONDON = ZoneInfo("Europe/London")
FIRST_USE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def lot_codes(code, first_used_at, now):
    lot = LotInfo("NT1", date(2027, 1, 1), None, first_used_at=first_used_at)
    product = product_from_reference(product_reference(code))
    return [(w.code, w.severity) for w in check_lot(lot, product, now)]


@pytest.mark.parametrize(
    ("code", "hours", "expected"),
    [
        ("botox", 24, "reconstitution_unrecorded"),
        ("botox", 24.1, "reconstitution_expired"),
        ("dysport", 24, "reconstitution_unrecorded"),
        ("dysport", 24.1, "reconstitution_expired"),
        ("xeomin", 24.1, "reconstitution_expired"),
        ("daxxify", 71, "reconstitution_unrecorded"),
        ("daxxify", 72, "reconstitution_unrecorded"),
        ("daxxify", 72.1, "reconstitution_expired"),
    ],
)
def test_the_first_use_is_held_to_the_products_in_use_time(code, hours, expected):
    now = (FIRST_USE + timedelta(hours=hours)).astimezone(LONDON)
    (found,) = lot_codes(code, FIRST_USE, now)
    severity = "warning" if expected == "reconstitution_expired" else "caution"
    assert found == (expected, severity)


def test_no_first_use_stays_a_caution_however_long_the_vial_waits():
    now = (FIRST_USE + timedelta(days=30)).astimezone(LONDON)
    assert lot_codes("botox", None, now) == [("reconstitution_unrecorded", "caution")]


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_real_hours_count_across_the_clocks_going_forward(code):
    """Saturday 10:30 to Sunday 11:00 on the wall is 23.5 real hours."""
    first = datetime(2026, 3, 28, 10, 30, tzinfo=LONDON)
    now = datetime(2026, 3, 29, 11, 0, tzinfo=LONDON)
    assert lot_codes(code, first, now) == [("reconstitution_unrecorded", "caution")]
    later = datetime(2026, 3, 29, 12, 0, tzinfo=LONDON)
    assert lot_codes(code, first, later) == [("reconstitution_expired", "warning")]


def test_a_first_use_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="first_used_at"):
        LotInfo("NT1", date(2027, 1, 1), None, first_used_at=datetime(2026, 6, 1))
