"""Last cycle's rings never set another product's units against today's.

A ring of last cycle's site grows with its dose. Drawn over today's chart (or a
cycle card) in another product, a bigger ring would read as a bigger dose when it
is only a bigger number in other units (Dysport's Speywood units against
Botox's). So a ring from another product keeps one size, its hover text names
its units, and the chart's JSON gives each last-cycle dose with its product.
Botox to Dysport and Dysport to Botox; a top-up in another product too.
"""

import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.dosing import marker_largest_units
from planner.marker_size import MIN_RADIUS
from planner.marker_size import MarkerScale
from planner.plots.map_cards import marker_radius
from planner.services.chart_state import chart_state
from planner.services.cycle_plots import SCREEN_NUMBER_SIZE
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_other_product_top_up import treat

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NEXT = T0 + timedelta(days=100)
SVG = {"svg": "http://www.w3.org/2000/svg"}
FORMS = {
    "botox": {"vial_units": 100, "diluent_ml": 2.5},
    "dysport": {"vial_units": 300, "diluent_ml": 2.5},
}
UNITS = {"botox": "U", "dysport": "U (Speywood)"}
BRANDS = {"botox": "Botox", "dysport": "Dysport"}
# Two doses a product's ring would draw at two sizes.
DOSES = {"botox": (2, 10), "dysport": (5, 25)}
SWITCHES = [("botox", "dysport"), ("dysport", "botox")]


def signed(session, injector, patient, product, sites, when, **extra):
    return treat(session, injector, patient, sites, when, product, sign=True, **extra)


def last_cycle(session, injector, patient, product):
    small, large = DOSES[product]
    signed(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", small), ("platysma", "left", large)],
        T0,
    )


def today(session, injector, patient, product):
    draft = make_treatment(
        session,
        injector,
        patient.id,
        when=NEXT,
        product=product,
        lot_number="T1",
        **FORMS[product],
    )
    return chart_state(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=NEXT)


def drawn_cards(session, patient):
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    return draw_cycles(overview, FACE_MAP).cards


def rings(state):
    svg = ET.fromstring(state.as_json()["svg"])
    return [
        (float(c.get("r")), c.get("data-units"), c.find("svg:title", SVG).text)
        for c in svg.iterfind(".//svg:g[@class='ghosts']/svg:circle", SVG)
    ]


@pytest.mark.parametrize(("last", "now"), SWITCHES)
def test_rings_of_another_product_keep_one_size_on_todays_chart(
    session, make_patient, injector, last, now
):
    patient = make_patient(affected_side="left")
    last_cycle(session, injector, patient, last)
    small, large = DOSES[last]
    unit, brand = UNITS[last], BRANDS[last]

    assert rings(today(session, injector, patient, now)) == [
        (
            MIN_RADIUS,
            None,
            f"Last cycle: {dose:g} {unit} {brand}, another product's units",
        )
        for dose in (small, large)
    ]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_rings_of_todays_product_still_show_the_dose_by_size(
    session, make_patient, injector, product
):
    patient = make_patient(affected_side="left")
    last_cycle(session, injector, patient, product)
    small, large = DOSES[product]
    unit, brand = UNITS[product], BRANDS[product]

    found = rings(today(session, injector, patient, product))
    assert found == [
        (
            round(MarkerScale(marker_largest_units(product)).radius(dose), 2),
            f"{dose:g}",
            f"Last cycle, {dose:g} units: {dose:g} {unit} {brand}",
        )
        for dose in (small, large)
    ]
    assert found[0][0] < found[1][0]


@pytest.mark.parametrize(("last", "now"), SWITCHES)
def test_a_top_up_in_another_product_keeps_one_size_beside_sized_rings(
    session, make_patient, injector, last, now
):
    """Last cycle in today's product, with a top-up in the other: only the top-up's
    ring loses its size, and the JSON names each dose's product."""
    patient = make_patient(affected_side="left")
    small, large = DOSES[now]
    signed(session, injector, patient, now, [("mentalis", "left", small)], T0)
    top_up = DOSES[last][1]
    signed(
        session,
        injector,
        patient,
        last,
        [("platysma", "left", top_up)],
        T0 + timedelta(days=15),
        kind="top_up",
    )

    state = today(session, injector, patient, now)
    assert [(r, units) for r, units, _ in rings(state)] == [
        (round(MarkerScale(marker_largest_units(now)).radius(small), 2), f"{small:g}"),
        (MIN_RADIUS, None),
    ]
    assert [
        (s["muscle"], s["units"], s["product"]) for s in state.as_json()["last_cycle"]
    ] == [("mentalis", small, now), ("platysma", top_up, last)]
    # Nothing compares the top-up's units with today's product's.
    assert "platysma" not in [c["muscle"] for c in state.as_json()["changes"]]


@pytest.mark.parametrize(("last", "now"), SWITCHES)
def test_a_cycle_card_after_a_product_change_draws_last_cycles_rings_one_size(
    session, make_patient, injector, last, now
):
    patient = make_patient(affected_side="left")
    last_cycle(session, injector, patient, last)
    small, large = DOSES[now]
    signed(
        session,
        injector,
        patient,
        now,
        [("mentalis", "left", small), ("platysma", "left", large)],
        NEXT,
    )

    first, second = drawn_cards(session, patient)
    assert second.product_changed
    svg = ET.fromstring(str(second.svg))
    radii = [
        float(c.get("r"))
        for c in svg.iterfind(".//svg:g[@class='ghosts']/svg:circle", SVG)
    ]
    assert radii == [marker_radius(0.0, SCREEN_NUMBER_SIZE, 0.0)] * 2
    description = svg.find("svg:desc", SVG).text
    assert "dashed rings are cycle 1's sites, in another product, so all one size" in (
        description
    )
    assert first.svg is not None


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_cycle_card_in_one_product_sizes_last_cycles_rings_by_dose(
    session, make_patient, injector, product
):
    patient = make_patient(affected_side="left")
    last_cycle(session, injector, patient, product)
    last_cycle_doses = DOSES[product]
    signed(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", last_cycle_doses[0])],
        NEXT,
    )

    _, second = drawn_cards(session, patient)
    svg = ET.fromstring(str(second.svg))
    radii = [
        float(c.get("r"))
        for c in svg.iterfind(".//svg:g[@class='ghosts']/svg:circle", SVG)
    ]
    largest = max(last_cycle_doses)
    assert radii == [
        marker_radius(d, SCREEN_NUMBER_SIZE, largest) for d in last_cycle_doses
    ]
    assert "another product" not in svg.find("svg:desc", SVG).text
