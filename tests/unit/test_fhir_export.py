"""The FHIR export, pure: hand-built records in, a Bundle fhir.resources accepts."""

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from planner.interop.fhir_codes import INJECTION_POINT
from planner.interop.fhir_codes import LATERALITY
from planner.interop.fhir_codes import MUSCLE_SYSTEM
from planner.interop.fhir_codes import SNOMED
from planner.interop.fhir_export import ExportContext
from planner.interop.fhir_export import build_patient_bundle
from planner.interop.fhir_export import bundle_json
from planner.interop.fhir_export import clinic_namespace
from planner.interop.fhir_export import resource_id
from planner.interop.fhir_records import AmendmentRecord
from planner.interop.fhir_records import AppointmentRecord
from planner.interop.fhir_records import AssessmentRecord
from planner.interop.fhir_records import LotRecord
from planner.interop.fhir_records import MuscleInfo
from planner.interop.fhir_records import PatientExport
from planner.interop.fhir_records import PatientRecord
from planner.interop.fhir_records import PractitionerRecord
from planner.interop.fhir_records import ProductRecord
from planner.interop.fhir_records import SessionRecord
from planner.interop.fhir_records import SiteRecord

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(days=90)

# The R4 (4.0.1) elements of each resource this export writes, from the R4 spec's
# resource pages. Anything else would be R4B- or R5-only (or a typo) and is refused.
COMMON = {"resourceType", "id", "meta", "text", "extension", "modifierExtension"}
R4_ELEMENTS: dict[str, set[str]] = {
    "Patient": COMMON
    | {"identifier", "active", "name", "telecom", "gender", "birthDate", "address"},
    "Practitioner": COMMON | {"identifier", "active", "name", "telecom"},
    "Medication": COMMON | {"code", "status", "form", "amount", "ingredient", "batch"},
    "Procedure": COMMON
    | {
        "identifier",
        "partOf",
        "status",
        "code",
        "subject",
        "performedDateTime",
        "performer",
        "bodySite",
        "note",
        "usedReference",
    },
    "MedicationAdministration": COMMON
    | {
        "partOf",
        "status",
        "medicationReference",
        "subject",
        "context",
        "effectiveDateTime",
        "performer",
        "note",
        "dosage",
    },
    "Observation": COMMON
    | {
        "partOf",
        "status",
        "category",
        "code",
        "subject",
        "effectiveDateTime",
        "performer",
        "valueQuantity",
        "valueCodeableConcept",
        "valueInteger",
        "dataAbsentReason",
        "method",
        "component",
    },
    "Appointment": COMMON
    | {
        "status",
        "appointmentType",
        "description",
        "start",
        "end",
        "comment",
        "supportingInformation",
        "requestedPeriod",
        "participant",
    },
}
# R4 value sets with required bindings on the codes this export writes.
R4_STATUSES = {
    "Procedure": {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    },
    "MedicationAdministration": {
        "in-progress",
        "not-done",
        "on-hold",
        "completed",
        "entered-in-error",
        "stopped",
        "unknown",
    },
    "Observation": {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    "Appointment": {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    },
}
MUSCLES = {
    "platysma": MuscleInfo("platysma", "Platysma", "PLA", "18252004"),
    "frontalis": MuscleInfo("frontalis", "Frontalis", "FRO"),
    "procerus": MuscleInfo("procerus", "Procerus", "PRO"),
}


def make_export(**overrides: Any) -> PatientExport:
    """A patient with a signed, amended Botox session and a Dysport top-up."""
    signed = SessionRecord(
        id=10,
        kind="full",
        cycle_number=1,
        performed_at=AT,
        status="signed",
        injector_id=7,
        product_id=1,
        lot_id=3,
        sites=(
            SiteRecord(
                100, 1, "platysma", "left", "affected", 250, 450, 2.5, "deep", lot_id=3
            ),
            SiteRecord(
                101, 2, "procerus", "midline", "midline", 200, 150, 1.25, lot_id=3
            ),
            SiteRecord(
                102,
                3,
                "frontalis",
                "right",
                "contralateral",
                150,
                100,
                4,
                note="x",
                lot_id=3,
            ),
        ),
        notes="Tolerated well.",
        amendments=(AmendmentRecord(AT + timedelta(hours=2), "Site 3 was 5 U"),),
    )
    top_up = SessionRecord(
        id=11,
        kind="top_up",
        cycle_number=1,
        performed_at=AT + timedelta(days=14),
        status="signed",
        injector_id=8,
        product_id=2,
        lot_id=None,
        sites=(SiteRecord(103, 1, "frontalis", "left", "affected", 250, 100, 12.5),),
    )
    values: dict[str, Any] = {
        "patient": PatientRecord(
            1,
            "MRN/0042",
            "Ada",
            "Okafor",
            date(1971, 5, 14),
            "female",
            phone="0161 496 0000",
            email=None,
            address="1 High Street",
        ),
        "practitioners": (
            PractitionerRecord(7, "Dr Injector"),
            PractitionerRecord(8, "Dr Other"),
        ),
        "products": (
            ProductRecord(1, "botox", "Botox", "onabotulinumtoxinA", "U"),
            ProductRecord(
                2, "dysport", "Dysport", "abobotulinumtoxinA", "U (Speywood)"
            ),
        ),
        "lots": (LotRecord(3, 1, "C1234AB", date(2027, 1, 31), 100, 2.5, AT),),
        "sessions": (signed, top_up),
        "assessments": (
            AssessmentRecord(
                20,
                "sunnybrook",
                "baseline",
                AT,
                {"resting": 5, "voluntary": 56, "synkinesis": 9, "composite": 42},
                42.0,
                "sunnybrook-1996",
                False,
                7,
                session_id=10,
            ),
            AssessmentRecord(
                21,
                "house_brackmann",
                "review",
                AT,
                {"grade": 2, "numeral": "II", "label": "Mild dysfunction"},
                2.0,
                "hb-1985",
                False,
                8,
            ),
            AssessmentRecord(
                22,
                "fdi",
                "review",
                AT,
                {
                    "physical": None,
                    "social": 80.0,
                    "physical_answered": 0,
                    "social_answered": 5,
                },
                None,
                "fdi-1996",
                True,
                7,
            ),
            AssessmentRecord(
                23, "saq", "review", AT, {"total": 46.67}, 46.67, "saq-2007", True, 7
            ),
        ),
        "appointments": (
            AppointmentRecord(
                30,
                "review",
                "proposed",
                date(2026, 3, 16),
                window_start=date(2026, 3, 13),
                window_end=date(2026, 3, 19),
                source_session_id=10,
            ),
            AppointmentRecord(
                31,
                "treatment",
                "booked",
                LATER.date(),
                starts_at=LATER,
                ends_at=LATER + timedelta(minutes=30),
                clinician_id=7,
            ),
            AppointmentRecord(
                32,
                "review",
                "missed",
                date(2026, 3, 1),
                starts_at=AT - timedelta(days=1),
                ends_at=AT - timedelta(days=1, minutes=-20),
            ),
            AppointmentRecord(33, "review", "cancelled", date(2026, 2, 1)),
            # Attended without ever being booked: no time, so R4 cannot carry it.
            AppointmentRecord(34, "assessment", "attended", date(2026, 2, 15)),
        ),
    }
    return PatientExport(**(values | overrides))


def make_context(clinic: str = "Facial Palsy Clinic") -> ExportContext:
    return ExportContext(
        namespace=clinic_namespace(clinic),
        timestamp=AT,
        face_map="front-v1",
        muscles=MUSCLES,
    )


@pytest.fixture(name="bundle")
def bundle_fixture() -> dict[str, Any]:
    return build_patient_bundle(make_export(), make_context())


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == kind
    ]


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}


