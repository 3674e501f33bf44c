"""The vial list and the vial chosen from it go by the clinic's day, not UTC's.

A vial expiring on a day is in date all that clinic day. At 00:30 in a London
summer it is still yesterday in UTC, and at 21:00 in a New York summer it is
already tomorrow: the list offers exactly the vials the chair may then choose.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from planner.errors import InvalidInput
from planner.services.lots import get_product
from planner.services.lots import list_usable_lots
from planner.services.session_vials import choose_vial

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
VIALS = {"botox": (100, 2.5), "dysport": (300, 2.5)}


def unopened_vial(session, actor, product, expiry_date):
    vial_units, diluent_ml = VIALS[product.code]
    details = {
        "lot_number": f"E{expiry_date:%m%d}",
        "expiry_date": expiry_date.isoformat(),
        "vial_units": vial_units,
        "diluent_ml": diluent_ml,
    }
    # Opened in date, the morning of its expiry day.
    opened = datetime.combine(expiry_date, time(9), tzinfo=LONDON)
    vial = choose_vial(session, actor, product, "new", details, zone=LONDON, now=opened)
    session.commit()
    return vial


def listed(session, product, now, zone):
    """List the vials as the page does, at a moment given in UTC."""
    lots = list_usable_lots(session, now=now.astimezone(UTC), zone=zone)
    return [lot.id for lot in lots.get(product.code, [])]


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_a_vial_that_expired_yesterday_is_off_the_list_after_a_london_midnight(
    session, injector, code
):
    product = get_product(session, code)
    vial = unopened_vial(session, injector, product, date(2026, 7, 14))
    half_past_midnight = datetime(2026, 7, 15, 0, 30, tzinfo=LONDON)
    assert half_past_midnight.astimezone(UTC).date() == date(2026, 7, 14)
    assert vial.id not in listed(session, product, half_past_midnight, LONDON)
    with pytest.raises(InvalidInput, match="past its expiry"):
        choose_vial(
            session,
            injector,
            product,
            str(vial.id),
            {},
            zone=LONDON,
            now=half_past_midnight,
        )


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_a_vial_in_date_west_of_utc_is_on_the_list_in_the_evening(
    session, injector, code
):
    product = get_product(session, code)
    vial = unopened_vial(session, injector, product, date(2026, 7, 14))
    nine_pm = datetime(2026, 7, 14, 21, 0, tzinfo=NEW_YORK)
    assert nine_pm.astimezone(UTC).date() == date(2026, 7, 15)
    assert vial.id in listed(session, product, nine_pm, NEW_YORK)
    chosen = choose_vial(
        session, injector, product, str(vial.id), {}, zone=NEW_YORK, now=nine_pm
    )
    assert chosen.id == vial.id
