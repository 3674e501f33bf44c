"""An unsigned draft exports no MedicationAdministrations, in every product.

Review rP finding P7: a draft chart exported one MedicationAdministration per site,
``in-progress``, which a receiving system reads as injections given. A draft's
Procedure stays, ``in-progress``, saying it is not a valid record until signed.
"""

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session

from planner.interop.fhir_export import clinic_namespace
from planner.interop.fhir_export import resource_id
from planner.models import Patient
from planner.services.audit import Actor
from planner.services.fhir_export import export_all_patients
from tests.factories import FACE_MAP
from tests.factories import make_treatment
from tests.factories import sign_treatment
from tests.services.test_fhir_amendments import validated_bundle

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DRAFTED = AT + timedelta(days=190)
EXPORTED = AT + timedelta(days=200)
CLINIC = "Facial Palsy Clinic"
# product: (vial units, diluent mL, mentalis dose, platysma dose)
PRODUCTS = {
    "botox": (100, 2.5, 6, 10),
    "dysport": (300, 2.5, 15, 25),
    "xeomin": (100, 2.5, 6, 10),
    "daxxify": (100, 1.25, 6, 10),
}


def by_kind(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == kind
    ]


def treated_then_drafted(
    session: Session, actor: Actor, patient: Patient, product: str
) -> tuple[Any, Any]:
    """Sign a Botox cycle, then open a draft in ``product`` and chart two sites."""
    vial, diluent, chin, neck = PRODUCTS[product]
    signed = make_treatment(
        session, actor, patient.id, [("mentalis", "left", 4)], when=AT, sign=True
    )
    draft = make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", chin), ("platysma", "left", neck)],
        when=DRAFTED,
        product=product,
        vial_units=vial,
        diluent_ml=diluent,
        lot_number="DRAFT1",
    )
    return signed, draft


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_a_draft_has_a_procedure_in_progress_and_no_administrations(
    session: Session, make_patient: Any, injector: Actor, product: str
) -> None:
    patient: Patient = make_patient()
    signed, draft = treated_then_drafted(session, injector, patient, product)
    namespace = clinic_namespace(CLINIC)

    bundle = validated_bundle(session, injector, patient.id, EXPORTED)
    procedures = {p["id"]: p for p in by_kind(bundle, "Procedure")}
    given = by_kind(bundle, "MedicationAdministration")
    drafted = procedures[resource_id(namespace, "treatment_session", draft.id)]

    assert [a["id"] for a in given] == [
        resource_id(namespace, "injection_site", signed.sites[0].id)
    ]
    assert [a["status"] for a in given] == ["completed"]
    assert drafted["status"] == "in-progress"
    assert drafted["note"] == [
        {
            "text": "Unsigned draft: not a valid treatment record until the injector "
            "signs it. Its doses are not exported as administrations."
        }
    ]
    # The draft's product is still named, through its Procedure.
    [used] = drafted["usedReference"]
    medications = {m["id"]: m for m in by_kind(bundle, "Medication")}
    medication = medications[used["reference"].removeprefix("urn:uuid:")]
    assert medication["code"]["coding"][0]["code"] == product


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_signing_the_draft_exports_its_administrations(
    session: Session, make_patient: Any, injector: Actor, product: str
) -> None:
    patient: Patient = make_patient()
    _, draft = treated_then_drafted(session, injector, patient, product)
    _, _, chin, neck = PRODUCTS[product]
    sign_treatment(session, injector, draft, when=DRAFTED)

    bundle = validated_bundle(session, injector, patient.id, EXPORTED)
    namespace = clinic_namespace(CLINIC)
    drafted = next(
        p
        for p in by_kind(bundle, "Procedure")
        if p["id"] == resource_id(namespace, "treatment_session", draft.id)
    )
    doses = [
        a["dosage"]["dose"]["value"]
        for a in by_kind(bundle, "MedicationAdministration")
        if a["partOf"] == [{"reference": f"urn:uuid:{drafted['id']}"}]
    ]

    assert drafted["status"] == "completed"
    assert "note" not in drafted
    assert doses == [chin, neck]


def test_the_whole_clinic_export_leaves_drafts_administrations_out(
    session: Session, make_patient: Any, injector: Actor
) -> None:
    botox: Patient = make_patient()
    dysport: Patient = make_patient()
    treated_then_drafted(session, injector, botox, "botox")
    treated_then_drafted(session, injector, dysport, "dysport")

    lines = list(
        export_all_patients(
            session, injector, face_map=FACE_MAP, clinic_name=CLINIC, now=EXPORTED
        )
    )

    assert len(lines) == 2
    for line in lines:
        Bundle.model_validate_json(line)
        bundle = json.loads(line)
        statuses = sorted(p["status"] for p in by_kind(bundle, "Procedure"))
        given = by_kind(bundle, "MedicationAdministration")
        assert statuses == ["completed", "in-progress"]
        assert [a["status"] for a in given] == ["completed"]
