"""Signed cycles in a product the dose reference does not list still compare.

Planner refuses to chart such a product (test_unlisted_product), but a signed
session in one can exist: imported, or charted in a product the clinic added
to its catalogue. Its product row words its units; the cycles page, its muscle
view, the JSON form and the printed comparison take the wording from the row,
never from the dose reference, so they show the cycle instead of failing. The
same two cycles in Botox and in Dysport read as before. The next chart, in
Botox or Dysport, names such a past session's product and units (product
change, recent exposure) as the row does too.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.models import Product
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.reports.comparison import comparison_report
from planner.services import outside_toxin
from planner.services.chart_state import chart_state
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import Treatment
from tests.factories import make_treatment
from tests.factories import sign_treatment
from tests.services.test_comparison_report import document_for
from tests.services.test_comparison_report import page_texts
from tests.services.test_cycle_response import score

CLINIC = "clinic_toxin"
# A wording no listed product has, so that a page showing it took it from the row.
CLINIC_UNIT = "U (clinic)"
UNITS = {CLINIC: CLINIC_UNIT, "botox": "U", "dysport": "U (Speywood)"}
BRANDS = {CLINIC: "Clinic toxin", "botox": "Botox", "dysport": "Dysport"}
# Mentalis, cycle 1 and cycle 2, and the depressor anguli oris both times, in
# each product's own units. The clinic's product is charted as Botox, then
# moved into its row, as planner cannot chart it.
DOSES = {
    CLINIC: ((2.5, 3.5), 2.0),
    "botox": ((2.5, 3.5), 2.0),
    "dysport": ((10.0, 15.0), 5.0),
}
VIALS = {"botox": 100, "dysport": 300}
CYCLES = (datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 4, 6, 10, tzinfo=UTC))
EACH_PRODUCT = pytest.mark.parametrize("product", [CLINIC, "botox", "dysport"])
UNLISTED = pytest.mark.audit_exempt(
    "a clinic-added product row, and signed sessions and their vials moved into "
    "it: planner cannot chart that product, so no page does either",
    tables=["product", "treatment_session", "viallot"],
)


@pytest.fixture
def clinic_product(session):
    """A product the clinic added: its row, with no dose reference behind it."""
    product = Product(
        code=CLINIC,
        brand=BRANDS[CLINIC],
        inn="test toxin",
        unit_name=CLINIC_UNIT,
        vial_sizes=[100],
        dilutions=[],
        in_use_hours=24,
        in_use_source="clinic",
        interval_source="clinic",
    )
    session.add(product)
    session.commit()
    return product


def move_into(session: Session, treatment: Treatment, code: str) -> None:
    """Move a charted session and its vial into another product's row."""
    product = session.exec(select(Product).where(Product.code == code)).one()
    record = session.get(TreatmentSession, treatment.id)
    lot = session.get(VialLot, record.vial_lot_id)
    record.product_id = lot.product_id = product.id
    session.add_all([record, lot])
    session.commit()


def chart(session, injector, patient, sites, when, product, **form):
    """Chart (and sign, if told) in ``product``; the clinic's product as Botox,
    moved into its row after."""
    charted = "botox" if product == CLINIC else product
    sign = form.pop("sign", False)
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=when,
        product=charted,
        vial_units=VIALS[charted],
        lot_number=f"{charted[:1].upper()}{when.month}{when.day}",
        **form,
    )
    if sign:
        sign_treatment(session, injector, treatment, when=when.replace(minute=30))
    if product == CLINIC:
        move_into(session, treatment, CLINIC)
    return treatment


def two_cycles(session, injector, patient, product):
    """Two signed cycles in ``product``, mentalis up at cycle 2, each with an
    SAQ before its treatment and at its review (day 14)."""
    (first, second), dao = DOSES[product]
    for when, mentalis, (before, review) in zip(
        CYCLES, (first, second), ((32, 20), (31, 19)), strict=True
    ):
        score(session, injector, patient.id, when.replace(hour=9), before)
        chart(
            session,
            injector,
            patient,
            [("mentalis", "left", mentalis), ("depressor_anguli_oris", "left", dao)],
            when,
            product,
            sign=True,
        )
        score(session, injector, patient.id, when + timedelta(days=14), review)


def totals(product):
    (first, second), dao = DOSES[product]
    return [f"{first + dao:g} {UNITS[product]}", f"{second + dao:g} {UNITS[product]}"]


