"""Cycle cards size each product's markers on its own scale (review rO, rO6).

Sized by raw units on one scale, every Botox facial dose up to 8 U drew at the
floor size while Dysport's 15 and 20 U (Speywood) drew larger: side by side the
Dysport cycles looked like bigger doses, and within Botox size showed nothing.
Units of two products never compare (reference §2.1): each product's largest
dose on the page now draws at one size, and smaller doses of the same product
smaller, as the heat matrix shades each product on its own.
"""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.services.test_ghosts_across_products import SVG
from tests.services.test_ghosts_across_products import T0
from tests.services.test_ghosts_across_products import drawn_cards
from tests.services.test_ghosts_across_products import signed

# Each cycle: its product and the doses of its two sites, in that product's units.
COURSES = {
    "botox->dysport": [("botox", (4, 6)), ("dysport", (15, 20))],
    "dysport->botox": [("dysport", (10, 20)), ("botox", (2, 6))],
}


def site_radii(card) -> list[float]:
    """Each site's radius: a circle's r, or a square's side / 1.8 (the second
    product on a page is drawn as squares)."""
    svg = ET.fromstring(str(card.svg))
    (sites,) = svg.iterfind(".//svg:g[@class='sites']", SVG)
    return [
        float(mark.get("r")) if mark.get("r") else float(mark.get("width")) / 1.8
        for mark in sites
    ]


@pytest.mark.parametrize("course", COURSES, ids=list(COURSES))
def test_each_products_largest_dose_draws_at_one_size_and_smaller_ones_smaller(
    session, make_patient, injector, course
):
    patient = make_patient(affected_side="left")
    for index, (product, (small, large)) in enumerate(COURSES[course]):
        signed(
            session,
            injector,
            patient,
            product,
            [("mentalis", "left", small), ("platysma", "left", large)],
            T0 + timedelta(days=100 * index),
        )

    first, second = (site_radii(card) for card in drawn_cards(session, patient))
    # Within a product, the smaller dose draws smaller.
    assert first[0] < first[1]
    assert second[0] < second[1]
    # Across products, the largest doses (6 U Botox, 20 U (Speywood) Dysport)
    # draw alike: no product's bigger numbers read as a bigger dose.
    assert first[1] == pytest.approx(second[1], abs=0.01)