def walk(value: Any) -> Iterator[Any]:
    """Yield every object and list in a JSON tree, depth first."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def administrations(bundle: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Each MedicationAdministration by the site id its resource id was made from."""
    namespace = clinic_namespace("Facial Palsy Clinic")
    found = {r["id"]: r for r in resources(bundle, "MedicationAdministration")}
    return {
        site_id: found[resource_id(namespace, "injection_site", site_id)]
        for site_id in (100, 101, 102, 103)
    }


def extension(element: dict[str, Any], url: str) -> dict[str, Any]:
    [found] = [e for e in element.get("extension", []) if e["url"] == url]
    return found


def sub_extensions(element: dict[str, Any], url: str) -> dict[str, Any]:
    """A complex extension's parts by name, each as its one value."""
    parts = extension(element, url)["extension"]
    return {
        part["url"]: next(v for k, v in part.items() if k.startswith("value"))
        for part in parts
    }


def test_bundle_validates_as_fhir_r4b(bundle: dict[str, Any]) -> None:
    parsed = Bundle.model_validate(bundle)
    from_text = Bundle.model_validate_json(bundle_json(bundle))

    assert parsed.type == "collection"
    assert len(parsed.entry) == len(bundle["entry"]) == len(from_text.entry)
    counts: dict[str, int] = {}
    for entry in parsed.entry:
        name = type(entry.resource).__name__
        counts[name] = counts.get(name, 0) + 1
    assert counts == {
        "Patient": 1,
        "Practitioner": 2,
        "Medication": 2,
        "Procedure": 2,
        "MedicationAdministration": 4,
        "Observation": 4,
        "Appointment": 4,
    }


