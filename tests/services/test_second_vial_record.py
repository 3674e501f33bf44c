"""The printed record of a session drawn from two vials: each lot, its expiry and
the sites it gave, read back from the PDF; Botox and Dysport in their own units."""

import json

import pytest

from planner.reports.record import PDF_VARIANT
from planner.reports.record import treatment_record
from planner.services.fhir_export import export_patient
from tests.services.test_reports import html_for
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import two_vial_session
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import UNIT
from tests.services.test_vial_overdraw import VialChair


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_record_lists_each_lot_with_its_expiry_and_sites(
    app, chair, make_patient, product
):
    _, record, _, _ = two_vial_session(chair, make_patient, product)
    printed = treatment_record(
        chair.session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER
    )
    pdf = pdf_for(
        app, html_for(app, "reports/record.html", record=printed), PDF_VARIANT
    )
    text = " ".join(page_texts(pdf))
    dose, unit = DOSE[product], UNIT[product]
    # No doubled brackets around "U (Speywood)".
    assert f"Batch (lot) FIRST1 · sites 1, 2: {2 * dose} {unit}" in text
    assert f"Batch (lot) SECOND2 · sites 3: {dose} {unit}" in text
    assert text.count("Expiry 31 Jan 2028") == 2
    assert [line.lot_number for line in printed.sites] == [
        "FIRST1",
        "FIRST1",
        "SECOND2",
    ]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_fhir_gives_each_administration_the_lot_it_was_drawn_from(
    chair, make_patient, product
):
    patient, record, _, _ = two_vial_session(chair, make_patient, product)
    exported = export_patient(
        chair.session,
        chair.injector,
        patient.id,
        face_map=FACE_MAP,
        clinic_name="Facial Palsy Clinic",
        now=LATER,
    )
    entries = json.loads(exported.body)["entry"]
    resources = {entry["fullUrl"]: entry["resource"] for entry in entries}
    lots = {
        url: resource["batch"]["lotNumber"]
        for url, resource in resources.items()
        if resource["resourceType"] == "Medication" and "batch" in resource
    }
    given = sorted(
        (
            resource["dosage"]["site"]["text"],
            lots[resource["medicationReference"]["reference"]],
        )
        for resource in resources.values()
        if resource["resourceType"] == "MedicationAdministration"
    )
    assert [lot for _, lot in given].count("FIRST1") == 2
    assert [lot for _, lot in given].count("SECOND2") == 1
    (procedure,) = [r for r in resources.values() if r["resourceType"] == "Procedure"]
    assert sorted(lots[ref["reference"]] for ref in procedure["usedReference"]) == [
        "FIRST1",
        "SECOND2",
    ]
