"""A signed record in a product the dose reference does not list stays readable.

Planner refuses to chart such a product (test_unlisted_product), but a signed
session in one exists once imported, or once the product's reference entry is
gone: it is the legal record of what was given. Its chart state and its printed
record are built from what was recorded (sites, doses in the product row's own
unit wording, brand, lot, dilution, signer, time), with no dose rule read: no
range checks, no step, markers all one size, and the record says plainly that
no dose reference is held. A draft in it is still refused. Botox and Dysport
read as before.
"""

import xml.etree.ElementTree as ET

import pytest
from sqlmodel import Session

from planner.errors import NoDoseReference
from planner.models import TreatmentSession
from planner.models import User
from planner.reports.record import PDF_VARIANT
from planner.reports.record import treatment_record
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_reports import html_for
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import CYCLES
from tests.services.test_unlisted_product_cycles import DOSES
from tests.services.test_unlisted_product_cycles import EACH_PRODUCT
from tests.services.test_unlisted_product_cycles import UNITS
from tests.services.test_unlisted_product_cycles import UNLISTED
from tests.services.test_unlisted_product_cycles import VIALS
from tests.services.test_unlisted_product_cycles import chart

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401

WHEN = CYCLES[0]
SVG = {"svg": "http://www.w3.org/2000/svg"}
NO_REFERENCE = "No dose reference is held for Clinic toxin:"
# Each product's stepper step, as before (test_chart_dose_steps).
STEPS = {CLINIC: None, "botox": 0.25, "dysport": 1.0}


def sign_two_sites(session: Session, injector, patient, product: str):
    """Sign mentalis and depressor anguli oris on the left in ``product``."""
    (mentalis, _), dao = DOSES[product]
    return chart(
        session,
        injector,
        patient,
        [("mentalis", "left", mentalis), ("depressor_anguli_oris", "left", dao)],
        WHEN,
        product,
        sign=True,
    )


def lot_number(product: str) -> str:
    """The lot ``chart`` gives the vial: the clinic's product is charted as Botox."""
    return f"{'B' if product == CLINIC else product[:1].upper()}15"


def record_text(app, record) -> str:
    html = html_for(app, "reports/record.html", record=record)
    return " ".join(page_texts(pdf_for(app, html, variant=PDF_VARIANT)))


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_the_signed_chart_state_is_as_recorded_with_no_dose_rule(
    session, injector, make_patient, product
):
    treatment = sign_two_sites(session, injector, make_patient(), product)
    state = chart_state(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=WHEN
    ).as_json()
    (mentalis, _), dao = DOSES[product]
    assert state["session"]["status"] == "signed"
    assert state["session"]["product"]["brand"] == BRANDS[product]
    assert state["session"]["product"]["unit_name"] == UNITS[product]
    assert state["session"]["product"]["dose_reference"] is (product != CLINIC)
    assert [(s["muscle"], s["units"]) for s in state["sites"]] == [
        ("mentalis", mentalis),
        ("depressor_anguli_oris", dao),
    ]
    assert state["totals"]["units"] == mentalis + dao
    assert state["session"]["lot"]["lot_number"] == lot_number(product)
    assert state["session"]["lot"]["diluent_ml"] == 2.5
    assert state["step_units"] == STEPS[product]
    # No scale for an unlisted product's doses: every marker is one size; a
    # listed product's grow with the dose (mentalis above the DAO).
    svg = ET.fromstring(state["svg"])
    radii = [
        float(circle.get("r"))
        for circle in svg.iterfind(".//svg:g[@class='site']/svg:circle", SVG)
    ]
    assert len(radii) == 2
    assert (radii[0] == radii[1]) is (product == CLINIC)


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_the_printed_record_is_as_signed_and_says_no_reference_is_held(
    app, session, injector, make_patient, product
):
    treatment = sign_two_sites(session, injector, make_patient(), product)
    record = treatment_record(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=WHEN
    )
    assert record.signed
    assert record.dose_reference is (product != CLINIC)
    flat = record_text(app, record)
    unit = UNITS[product]
    (mentalis, _), dao = DOSES[product]
    assert f"Product {BRANDS[product]} (" in flat
    assert f"Dose, {unit}" in flat
    assert f"Totals by muscle and side, {unit}" in flat
    assert f"{mentalis + dao:g} {unit}" in flat
    for dose in (mentalis, dao):
        assert f" {dose:g} " in flat
    assert f"Batch (lot) {lot_number(product)}" in flat
    assert f"2.5 mL in a {VIALS.get(product, 100)} {unit} vial" in flat
    signer = session.get(User, injector.user_id)
    assert f"Signed electronically by {signer.name}" in flat
    assert "Signed at 5 Jan 2026" in flat
    # No unit wording of another product; no doubled brackets in a header.
    assert f"({unit})" not in flat.replace(f"({BRANDS[product]}", "")
    if product == CLINIC:
        assert f"{NO_REFERENCE} this record's doses are printed as recorded" in flat
        assert "Dose reference None held for Clinic toxin" in flat
        assert "dots are all one size" in flat
    else:
        assert "dose reference" not in flat.lower()
        assert "dots grow with the dose" in flat


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
def test_a_draft_in_it_is_still_refused_by_name(session, injector, make_patient):
    (mentalis, _), _ = DOSES[CLINIC]
    draft = chart(
        session,
        injector,
        make_patient(),
        [("mentalis", "left", mentalis)],
        WHEN,
        CLINIC,
    )
    assert session.get(TreatmentSession, draft.id).status == "draft"
    for build in (chart_state, treatment_record):
        with pytest.raises(NoDoseReference) as info:
            build(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
        assert info.value.message == (
            "No dose reference for Clinic toxin: planner cannot chart it."
        )
