"""The cycles API carries every product as the page does (review rO3).

A top-up in another product is listed under its cycle in its own units (never
added to the cycle's), an adverse event after it names it, and each dose matrix
names its columns' products and units, so that a client never draws Botox and
Dysport units on one axis. Botox with a Dysport top-up, and Dysport with Botox.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from tests.services.test_event_after_other_product_top_up import cycle_with_events
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import treat

PAIRS = [("botox", "dysport"), ("dysport", "botox")]
UNITS = {"botox": "U", "dysport": "U (Speywood)"}


@pytest.mark.parametrize(("product", "other"), PAIRS)
def test_the_api_lists_another_products_top_up_and_each_columns_product(
    session, injector, make_patient, login_as, product, other
):
    patient = make_patient()
    cycle_with_events(session, injector, patient, product, other)
    # A second cycle in the other product: its column names its own units.
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", 20)],
        DAY0 + timedelta(weeks=13),
        other,
        sign=True,
    )
    data = login_as(Role.STAFF).api("GET", f"/api/v1/patients/{patient.id}/cycles").json
    first, second = data["cycles"]
    assert (first["product"], first["unit"], first["units"]) == (
        product,
        UNITS[product],
        4,
    )
    assert first["top_up_units"] == 0
    assert first["other_top_ups"] == [
        {
            "given_on": (DAY0 + timedelta(days=15)).date().isoformat(),
            "product": other,
            "units": 10,
            "unit": UNITS[other],
        }
    ]
    assert (second["product"], second["unit"], second["other_top_ups"]) == (
        other,
        UNITS[other],
        [],
    )
    (matrix,) = data["matrices"]
    assert matrix["cycles"] == [1, 2]
    assert matrix["products"] == [product, other]
    assert matrix["unit_names"] == [UNITS[product], UNITS[other]]
    (row,) = matrix["rows"]
    assert row["units"] == [4, 20]  # the other product's top-up is not in it
    by_kind = {event["kind"]: event for event in data["events"]}
    assert by_kind["Dry eye"]["other_top_up"] is None
    assert by_kind["Eyelid droop"]["other_top_up"]["product"] == other
    assert by_kind["Eyelid droop"]["other_top_up"]["unit"] == UNITS[other]
