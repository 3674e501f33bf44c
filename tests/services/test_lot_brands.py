"""A lot records the brand on its box: Azzalure is Dysport, Bocouture is Xeomin.

Clinical reference §2.2: Azzalure, Dysport's EU aesthetic brand, comes in a 125 U
(Speywood) vial made up with 0.63 mL to 10 U per 0.05 mL [S24]; §5: adverse events
are reported by brand and batch [S58] [S59]. A brand is not another product: its
units are the product's, and its cycles compare with the product's.
"""

import csv
import io
import json
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.reports.record import PDF_VARIANT
from planner.reports.record import treatment_record
from planner.services import recall as recall_service
from planner.services import stock as stock_service
from planner.services import stock_report
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.cycles import cycles_overview
from planner.services.fhir_export import export_patient
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_recall import MUSCLES
from tests.services.test_recall import NOW
from tests.services.test_reports import html_for
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for
from tests.services.test_stock import delivery

TODAY = NOW.date()
# The expiry date the chair's form gives a new vial (tests.factories).
EXPIRY = "2027-06-30"
AZZALURE = {"brand": "Azzalure", "vial_units": 125, "diluent_ml": 0.63}


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF, name="Sam Stores")
    return Actor(user.id, user.email)


def receive(session, actor, **overrides):
    """Receive a delivery of ``overrides``; a diluent is the chair's, not stock's."""
    overrides.pop("diluent_ml", None)
    return stock_service.receive_stock(
        session,
        actor,
        delivery(received_on=TODAY.isoformat(), expiry_date=EXPIRY, **overrides),
        today=TODAY,
    )


def chin(session, actor, patient, *, when=NOW, units=10, **form):
    """Sign 10 U (or ``units``) into the chin from a new vial of ``form``."""
    return make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", units)],
        when=when,
        sign=True,
        reconstituted_at=when.isoformat(),
        **form,
    )


