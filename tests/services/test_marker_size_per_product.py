"""Markers on the chair's map and the printed record are sized on each product's
own scale (review rX, X5).

Units of two products never compare (reference §2.1): the same dot size must not
stand for 4 U of Botox and 10 U (Speywood) of Dysport on one absolute scale, nor
may every Dysport or Daxxify dose past about 14 units draw the same biggest dot.
The label's dose per glabellar site draws the same dot in every product, and the
site ceiling, twice it and ten times it draw three different dots.
"""

import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime

import pytest

from planner.dosing import marker_largest_units
from planner.dosing import shipped_doses
from planner.dosing.product_doses import label_dose_per_site
from planner.facemap import MarkerScale
from planner.marker_size import MAX_RADIUS
from planner.reports.record import treatment_record
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_facemap_versions import embedded_svg

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SVG = {"svg": "http://www.w3.org/2000/svg"}
# A vial each product ships, and a dilution its table lists.
FORMS = {
    "botox": {"vial_units": 100, "diluent_ml": 2.5},
    "dysport": {"vial_units": 300, "diluent_ml": 2.5},
    "daxxify": {"vial_units": 100, "diluent_ml": 1.25},
    "xeomin": {"vial_units": 100, "diluent_ml": 2.5},
}
PRODUCTS = list(FORMS)
MUSCLES = ["frontalis", "mentalis", "platysma", "depressor_anguli_oris"]


def doses(product):
    """The label's glabellar site dose, then 1x, 2x and 10x the site ceiling."""
    ceiling = shipped_doses(product).site_ceiling.high
    return [label_dose_per_site(product), ceiling, 2 * ceiling, 10 * ceiling]


def test_shipped_ceilings_are_the_label_dose_times_the_same_factor():
    """The test's premise: every product's site ceiling is the same multiple of
    its label's site dose, so the two anchors agree."""
    assert {
        shipped_doses(p).site_ceiling.high / label_dose_per_site(p) for p in PRODUCTS
    } == {2.5}


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_chairs_scale_sizes_each_product_on_its_own_doses(product):
    scale = MarkerScale(marker_largest_units(product))
    label, ceiling, twice, tenfold = (scale.radius(d) for d in doses(product))
    assert label < ceiling < twice < tenfold == MAX_RADIUS
    # A quarter of the label's dose still draws smaller than the label's.
    assert scale.radius(label_dose_per_site(product) / 4) < label


def chart_radii(session, injector, patient, product):
    draft = make_treatment(
        session,
        injector,
        patient.id,
        [(m, "left", d) for m, d in zip(MUSCLES, doses(product), strict=True)],
        when=WHEN,
        product=product,
        lot_number=f"{product[:2].upper()}1",
        **FORMS[product],
    )
    state = chart_state(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
    record = treatment_record(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
    return radii(state.as_json()["svg"]), radii(embedded_svg(str(record.map)))


def radii(svg):
    """Each site's (number, dose, radius) as drawn."""
    root = ET.fromstring(svg)
    return [
        (
            int(group.get("data-number")),
            float(group.get("data-units")),
            float(group.find("svg:circle", SVG).get("r")),
        )
        for group in root.iterfind(".//svg:g[@class='site']", SVG)
    ]


def test_the_label_dose_draws_the_same_dot_in_every_product_at_chair_and_record(
    session, injector, make_patient
):
    drawn = {
        product: chart_radii(session, injector, make_patient(), product)
        for product in PRODUCTS
    }
    for product, (chair, record) in drawn.items():
        for where in (chair, record):
            # Each site carries its own dose, in its product's units.
            assert [units for _, units, _ in where] == doses(product)
            label, ceiling, twice, tenfold = (r for _, _, r in where)
            assert label < ceiling < twice < tenfold, (product, where)
        assert chair[-1][2] == MAX_RADIUS
    # The same share of each product's own scale draws the same dot.
    for at in (0, 1, 2, 3):
        assert len({chair[at][2] for chair, _ in drawn.values()}) == 1, at
        assert len({record[at][2] for _, record in drawn.values()}) == 1, at
    # The record's dots start from the legible size and grow past the chair's.
    botox_record = drawn["botox"][1]
    assert botox_record[0][2] > 11
    assert botox_record[-1][2] > MAX_RADIUS