def test_only_r4_elements_and_statuses_are_written(bundle: dict[str, Any]) -> None:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        assert set(resource) <= R4_ELEMENTS[kind], (
            kind,
            set(resource) - R4_ELEMENTS[kind],
        )
        if kind in R4_STATUSES:
            assert resource["status"] in R4_STATUSES[kind]
    # R4 MedicationAdministration: dose and site under dosage, no R5 "occurence".
    for resource in resources(bundle, "MedicationAdministration"):
        assert set(resource["dosage"]) <= {"text", "site", "route", "method", "dose"}


def test_appointments_and_observations_keep_the_r4_invariants(
    bundle: dict[str, Any],
) -> None:
    for booking in resources(bundle, "Appointment"):
        # app-2: start and end together; app-3: only these may lack them.
        assert ("start" in booking) == ("end" in booking)
        if "start" not in booking:
            assert booking["status"] in {"proposed", "cancelled", "waitlist"}
    for found in resources(bundle, "Observation"):
        # obs-6: a value or a reason it is absent, never both.
        for element in [found, *found["component"]]:
            values = [key for key in element if key.startswith("value")]
            assert len(values) + ("dataAbsentReason" in element) == 1


def test_no_element_is_empty(bundle: dict[str, Any]) -> None:
    for value in walk(bundle):
        assert value not in (None, "", [], {})
        if isinstance(value, dict):
            for item in value.values():
                assert item not in (None, "", [], {})


def test_every_reference_resolves_inside_the_bundle(bundle: dict[str, Any]) -> None:
    urls = by_url(bundle)
    references = [
        node["reference"]
        for node in walk(bundle)
        if isinstance(node, dict) and "reference" in node
    ]

    assert len(references) > 20
    assert set(references) <= set(urls)
    assert len(urls) == len(bundle["entry"])
    for url, resource in urls.items():
        assert url == f"urn:uuid:{resource['id']}"


def test_ids_are_stable_and_differ_between_clinics() -> None:
    first = build_patient_bundle(make_export(), make_context())
    again = build_patient_bundle(make_export(), make_context())
    other = build_patient_bundle(make_export(), make_context("Another Clinic"))

    assert list(by_url(first)) == list(by_url(again))
    assert not set(by_url(first)) & set(by_url(other))
    [patient] = resources(first, "Patient")
    assert patient["id"] == resource_id(
        clinic_namespace("Facial Palsy Clinic"), "patient", 1
    )


def test_patient_is_identified_by_mrn(bundle: dict[str, Any]) -> None:
    [patient] = resources(bundle, "Patient")
    [identifier] = patient["identifier"]

    assert identifier["value"] == "MRN/0042"
    assert identifier["type"]["coding"][0]["code"] == "MR"
    assert identifier["system"].startswith("urn:uuid:")
    assert patient["name"][0] == {
        "use": "official",
        "text": "Ada Okafor",
        "family": "Okafor",
        "given": ["Ada"],
    }
    assert patient["gender"] == "female"
    assert patient["birthDate"] == "1971-05-14"
    assert patient["telecom"] == [{"system": "phone", "value": "0161 496 0000"}]


def test_one_administration_per_site_part_of_its_procedure(
    bundle: dict[str, Any],
) -> None:
    urls = by_url(bundle)
    namespace = clinic_namespace("Facial Palsy Clinic")
    expected_procedure = {
        100: 10,
        101: 10,
        102: 10,
        103: 11,
    }
    for site_id, administration in administrations(bundle).items():
        [part_of] = administration["partOf"]
        procedure = urls[part_of["reference"]]
        assert procedure["resourceType"] == "Procedure"
        assert procedure["id"] == resource_id(
            namespace, "treatment_session", expected_procedure[site_id]
        )
        assert administration["effectiveDateTime"] == procedure["performedDateTime"]
        assert administration["performer"] == procedure["performer"]