def test_an_azzalure_lot_is_received_opened_charted_signed_and_recalled(
    app,
    session,
    injector,
    staff,
    make_patient,
):
    receipt = receive(session, staff, product="dysport", lot_number="az125", **AZZALURE)
    assert receipt.id is not None
    patient = make_patient()
    treatment = chin(
        session, injector, patient, product="dysport", lot_number="AZ125", **AZZALURE
    )

    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    lot = state.session.lot
    assert lot is not None
    assert (lot.brand, lot.vial_units, lot.diluent_ml) == ("Azzalure", 125, 0.63)
    assert state.session.product.brand == "Dysport"
    # 125 U in 0.63 mL: 10 U (Speywood) is 0.05 mL [S24], on the brand's table.
    (site,) = state.sites
    assert site.volume_ml == pytest.approx(0.0504, abs=0.0005)
    assert not [w for w in state.warnings if w.code == "dilution_off_label"]

    printed = treatment_record(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=NOW
    )
    text = " ".join(
        page_texts(
            pdf_for(
                app, html_for(app, "reports/record.html", record=printed), PDF_VARIANT
            )
        )
    )
    assert "Product Dysport (abobotulinumtoxinA)" in text
    assert "Brand on the box Azzalure (the same product and units as Dysport)" in text
    assert "Batch (lot) AZ125" in text
    # To 0.01 U, as the chart shows it: not "19.8413".
    assert "Strength 19.84 U (Speywood) per 0.1 mL" in text

    found = recall_service.find_recall(
        session,
        injector,
        {"product": "dysport", "lot": "az125"},
        purpose="page",
        muscle_names=MUSCLES,
        zone=ZONE,
    )
    assert found.brand == "Azzalure"
    assert [(row.brand, row.product, row.lot_number) for row in found.rows] == [
        ("Azzalure", "Dysport", "AZ125")
    ]
    csv = "".join(recall_service.recall_csv(found)).splitlines()
    assert csv[0].endswith(",unit,brand")
    assert csv[1].endswith(",10,U (Speywood),Azzalure")

    exported = export_patient(
        session,
        injector,
        patient.id,
        face_map=FACE_MAP,
        clinic_name="Facial Palsy Clinic",
        now=NOW,
    )
    (medication,) = [
        entry["resource"]
        for entry in json.loads(exported.body)["entry"]
        if entry["resource"]["resourceType"] == "Medication"
    ]
    assert medication["code"]["text"] == "Azzalure (abobotulinumtoxinA)"
    assert medication["code"]["coding"][0]["code"] == "dysport"
    assert medication["batch"]["lotNumber"] == "AZ125"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        # Dysport's own vials are 300 and 500 U: 125 U is Azzalure's box.
        (
            {"brand": "Dysport", "vial_units": 125, "diluent_ml": 0.63},
            "vial_units",
            "must be one of 300 U (Speywood), 500 U (Speywood) for Dysport; a 125 U "
            "(Speywood) vial is Azzalure: choose that brand",
        ),
        # A blank brand is the product's main one.
        (
            {"vial_units": 125, "diluent_ml": 0.63},
            "vial_units",
            "must be one of 300 U (Speywood), 500 U (Speywood) for Dysport; a 125 U "
            "(Speywood) vial is Azzalure: choose that brand",
        ),
        (
            {"brand": "Azzalure", "vial_units": 300, "diluent_ml": 1.5},
            "vial_units",
            "must be one of 125 U (Speywood) for Azzalure; a 300 U (Speywood) vial "
            "is Dysport: choose that brand",
        ),
        (
            {"brand": "Bocouture", "vial_units": 300, "diluent_ml": 1.5},
            "brand",
            "must be one of Dysport, Azzalure for Dysport",
        ),
    ],
)
def test_a_vial_size_is_checked_against_the_brand_on_the_box(
    session,
    injector,
    staff,
    make_patient,
    form,
    field,
    message,
):
    with pytest.raises(InvalidInput) as at_chair:
        chin(session, injector, make_patient(), product="dysport", **form)
    assert at_chair.value.fields[field] == message
    with pytest.raises(InvalidInput) as in_stock:
        receive(session, staff, product="dysport", **form)
    assert in_stock.value.fields[field] == message


def test_botox_has_one_brand_and_keeps_its_vials(session, injector, make_patient):
    with pytest.raises(InvalidInput) as refused:
        chin(session, injector, make_patient(), product="botox", brand="Azzalure")
    assert refused.value.fields == {"brand": "must be one of Botox for Botox"}
    treatment = chin(session, injector, make_patient(), units=4, product="botox")
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    assert state.session.lot is not None
    assert state.session.lot.brand == "Botox"


@pytest.mark.parametrize(("vial", "diluent"), [(50, 1.25), (100, 2.5)])
def test_bocouture_is_xeomin_in_its_own_box(
    session,
    injector,
    staff,
    make_patient,
    vial,
    diluent,
):
    receive(
        session,
        staff,
        product="xeomin",
        brand="bocouture",
        lot_number=f"BC{vial}",
        vial_units=str(vial),
    )
    treatment = chin(
        session,
        injector,
        make_patient(),
        units=4,
        product="xeomin",
        brand="Bocouture",
        lot_number=f"BC{vial}",
        vial_units=vial,
        diluent_ml=diluent,
    )
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    assert state.session.lot is not None
    assert state.session.lot.brand == "Bocouture"
    assert state.session.product.brand == "Xeomin"
    assert not [w for w in state.warnings if w.code == "dilution_off_label"]


def test_a_stock_lot_opened_under_another_brand_is_refused(
    session,
    injector,
    staff,
    make_patient,
):
    receive(session, staff, product="xeomin", brand="Bocouture", lot_number="BC9")
    with pytest.raises(InvalidInput) as refused:
        chin(
            session,
            injector,
            make_patient(),
            units=4,
            product="xeomin",
            lot_number="bc9",
        )
    assert refused.value.fields == {
        "brand": "was Bocouture when lot BC9 was received into stock; check the carton"
    }


