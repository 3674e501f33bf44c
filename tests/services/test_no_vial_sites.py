"""Review rV, V2: a session with no vial, then switched to one.

Sessions from before a vial was required have sites with no vial (migration
0021 leaves them so). After a switch, those sites are never exported or printed
under the new vial's lot: ``lot_missing`` names them, the record prints "No
vial recorded" for them, and FHIR gives them the product only.
"""

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
from tests.services.test_second_vial import new_vial
from tests.services.test_second_vial import switch
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair

pytestmark = pytest.mark.audit_exempt(
    "a session from before a vial was required, made by a raw update",
    tables=["treatment_session"],
)


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def lot_missing(chair, record):
    return [
        w["message"]
        for w in chair.warnings(record, LATER)
        if w["code"] == "lot_missing"
    ]


def exported_resources(chair, patient):
    """The patient's FHIR export, each resource by its full URL."""
    exported = export_patient(
        chair.session,
        chair.injector,
        patient.id,
        face_map=FACE_MAP,
        clinic_name="Facial Palsy Clinic",
        now=LATER,
    )
    return {
        entry["fullUrl"]: entry["resource"]
        for entry in json.loads(exported.body)["entry"]
    }


def legacy_then_switched(chair, make_patient, product):
    """Chart site 1 on a draft with no vial, switch to lot NEW2, chart site 2."""
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, LATER, product=product, lot_number="ZZ0")
    # A session from before a vial was required: no vial.
    record.vial_lot_id = None
    chair.session.add(record)
    chair.session.commit()
    version, _ = chair.tap(record, version, "mentalis", "left", DOSE[product], LATER)
    assert len(lot_missing(chair, record)) == 1
    version, _ = switch(chair, record, new_vial(version, product, "NEW2"))
    version, _ = chair.tap(record, version, "platysma", "left", DOSE[product], LATER)
    return patient, record, version


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_site_with_no_vial_is_named_by_lot_missing_after_a_switch(
    chair, make_patient, product
):
    _, record, version = legacy_then_switched(chair, make_patient, product)
    assert lot_missing(chair, record) == [
        "No vial lot recorded for site 1, charted before a vial was chosen: the "
        "brand and batch number are needed to trace this treatment."
    ]
    signed = chair.sign_with_reasons(record, version, LATER)
    assert "lot_missing" in [w["code"] for w in signed.warnings]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_record_prints_no_vial_recorded_for_the_sites_with_none(
    app, chair, make_patient, product
):
    _, record, version = legacy_then_switched(chair, make_patient, product)
    chair.sign_with_reasons(record, version, LATER)
    printed = treatment_record(
        chair.session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER
    )
    assert [(s.number, s.lot_number) for s in printed.sites] == [
        (1, None),
        (2, "NEW2"),
    ]
    assert printed.no_vial_sites == (1,)
    html = html_for(app, "reports/record.html", record=printed)
    text = " ".join(page_texts(pdf_for(app, html, PDF_VARIANT)))
    assert "Batch (lot) NEW2 · sites 2" in text
    assert "Batch (lot) No vial recorded · sites 1" in text
    assert "<th>Lot</th>" in html
    assert "<td>No vial recorded</td>" in html


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_fhir_exports_a_site_with_no_vial_with_the_product_only(
    chair, make_patient, product
):
    patient, record, version = legacy_then_switched(chair, make_patient, product)
    chair.sign_with_reasons(record, version, LATER)
    resources = exported_resources(chair, patient)
    given = sorted(
        (
            resource["dosage"]["site"]["text"],
            resources[resource["medicationReference"]["reference"]].get("batch"),
        )
        for resource in resources.values()
        if resource["resourceType"] == "MedicationAdministration"
    )
    assert [batch and batch["lotNumber"] for _, batch in given] == [None, "NEW2"]
    assert given[0][0].startswith("Mentalis")
    (procedure,) = [r for r in resources.values() if r["resourceType"] == "Procedure"]
    used = [
        resources[ref["reference"]].get("batch") for ref in procedure["usedReference"]
    ]
    assert [batch and batch["lotNumber"] for batch in used] == ["NEW2", None]