def test_medication_carries_the_lot_and_expiry(bundle: dict[str, Any]) -> None:
    urls = by_url(bundle)
    signed = administrations(bundle)[100]
    medication = urls[signed["medicationReference"]["reference"]]

    assert medication["batch"] == {
        "lotNumber": "C1234AB",
        "expirationDate": "2027-01-31",
    }
    assert medication["code"]["coding"][0]["code"] == "botox"
    strength = medication["ingredient"][0]["strength"]
    assert strength["numerator"] == {
        "value": 100,
        "unit": "U",
        "system": "http://unitsofmeasure.org",
        "code": "{botox_U}",
    }
    assert strength["denominator"]["value"] == 2.5
    assert strength["denominator"]["code"] == "mL"


def test_a_session_without_a_lot_names_its_product_without_a_batch(
    bundle: dict[str, Any],
) -> None:
    urls = by_url(bundle)
    medication = urls[administrations(bundle)[103]["medicationReference"]["reference"]]

    assert medication["code"]["coding"][0]["code"] == "dysport"
    assert "batch" not in medication


def test_doses_keep_each_products_own_units(bundle: dict[str, Any]) -> None:
    sites = administrations(bundle)

    assert sites[100]["dosage"]["dose"] == {
        "value": 2.5,
        "unit": "U",
        "system": "http://unitsofmeasure.org",
        "code": "{botox_U}",
    }
    # Dysport's units are not Botox's, and neither is a UCUM International Unit.
    assert sites[103]["dosage"]["dose"] == {
        "value": 12.5,
        "unit": "U (Speywood)",
        "system": "http://unitsofmeasure.org",
        "code": "{dysport_U}",
    }


def test_dosage_text_gives_the_volume_from_the_lots_dilution(
    bundle: dict[str, Any],
) -> None:
    sites = administrations(bundle)

    # 2.5 U of 100 U in 2.5 mL is 0.0625 mL.
    assert sites[100]["dosage"]["text"] == (
        "Site 1: 2.5 U Botox into Platysma, left; 0.063 mL of a 100 U vial in 2.5 mL"
    )
    assert sites[103]["dosage"]["text"] == (
        "Site 1: 12.5 U (Speywood) Dysport into Frontalis, left"
    )


def test_platysma_has_its_snomed_code_and_left_laterality(
    bundle: dict[str, Any],
) -> None:
    site = administrations(bundle)[100]["dosage"]["site"]

    assert site["coding"] == [
        {"system": SNOMED, "code": "18252004"},
        {"system": MUSCLE_SYSTEM, "code": "platysma", "display": "Platysma"},
    ]
    laterality = extension(site, LATERALITY)["valueCodeableConcept"]["coding"]
    assert laterality == [{"system": SNOMED, "code": "7771000", "display": "Left"}]


def test_a_muscle_without_a_verified_code_has_only_the_local_code(
    bundle: dict[str, Any],
) -> None:
    site = administrations(bundle)[102]["dosage"]["site"]

    assert site["coding"] == [
        {"system": MUSCLE_SYSTEM, "code": "frontalis", "display": "Frontalis"}
    ]
    assert site["text"] == "Frontalis, right"
    laterality = extension(site, LATERALITY)["valueCodeableConcept"]["coding"]
    assert laterality == [{"system": SNOMED, "code": "24028007", "display": "Right"}]


def test_a_midline_site_has_no_laterality(bundle: dict[str, Any]) -> None:
    administration = administrations(bundle)[101]

    assert "extension" not in administration["dosage"]["site"]
    assert sub_extensions(administration, INJECTION_POINT)["side"] == "midline"


def test_a_muscle_missing_from_the_map_still_exports_under_its_key() -> None:
    context = replace(make_context(), muscles={})
    bundle = build_patient_bundle(make_export(), context)
    site = administrations(bundle)[100]["dosage"]["site"]

    assert site["coding"] == [
        {"system": MUSCLE_SYSTEM, "code": "platysma", "display": "Platysma"}
    ]


