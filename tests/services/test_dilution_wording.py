"""A dilution's units carry the product's unit name, and each table row its source.

The figure the injector confirms when a vial is made up off its product's
dilution table is in that product's units: Dysport's are Speywood units, which
are not Botox's (clinical reference §2.1: show "product + units together").
Daxxify's volumes are in no label (§2.2: UNSOURCED), so they say to check with
the supplier rather than pass for a clinic setting that no page can set.
"""

from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import Product
from planner.reference import UNSOURCED_DILUTION
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import treatment_form

WHEN = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
# (vial size, a diluent off the table, what the chair confirms, the table's rows)
OFF_TABLE = {
    "botox": (
        100,
        3.0,
        "3.33 U per 0.1 mL",
        "100 U + 1 mL, 100 U + 2 mL, 100 U + 2.5 mL, 100 U + 4 mL, 100 U + 8 mL, "
        "100 U + 10 mL, 50 U + 1.25 mL",
    ),
    "dysport": (
        300,
        3.0,
        "10 U (Speywood) per 0.1 mL",
        "300 U (Speywood) + 1.5 mL, 300 U (Speywood) + 2.5 mL, "
        "500 U (Speywood) + 1 mL, 500 U (Speywood) + 2.5 mL, "
        "500 U (Speywood) + 5 mL",
    ),
    "xeomin": (100, 2.0, "5 U per 0.1 mL", "50 U + 1.25 mL, 100 U + 2.5 mL"),
    "daxxify": (100, 2.0, "5 U per 0.1 mL", "50 U + 0.625 mL, 100 U + 1.25 mL"),
}


@pytest.mark.parametrize("code", list(OFF_TABLE))
def test_the_chair_confirms_a_dilution_in_the_products_own_units(
    session, make_patient, injector, code
):
    vial, diluent, shown, rows = OFF_TABLE[code]
    form = treatment_form(WHEN, product=code, vial_units=vial, diluent_ml=diluent)
    with pytest.raises(InvalidInput) as asked:
        session_service.open_session(
            session, injector, make_patient().id, form, zone=ZONE, now=WHEN
        )
    brand = code.capitalize()
    assert asked.value.message == (
        f"{shown}: not a dilution in the {brand} dilution table."
    )
    assert asked.value.fields == {
        "dilution_confirmed": f"{shown} is off the {brand} dilution table: check "
        "the diluent volume, then tick to confirm it"
    }
    session.rollback()

    # Confirmed, every chart drawn from the vial is warned in the same words.
    chart = make_treatment(
        session,
        injector,
        make_patient().id,
        when=WHEN,
        product=code,
        vial_units=vial,
        diluent_ml=diluent,
        dilution_confirmed="true",
    )
    state = chart_state(session, chart.id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
    (warning,) = [w for w in state.warnings if w.code == "dilution_off_label"]
    unit = shown.split(" ", 1)[1].removesuffix(" per 0.1 mL")
    assert warning.message == (
        f"Vial lot C1234AB: {brand} {vial} {unit} in {diluent:g} mL gives {shown}, "
        f"which is not in the {brand} dilution table ({rows}): confirm the "
        "diluent volume."
    )


def test_daxxifys_volumes_are_unsourced_not_a_clinic_setting(
    session, make_patient, injector
):
    daxxify = session.exec(select(Product).where(Product.code == "daxxify")).one()
    assert {row["source"].split(";")[0] for row in daxxify.dilutions} == {
        "UNSOURCED: not in the label"
    }
    vial, diluent, _, _ = OFF_TABLE["daxxify"]
    chart = make_treatment(
        session,
        injector,
        make_patient().id,
        when=WHEN,
        product="daxxify",
        vial_units=vial,
        diluent_ml=diluent,
        dilution_confirmed="true",
    )
    state = chart_state(session, chart.id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
    (warning,) = [w for w in state.warnings if w.code == "dilution_off_label"]
    assert warning.source.startswith(UNSOURCED_DILUTION)
    assert "clinic setting" not in warning.source.lower()
