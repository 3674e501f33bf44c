"""A tap in one caution zone and a tap in two, as the chair's state words them.

On an affected-left patient the left frontalis lies in "Frontalis on the affected
side"; near the brow it lies in "Frontalis within 1.5 cm of the brow" as well. The
warning says "a caution zone" for one and "2 caution zones" for two, naming
each, with each zone kept apart for the review sheet. Botox and Dysport alike:
the zones are the face map's, whatever the product.
"""

import pytest

from planner.services import chart as chart_service
from planner.services.chart_state import default_units
from tests.factories import ZONE
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import Chair
from tests.services.test_safety_paths import point

# The left frontalis 1 cm or so above the brow: both frontalis zones.
NEAR_BROW = (274.0, 116.0)
AFFECTED = "Frontalis on the affected side"
NEAR = "Frontalis within 1.5 cm of the brow"


# Each product's own dose, in its own units: a site waits for its zones until dosed.
UNITS = {"botox": 2, "dysport": 10}


def tap_at(chair, record, version, units, x, y):
    return chart_service.add_site(
        chair.session,
        chair.injector,
        record.id,
        {"x": x, "y": y, "version": version, "units": units},
        face_map=FACE_MAP,
        default_units=default_units(chair.session),
        now=DAY0,
        zone=ZONE,
    )


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_one_zone_is_a_caution_zone_and_two_are_2_caution_zones(
    session, injector, make_patient, product
):
    chair = Chair(session, injector)
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, DAY0, product=product)
    units = UNITS[product]
    version, _ = tap_at(chair, record, version, units, *point("frontalis", "left"))
    version, _ = tap_at(chair, record, version, units, *NEAR_BROW)

    zoned = {
        w["site_number"]: w
        for w in chair.warnings(record, DAY0)
        if w["code"] == "site_in_zone"
    }
    one, two = zoned[1], zoned[2]
    assert one["message"].startswith(
        f"Site 1, frontalis (left), lies in a caution zone. {AFFECTED}: "
    )
    assert [zone["title"] for zone in one["zones"]] == [AFFECTED]
    assert two["message"].startswith(
        f"Site 2, frontalis (left), lies in 2 caution zones. {NEAR}: "
    )
    assert f". {AFFECTED}: " in two["message"]
    assert "a caution zone" not in two["message"]
    assert [zone["title"] for zone in two["zones"]] == [NEAR, AFFECTED]