def test_the_injection_point_keeps_number_role_and_map_coordinates(
    bundle: dict[str, Any],
) -> None:
    point = sub_extensions(administrations(bundle)[102], INJECTION_POINT)

    assert point == {
        "number": 3,
        "side": "right",
        "role": "contralateral",
        "faceMap": "front-v1",
        "x": 150,
        "y": 100,
    }


def test_depth_becomes_the_route(bundle: dict[str, Any]) -> None:
    sites = administrations(bundle)

    assert sites[100]["dosage"]["route"]["coding"][0]["code"] == "IM"
    assert "route" not in sites[101]["dosage"]


def test_signed_is_completed_and_a_draft_is_in_progress() -> None:
    export = make_export()
    signed, top_up = export.sessions
    draft = replace(top_up, status="draft")
    bundle = build_patient_bundle(
        replace(export, sessions=(signed, draft)), make_context()
    )
    statuses = sorted(p["status"] for p in resources(bundle, "Procedure"))
    given = resources(bundle, "MedicationAdministration")

    assert statuses == ["completed", "in-progress"]
    # A draft's doses are not administrations: only the signed session's sites.
    assert [site["status"] for site in given] == ["completed"] * 3


def test_an_amendment_is_a_note_on_its_procedure(bundle: dict[str, Any]) -> None:
    signed = next(
        p for p in resources(bundle, "Procedure") if p["status"] == "completed"
    )

    assert signed["note"] == [
        {"text": "Tolerated well."},
        {"time": "2026-03-02T11:30:00+00:00", "text": "Amendment 1: Site 3 was 5 U."},
    ]


def observation(bundle: dict[str, Any], instrument: str) -> dict[str, Any]:
    [found] = [
        o
        for o in resources(bundle, "Observation")
        if o["code"]["coding"][0]["code"] == instrument
    ]
    return found


def test_a_score_is_a_quantity_with_numeric_subscores(bundle: dict[str, Any]) -> None:
    sunnybrook = observation(bundle, "sunnybrook")

    assert sunnybrook["valueQuantity"] == {
        "value": 42.0,
        "unit": "score",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert {
        c["code"]["coding"][0]["code"]: c["valueInteger"]
        for c in sunnybrook["component"]
    } == {
        "sunnybrook.resting": 5,
        "sunnybrook.voluntary": 56,
        "sunnybrook.synkinesis": 9,
        "sunnybrook.composite": 42,
    }
    assert sunnybrook["category"][0]["coding"][0]["code"] == "exam"
    cycle = sub_extensions(sunnybrook, sunnybrook["extension"][0]["url"])
    assert cycle["timepoint"] == "baseline"
    assert by_url(bundle)[cycle["cycle"]["reference"]]["resourceType"] == "Procedure"


def test_house_brackmann_is_a_coded_grade(bundle: dict[str, Any]) -> None:
    grade = observation(bundle, "house_brackmann")

    assert grade["valueCodeableConcept"]["coding"][0]["code"] == "2"
    assert grade["valueCodeableConcept"]["text"] == "Grade II: Mild dysfunction"
    assert "valueQuantity" not in grade


def test_a_score_that_could_not_be_computed_is_marked_absent(
    bundle: dict[str, Any],
) -> None:
    fdi = observation(bundle, "fdi")

    assert fdi["dataAbsentReason"]["coding"][0]["code"] == "not-applicable"
    assert "valueQuantity" not in fdi
    physical = next(
        c for c in fdi["component"] if c["code"]["coding"][0]["code"] == "fdi.physical"
    )
    assert "dataAbsentReason" in physical


def test_patient_reported_scores_are_surveys_performed_by_the_patient(
    bundle: dict[str, Any],
) -> None:
    saq = observation(bundle, "saq")
    [patient] = resources(bundle, "Patient")

    assert saq["category"][0]["coding"][0]["code"] == "survey"
    assert saq["performer"] == [{"reference": f"urn:uuid:{patient['id']}"}]
    assert saq["valueQuantity"]["value"] == 46.67


def appointment(bundle: dict[str, Any], row_id: int) -> dict[str, Any]:
    namespace = clinic_namespace("Facial Palsy Clinic")
    return by_url(bundle)[f"urn:uuid:{resource_id(namespace, 'appointment', row_id)}"]


def test_a_proposed_window_is_a_requested_period_without_a_start(
    bundle: dict[str, Any],
) -> None:
    proposed = appointment(bundle, 30)

    assert proposed["status"] == "proposed"
    assert "start" not in proposed
    assert proposed["requestedPeriod"] == [{"start": "2026-03-13", "end": "2026-03-19"}]
    assert {p["status"] for p in proposed["participant"]} == {"needs-action"}
    [source] = proposed["supportingInformation"]
    assert by_url(bundle)[source["reference"]]["resourceType"] == "Procedure"


@pytest.mark.parametrize(
    ("row_id", "status"), [(31, "booked"), (32, "noshow"), (33, "cancelled")]
)
def test_appointment_statuses_map_to_r4(
    bundle: dict[str, Any], row_id: int, status: str
) -> None:
    assert appointment(bundle, row_id)["status"] == status


def test_a_booked_appointment_has_its_slot_and_clinician(
    bundle: dict[str, Any],
) -> None:
    booked = appointment(bundle, 31)
    actors = {
        by_url(bundle)[p["actor"]["reference"]]["resourceType"]
        for p in booked["participant"]
    }

    assert booked["start"] == "2026-05-31T09:30:00+00:00"
    assert booked["end"] == "2026-05-31T10:00:00+00:00"
    assert actors == {"Patient", "Practitioner"}


def test_an_attended_visit_that_was_never_booked_is_left_out(
    bundle: dict[str, Any],
) -> None:
    namespace = clinic_namespace("Facial Palsy Clinic")

    assert f"urn:uuid:{resource_id(namespace, 'appointment', 34)}" not in by_url(bundle)


def test_an_empty_record_is_just_the_patient() -> None:
    export = PatientExport(patient=make_export().patient)
    bundle = build_patient_bundle(export, make_context())

    Bundle.model_validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]