@UNLISTED
@EACH_PRODUCT
def test_the_cycles_and_the_muscle_are_worded_in_the_rows_units(
    session, injector, make_patient, clinic_product, product
):
    patient = make_patient()
    two_cycles(session, injector, patient, product)
    overview = cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )
    unit = UNITS[product]
    assert [card.dose_text for card in overview.cards] == totals(product)
    assert [row.units for row in overview.ledger] == totals(product)
    assert [row.product for row in overview.ledger] == [BRANDS[product]] * 2
    (block,) = overview.dose_blocks
    assert (block.product, block.unit) == (BRANDS[product], unit)
    top = DOSES[product][0][1]
    assert block.key.top == f"{top:g} {unit}"
    assert overview.muscle is not None
    (muscle,) = overview.muscle.blocks
    assert (muscle.product, muscle.unit) == (BRANDS[product], unit)
    assert [row.units for row in muscle.rows] == [f"{d:g}" for d in DOSES[product][0]]


@UNLISTED
@EACH_PRODUCT
def test_the_printed_comparison_names_the_rows_units(
    app, session, injector, make_patient, clinic_product, product
):
    patient = make_patient()
    two_cycles(session, injector, patient, product)
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    flat = " ".join(page_texts(document.write_pdf()))
    for total in totals(product):
        assert total in flat
    assert f"Cycle 1 5 Jan 2026 {BRANDS[product]}" in flat
    others = {wording for code, wording in UNITS.items() if code != product} - {"U"}
    assert not [wording for wording in others if wording in flat]


@UNLISTED
@pytest.mark.parametrize(
    ("product", "other"), [("botox", CLINIC), (CLINIC, "botox"), ("dysport", CLINIC)]
)
def test_a_top_up_in_another_product_is_worded_in_its_rows_units(
    session, injector, make_patient, clinic_product, product, other
):
    patient = make_patient()
    chart(
        session,
        injector,
        patient,
        [("mentalis", "left", 4)],
        CYCLES[0],
        product,
        sign=True,
    )
    chart(
        session,
        injector,
        patient,
        [("mentalis", "left", 2)],
        CYCLES[0] + timedelta(days=15),
        other,
        sign=True,
        kind="top_up",
    )
    overview = cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )
    worded = f"+2 {UNITS[other]} {BRANDS[other]}"
    (card,) = overview.cards
    assert card.other_top_ups == (f"{worded} top-up",)
    assert card.dose_text == f"4 {UNITS[product]}"
    (row,) = overview.ledger
    assert row.other_top_ups == (f"{worded} top-up",)
    assert overview.muscle is not None
    (block,) = overview.muscle.blocks
    assert block.rows[0].other_top_ups == (worded,)


def chart_warnings(session, injector, patient, when, product):
    """Chart a mentalis dose in ``product`` at ``when``; its warnings by code."""
    record = chart(
        session, injector, patient, [("mentalis", "left", 4)], when, product
    ).record
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=ZONE, now=when)
    return {w["code"]: w["message"] for w in state.as_json()["warnings"]}


@UNLISTED
@pytest.mark.parametrize("today", ["botox", "dysport"])
def test_the_next_chart_names_the_product_and_units_as_its_row_does(
    session, injector, make_patient, clinic_product, today
):
    patient = make_patient(affected_side="left")
    chart(
        session,
        injector,
        patient,
        [("mentalis", "left", 3)],
        CYCLES[0],
        CLINIC,
        sign=True,
    )
    outside_toxin.add_outside_treatment(
        session,
        injector,
        patient.id,
        {
            "given_on": (CYCLES[1] - timedelta(days=10)).date().isoformat(),
            "product_id": str(clinic_product.id),
            "units": "20",
            "indication": "Glabellar lines",
            "place": "City Skin Clinic",
        },
        today=CYCLES[1].date(),
    )
    found = chart_warnings(session, injector, patient, CYCLES[1], today)
    assert "used Clinic toxin; today's product is" in found["product_changed"]
    exposure = found["recent_exposure"]
    assert f"Clinic toxin 20 {CLINIC_UNIT} on 27 Mar 2026, given elsewhere" in exposure
    assert f"In all, by product: {BRANDS[today]} 4 {UNITS[today]}; " in exposure
    assert f"Clinic toxin 20 {CLINIC_UNIT}." in exposure
    assert CLINIC not in exposure
