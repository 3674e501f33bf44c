"""Issue 22: therapy courses and procedures in the FHIR Bundle, which validates."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle

from planner.services import therapy
from planner.services.fhir_export import export_patient
from tests.factories import FACE_MAP

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SNOMED = "http://snomed.info/sct"


def test_therapy_and_surgery_export_as_procedures_with_body_sites(
    session, injector, make_patient
):
    patient = make_patient(affected_side="left")
    therapy.add_therapy_course(
        session,
        injector,
        patient.id,
        {
            "kind": "nmrt",
            "started_on": "2026-05-04",
            "therapist": "Ann Therapist",
            "home_programme": "Small smiles in the mirror.",
            "sessions_attended": "6",
        },
        today=date(2026, 11, 20),
    )
    therapy.add_procedure(
        session,
        injector,
        patient.id,
        {
            "kind": "selective_neurolysis",
            "side": "bilateral",
            "performed_on": "2026-02-02",
            "surgeon": "Ms Surgeon",
            "note": "Cervical branch, partial.",
            "muscles": ["platysma", "depressor_anguli_oris"],
        },
        today=date(2026, 11, 20),
    )
    exported = export_patient(
        session, injector, patient.id, face_map=FACE_MAP, clinic_name="C", now=NOW
    )
    Bundle.model_validate_json(exported.body)
    resources = [e["resource"] for e in json.loads(exported.body)["entry"]]
    course, surgery = [
        r for r in resources if r["resourceType"] == "Procedure" and "category" in r
    ]
    assert course["status"] == "in-progress"
    assert course["performedPeriod"] == {"start": "2026-05-04"}
    assert course["performer"] == [{"actor": {"display": "Ann Therapist"}}]
    assert course["code"]["text"] == "Neuromuscular retraining (NMRT)"
    assert {"text": "Sessions attended: 6"} in course["note"]
    assert surgery["performedDateTime"] == "2026-02-02"
    sites = surgery["bodySite"]
    assert [s["text"] for s in sites] == [
        "Platysma, left",
        "Platysma, right",
        "Depressor anguli oris, left",
        "Depressor anguli oris, right",
    ]
    # SNOMED CT only where the project holds a checked concept: the platysma's
    # (face map) and the laterality qualifiers; the DAO and the procedure: local.
    snomed = {
        c["code"] for s in sites for c in s.get("coding", []) if c["system"] == SNOMED
    }
    assert snomed == {"18252004"}
    sides = {
        s["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] for s in sites
    }
    assert sides == {"7771000", "24028007"}
    assert all(c["system"] != SNOMED for c in surgery["code"]["coding"])