def test_json_is_one_line_and_keeps_non_ascii_names() -> None:
    patient = replace(make_export().patient, given_name="Zoë", family_name="Ó Briain")
    text = bundle_json(
        build_patient_bundle(PatientExport(patient=patient), make_context())
    )

    assert "\n" not in text
    assert "Zoë" in text
    assert json.loads(text)["entry"][0]["resource"]["name"][0]["family"] == "Ó Briain"


BAD_RECORDS = [
    ("side", lambda: SiteRecord(1, 1, "platysma", "top", "affected", 1, 1, 1)),
    ("units", lambda: SiteRecord(1, 1, "platysma", "left", "affected", 1, 1, 0)),
    (
        "units",
        lambda: SiteRecord(1, 1, "platysma", "left", "affected", 1, 1, float("nan")),
    ),
    ("number", lambda: SiteRecord(1, 0, "platysma", "left", "affected", 1, 1, 1)),
    ("sex", lambda: replace(make_export().patient, sex="f")),
    (
        "performed_at",
        lambda: replace(
            make_export().sessions[0], performed_at=AT.replace(tzinfo=None)
        ),
    ),
    (
        "ends_at",
        lambda: AppointmentRecord(
            1, "review", "booked", date(2026, 1, 1), starts_at=AT
        ),
    ),
    ("diluent_ml", lambda: replace(make_export().lots[0], diluent_ml=-1)),
    (
        "lot 9",
        # A signed session names the lots its sites came from (review rV, V4).
        lambda: make_export(
            sessions=(
                replace(
                    make_export().sessions[0],
                    sites=(replace(make_export().sessions[0].sites[0], lot_id=9),),
                ),
            )
        ),
    ),
    (
        "practitioner 7",
        lambda: make_export(practitioners=(PractitionerRecord(8, "B"),)),
    ),
    (
        "session 77",
        lambda: make_export(
            appointments=(
                AppointmentRecord(
                    1, "review", "proposed", AT.date(), source_session_id=77
                ),
            )
        ),
    ),
    (
        "twice",
        lambda: make_export(
            practitioners=(PractitionerRecord(7, "A"), PractitionerRecord(7, "A"))
        ),
    ),
]


@pytest.mark.parametrize(("named", "build"), BAD_RECORDS)
def test_records_refuse_bad_values_naming_them(named: str, build: Any) -> None:
    with pytest.raises(ValueError, match=named):
        build()


def test_the_timestamp_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timestamp"):
        replace(make_context(), timestamp=AT.replace(tzinfo=None))


def test_a_clinic_needs_a_name() -> None:
    with pytest.raises(ValueError, match="clinic_name"):
        clinic_namespace("  ")
