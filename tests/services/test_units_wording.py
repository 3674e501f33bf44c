"""A dose is written in its own product's units wherever the chart or ledger says it.

Dysport's units are Speywood units: the chart map's hover text and the cycle
ledger say "U (Speywood)" for a Dysport dose and "U" for a Botox one.
"""

import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.services.chart_state import chart_state
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_comparison_report import page_texts

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PRODUCTS = {
    "botox": ({}, (4, 5), "U"),
    "dysport": ({"vial_units": 300, "diluent_ml": 2.5}, (10, 12.5), "U (Speywood)"),
}
SVG = {"svg": "http://www.w3.org/2000/svg"}


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_chart_maps_hover_text_names_the_products_units(
    session, make_patient, injector, product
):
    form, (units, _), unit = PRODUCTS[product]
    patient = make_patient()
    draft = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", units)],
        when=T0,
        product=product,
        **form,
    )
    state = chart_state(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=T0)
    svg = ET.fromstring(state.as_json()["svg"])
    titles = [t.text or "" for t in svg.iterfind(".//svg:g/svg:title", SVG)]
    assert any(title.endswith(f": {units:g} {unit}") for title in titles), titles


def two_cycles(session, injector, patient_id, product):
    """Sign two cycles of ``product`` into the left mentalis, 100 days apart."""
    form, doses, _ = PRODUCTS[product]
    for number, (when, units) in enumerate(
        zip((T0, T0 + timedelta(days=100)), doses, strict=True), start=1
    ):
        make_treatment(
            session,
            injector,
            patient_id,
            [("mentalis", "left", units)],
            when=when,
            sign=True,
            product=product,
            lot_number=f"C{number}",
            **form,
        )


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_cycle_ledger_writes_doses_in_the_products_units(
    session, make_patient, injector, product
):
    _, (first, second), unit = PRODUCTS[product]
    patient = make_patient()
    two_cycles(session, injector, patient.id, product)
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    before, after = overview.ledger
    assert (before.units, after.units) == (f"{first:g} {unit}", f"{second:g} {unit}")
    (change,) = after.changes
    assert change.endswith(f"\u2192 {second:g} {unit} (+{second - first:g})")


@pytest.mark.parametrize(
    ("last", "today"), [("dysport", "botox"), ("botox", "dysport")]
)
def test_last_cycles_ghosts_name_the_product_they_were_given_in(
    session, make_patient, injector, last, today
):
    """A ghost of last cycle's dose on today's chart of another product says whose
    units it is in, never bare units that read as today's product's."""
    last_form, (units, _), last_unit = PRODUCTS[last]
    patient = make_patient()
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", units)],
        when=T0,
        sign=True,
        product=last,
        lot_number="L1",
        **last_form,
    )
    draft = make_treatment(
        session,
        injector,
        patient.id,
        when=T0 + timedelta(days=100),
        product=today,
        lot_number="T1",
        **PRODUCTS[today][0],
    )
    state = chart_state(
        session, draft.id, face_map=FACE_MAP, zone=ZONE, now=T0 + timedelta(days=100)
    )
    svg = ET.fromstring(state.as_json()["svg"])
    ghosts = svg.iterfind(".//svg:g[@class='ghosts']/svg:circle/svg:title", SVG)
    brand = {"botox": "Botox", "dysport": "Dysport"}[last]
    assert [t.text for t in ghosts] == [
        f"Last cycle: {units:g} {last_unit} {brand}, another product's units"
    ]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_muscles_dose_against_response_is_in_the_products_units(
    app, session, make_patient, injector, login_as, product
):
    """The cycles page's and the printed comparison's muscle table: 'Dose, U
    (Speywood)' for Dysport (no doubled brackets), never a bare U that reads
    as Botox units."""
    _, (first, second), unit = PRODUCTS[product]
    patient = make_patient()
    two_cycles(session, injector, patient.id, product)
    overview = cycles_overview(
        session,
        patient.id,
        face_map=FACE_MAP,
        zone=ZONE,
        muscle=("mentalis", "left"),
    )
    assert overview.muscle is not None
    (block,) = overview.muscle.blocks
    assert block.unit == unit

    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left")
    html = page.get_data(as_text=True)
    assert f'<td class="num dose">{second:g} {unit}</td>' in html
    pdf = browser.get(f"/patients/{patient.id}/comparison.pdf")
    flat = " ".join(page_texts(pdf.data))
    assert f"Dose, {unit}" in flat
    assert f"Dose ({unit})" not in flat
