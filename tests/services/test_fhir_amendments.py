"""The FHIR export of an amended session says what was corrected, in every product.

Review rP finding P5: the export carried only the corrected dose, so a receiver
could not tell that a dose had been corrected after signing, nor what was signed.
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
from planner.models import TreatmentSession
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.fhir_export import export_patient
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import Treatment
from tests.factories import make_treatment

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CLINIC = "Facial Palsy Clinic"
# product: (vial units, diluent mL, signed dose, corrected dose, unit name)
PRODUCTS = {
    "botox": (100, 2.5, 4, 5, "U"),
    "dysport": (300, 2.5, 10, 12.5, "U (Speywood)"),
    "xeomin": (100, 2.5, 3, 5, "U"),
    "daxxify": (100, 1.25, 4, 6, "U"),
}


def amend(
    session: Session,
    actor: Actor,
    treatment: Treatment,
    corrections: dict[int, float],
    reason: str,
    when: datetime,
    note: str | None = None,
) -> None:
    """Correct site doses by index in ``treatment.sites``, giving any reason asked."""
    data: dict[str, Any] = {
        "version": session.get(TreatmentSession, treatment.id).version,
        "reason": reason,
        "note": note,
        "corrections": [
            {"site_id": treatment.sites[index].id, "units": units}
            for index, units in corrections.items()
        ],
    }
    try:
        amendment_service.amend_session(
            session, actor, treatment.id, data, zone=ZONE, now=when
        )
    except session_service.InvalidInput as error:
        data["reasons"] = {
            key.removeprefix("reasons."): "Checked with the patient."
            for key in error.fields
        }
        amendment_service.amend_session(
            session, actor, treatment.id, data, zone=ZONE, now=when
        )


def validated_bundle(
    session: Session, actor: Actor, patient_id: int, now: datetime
) -> dict[str, Any]:
    """Export the patient's Bundle, check it against R4B and return it parsed."""
    body = export_patient(
        session, actor, patient_id, face_map=FACE_MAP, clinic_name=CLINIC, now=now
    ).body
    Bundle.model_validate_json(body)
    bundle: dict[str, Any] = json.loads(body)
    return bundle


def exported(session: Session, actor: Actor, patient_id: int) -> dict[str, Any]:
    """The patient's exported resources by id."""
    bundle = validated_bundle(session, actor, patient_id, AT + timedelta(days=30))
    return {entry["resource"]["id"]: entry["resource"] for entry in bundle["entry"]}


def resource(found: dict[str, Any], table: str, row_id: int | None) -> Any:
    assert row_id is not None
    return found[resource_id(clinic_namespace(CLINIC), table, row_id)]


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_an_amendment_names_each_site_old_and_new_and_marks_the_administration(
    session: Session,
    make_patient: Any,
    injector: Actor,
    product: str,
) -> None:
    vial, diluent, signed, corrected, unit = PRODUCTS[product]
    patient: Patient = make_patient()
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", signed), ("mentalis", "right", signed)],
        when=AT,
        sign=True,
        product=product,
        vial_units=vial,
        diluent_ml=diluent,
        lot_number="LOT1",
    )
    amend(session, injector, treatment, {0: corrected}, "Wrong dose typed", AT)

    found = exported(session, injector, patient.id)
    procedure = resource(found, "treatment_session", treatment.id)
    left = resource(found, "injection_site", treatment.sites[0].id)
    right = resource(found, "injection_site", treatment.sites[1].id)
    old, new = f"{signed:g}", f"{corrected:g}"

    assert procedure["note"][-1]["text"] == (
        f"Amendment 1: Wrong dose typed. Site 1 (Mentalis, left): {old} → {new} {unit}."
    )
    assert left["dosage"]["dose"]["value"] == corrected
    assert left["status"] == "completed"
    assert left["note"] == [
        {
            "time": procedure["note"][-1]["time"],
            "text": f"Dose corrected after signing by amendment 1: {old} → {new} "
            f"{unit}. Reason: Wrong dose typed.",
        }
    ]
    # The site the amendment did not touch carries no correction.
    assert "note" not in right
    assert right["dosage"]["dose"]["value"] == signed


def test_two_amendments_are_numbered_and_each_keeps_its_old_dose(
    session: Session, make_patient: Any, injector: Actor
) -> None:
    patient: Patient = make_patient()
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 10), ("platysma", "right", 20)],
        when=AT,
        sign=True,
        product="dysport",
        vial_units=300,
        lot_number="D1",
    )
    amend(session, injector, treatment, {0: 12.5}, "Misread the syringe", AT)
    amend(
        session,
        injector,
        treatment,
        {0: 15, 1: 17.5},
        "Checked against the vial log.",
        AT + timedelta(hours=1),
        note="Vial log, page 4",
    )

    found = exported(session, injector, patient.id)
    procedure = resource(found, "treatment_session", treatment.id)
    chin = resource(found, "injection_site", treatment.sites[0].id)

    assert [note["text"] for note in procedure["note"][-2:]] == [
        "Amendment 1: Misread the syringe. "
        "Site 1 (Mentalis, left): 10 → 12.5 U (Speywood).",
        "Amendment 2: Checked against the vial log. Note: Vial log, page 4. "
        "Site 1 (Mentalis, left): 12.5 → 15 U (Speywood). "
        "Site 2 (Platysma, right): 20 → 17.5 U (Speywood).",
    ]
    assert [note["text"] for note in chin["note"]] == [
        "Dose corrected after signing by amendment 1: 10 → 12.5 U (Speywood). "
        "Reason: Misread the syringe.",
        "Dose corrected after signing by amendment 2: 12.5 → 15 U (Speywood). "
        "Reason: Checked against the vial log.",
    ]
    assert chin["dosage"]["dose"]["value"] == 15