def test_a_dysport_and_an_azzalure_cycle_compare_per_muscle(
    session, injector, make_patient
):
    patient = make_patient()
    chin(session, injector, patient, product="dysport", vial_units=300, diluent_ml=2.5)
    chin(
        session,
        injector,
        patient,
        when=NOW + timedelta(days=100),
        units=15,
        product="dysport",
        lot_number="AZ2",
        **AZZALURE,
    )
    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (left,) = [m for m in overview.matrices if m.side == "left"]
    assert left.products == ("Dysport", "Dysport")
    (mentalis,) = [row for row in left.rows if row.muscle == "mentalis"]
    assert [cell.units for cell in mentalis.cells] == [10, 15]
    assert [key.product for key in overview.heat_keys] == ["Dysport"]


@pytest.mark.parametrize("brand", ["Xeomin", "Bocouture"])
def test_xeomins_200_unit_vial_stays_refused_under_either_brand(
    session, injector, staff, make_patient, brand
):
    """The 200 U vial is UNSOURCED (§2.2): a fact the catalogue does not ship."""
    form = {"brand": brand, "vial_units": 200, "diluent_ml": 5.0}
    with pytest.raises(InvalidInput) as at_chair:
        chin(session, injector, make_patient(), product="xeomin", **form)
    assert at_chair.value.fields == {
        "vial_units": f"must be one of 50 U, 100 U for {brand}"
    }
    with pytest.raises(InvalidInput) as in_stock:
        receive(session, staff, product="xeomin", **form)
    assert in_stock.value.fields == {
        "vial_units": f"must be one of 50 U, 100 U for {brand}"
    }


def test_an_azzalure_vial_meets_dysports_dose_limits(session, injector, make_patient):
    """The caps are Dysport's, in Speywood units, whichever box the vial came in."""

    def limits(**vial):
        treatment = chin(
            session,
            injector,
            make_patient(),
            units=120,
            product="dysport",
            lot_number=f"L{vial['vial_units']}",
            **vial,
        )
        state = chart_state(
            session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=NOW
        )
        return sorted((w.code, w.message) for w in state.warnings if "dose" in w.code)

    from_dysport = limits(vial_units=300, diluent_ml=1.5)
    assert from_dysport
    assert limits(**AZZALURE) == from_dysport


def test_the_monthly_stock_report_names_each_lots_brand_beside_its_product(
    session, injector, staff, make_patient
):
    """§5: a batch is reported by brand; the units stay the product's own."""
    receive(session, staff, product="dysport", lot_number="az125", **AZZALURE)
    receive(session, staff, product="dysport", lot_number="d300", vial_units=300)
    receive(session, staff, product="botox", lot_number="b100", vials="2")
    chin(
        session,
        injector,
        make_patient(),
        product="dysport",
        lot_number="AZ125",
        **AZZALURE,
    )

    report = stock_report.monthly_report(session, last=TODAY, zone=ZONE)
    products = {product.product: product for product in report.products}
    assert [
        (lot.lot_number, lot.other_brand, lot.vial_units, lot.received, lot.opened)
        for lot in products["Dysport"].lots
    ] == [("AZ125", "Azzalure", 125, 5, 1), ("D300", None, 300, 5, 0)]
    assert [(lot.lot_number, lot.other_brand) for lot in products["Botox"].lots] == [
        ("B100", None)
    ]
    # Azzalure's vials are Dysport's Speywood units: totalled with Dysport's only.
    assert products["Dysport"].total.received == 5 * 125 + 5 * 300
    assert products["Botox"].total.received == 2 * 100

    rows = list(csv.DictReader(io.StringIO("".join(stock_report.report_csv(report)))))
    month = TODAY.strftime("%Y-%m")
    (dysport,) = [r for r in rows if r["month"] == month and r["product"] == "Dysport"]
    (botox,) = [r for r in rows if r["month"] == month and r["product"] == "Botox"]
    assert dysport["other_brands"] == "Azzalure lot AZ125"
    assert botox["other_brands"] == ""
