"""The FHIR downloads: demo patients exported over HTTP, validated and read back."""

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.procedure import Procedure
from flask import Flask
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.interop.fhir_codes import INJECTION_POINT
from planner.interop.fhir_codes import LATERALITY
from planner.interop.fhir_codes import MUSCLE_SYSTEM
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models import TreatmentSession
from planner.models import VialLot
from tests.conftest import Browser

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SIDE_OF_CODE = {"24028007": "right", "7771000": "left"}
# (performed at, site number, muscle, side, units, unit, lot number)
SiteKey = tuple[str, int, str, str, float, str, str | None]


@pytest.fixture
def demo(app: Flask, session: Session) -> list[Patient]:
    """Seed three demo patients with a few cycles each; return them."""
    seed_demo(get_engine(app), patients=3, cycles=3, seed=21, now=NOW)
    return list(session.exec(select(Patient).order_by(col(Patient.id))))


def stored_sites(session: Session, patient_id: int) -> Counter[SiteKey]:
    """Every injection site the database holds for the patient, as round-trip keys."""
    rows = session.exec(
        select(InjectionSite, TreatmentSession, Product, VialLot)
        .join(TreatmentSession, col(TreatmentSession.id) == InjectionSite.session_id)
        .join(Product, col(Product.id) == TreatmentSession.product_id)
        .outerjoin(VialLot, col(VialLot.id) == TreatmentSession.vial_lot_id)
        .where(TreatmentSession.patient_id == patient_id)
    ).all()
    return Counter(
        (
            record.performed_at.astimezone(UTC).isoformat(),
            site.number,
            site.muscle,
            site.side.value,
            site.units,
            product.unit_name,
            None if lot is None else lot.lot_number,
        )
        for site, record, product, lot in rows
    )


def exported_sites(bundle: Bundle) -> Counter[SiteKey]:
    """Read every site back out of a parsed Bundle, through its references."""
    resources = {entry.fullUrl: entry.resource for entry in bundle.entry or []}
    found: Counter[SiteKey] = Counter()
    for resource in resources.values():
        if not isinstance(resource, MedicationAdministration):
            continue
        dosage = resource.dosage
        assert dosage is not None
        assert dosage.dose is not None
        assert dosage.site is not None
        [procedure_ref] = resource.partOf or []
        procedure = resources[procedure_ref.reference]
        assert isinstance(procedure, Procedure)
        assert resource.medicationReference is not None
        medication = resources[resource.medicationReference.reference]
        assert isinstance(medication, Medication)
        [muscle] = [
            c.code for c in dosage.site.coding or [] if c.system == MUSCLE_SYSTEM
        ]
        laterality = [e for e in dosage.site.extension or [] if e.url == LATERALITY]
        side = (
            SIDE_OF_CODE[laterality[0].valueCodeableConcept.coding[0].code]
            if laterality
            else "midline"
        )
        [point] = [e for e in resource.extension or [] if e.url == INJECTION_POINT]
        parts = {part.url: part for part in point.extension or []}
        assert parts["side"].valueCode == side
        assert isinstance(dosage.dose.value, Decimal | float | int)
        found[
            (
                procedure.performedDateTime.isoformat(),
                parts["number"].valuePositiveInt,
                muscle,
                side,
                float(dosage.dose.value),
                dosage.dose.unit,
                None if medication.batch is None else medication.batch.lotNumber,
            )
        ] += 1
    return found


def test_each_demo_patient_exports_a_valid_bundle_with_every_site_once(
    login_as: Callable[..., Browser], session: Session, demo: list[Patient]
) -> None:
    injector = login_as(Role.INJECTOR)
    for patient in demo:
        assert patient.id is not None
        response = injector.get(f"/patients/{patient.id}/fhir.json")
        assert response.status_code == 200
        assert response.mimetype == "application/fhir+json"
        bundle = Bundle.model_validate_json(response.get_data(as_text=True))

        expected = stored_sites(session, patient.id)
        assert sum(expected.values()) > 10
        assert exported_sites(bundle) == expected
        [fhir_patient] = [
            e.resource
            for e in bundle.entry or []
            if isinstance(e.resource, FhirPatient)
        ]
        assert fhir_patient.identifier[0].value == patient.mrn
        assert fhir_patient.birthDate == patient.date_of_birth


def test_the_download_is_named_by_mrn_not_by_name(
    login_as: Callable[..., Browser], demo: list[Patient]
) -> None:
    patient = demo[0]
    response = login_as(Role.ADMIN).get(f"/patients/{patient.id}/fhir.json")
    disposition = response.headers["Content-Disposition"]

    assert disposition.startswith(f'attachment; filename="fhir-{patient.mrn}-')
    assert disposition.endswith('.json"')
    assert patient.family_name not in disposition
    assert response.headers["Cache-Control"] == "no-store"


def test_a_file_name_keeps_only_safe_characters_of_the_mrn(
    login_as: Callable[..., Browser], make_patient: Callable[..., Patient]
) -> None:
    patient = make_patient(mrn="AB/12.3")
    response = login_as(Role.INJECTOR).get(f"/patients/{patient.id}/fhir.json")

    assert 'filename="fhir-AB-12-3-' in response.headers["Content-Disposition"]


def test_each_export_is_audited_with_who_and_whom(
    login_as: Callable[..., Browser], session: Session, demo: list[Patient]
) -> None:
    browser = login_as(Role.INJECTOR)
    patient = demo[1]
    browser.get(f"/patients/{patient.id}/fhir.json")
    [event_row] = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()

    assert event_row.actor_email is not None
    assert event_row.actor_email.startswith("user")
    assert (event_row.entity_type, event_row.patient_id) == ("patient", patient.id)


@pytest.mark.parametrize(
    ("role", "patient_status", "all_status"),
    [(Role.ADMIN, 200, 200), (Role.INJECTOR, 200, 403), (Role.STAFF, 403, 403)],
)
def test_clinicians_export_a_patient_and_only_admins_the_clinic(
    login_as: Callable[..., Browser],
    session: Session,
    make_patient: Callable[..., Patient],
    role: Role,
    patient_status: int,
    all_status: int,
) -> None:
    patient = make_patient()
    browser = login_as(role)

    assert browser.get(f"/patients/{patient.id}/fhir.json").status_code == (
        patient_status
    )
    assert browser.get("/exports/fhir.ndjson").status_code == all_status
    exports = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()
    assert len(exports) == [patient_status, all_status].count(200)


def test_an_unknown_patient_is_not_found(login_as: Callable[..., Browser]) -> None:
    browser = login_as(Role.ADMIN)

    assert browser.get("/patients/999999/fhir.json").status_code == 404
    assert browser.get("/patients/99999999999999/fhir.json").status_code == 404


def test_options_are_refused_naming_them(
    login_as: Callable[..., Browser], make_patient: Callable[..., Patient]
) -> None:
    patient = make_patient()
    browser = login_as(Role.ADMIN)
    headers = {"Accept": "application/json"}

    one = browser.get(f"/patients/{patient.id}/fhir.json?since=2020", headers=headers)
    every = browser.get("/exports/fhir.ndjson?identified=0", headers=headers)

    assert one.status_code == every.status_code == 400
    assert one.get_json()["fields"] == {"since": "is not an option of this export"}
    assert every.get_json()["fields"] == {
        "identified": "is not an option of this export"
    }


def test_the_clinic_export_streams_one_valid_bundle_per_patient(
    login_as: Callable[..., Browser], session: Session, demo: list[Patient]
) -> None:
    response = login_as(Role.ADMIN).get("/exports/fhir.ndjson")

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/fhir+ndjson"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="fhir-all-patients-'
    )
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == len(demo)
    for line, patient in zip(lines, demo, strict=True):
        assert patient.id is not None
        bundle = Bundle.model_validate_json(line)
        assert exported_sites(bundle) == stored_sites(session, patient.id)
        first = json.loads(line)["entry"][0]["resource"]
        assert first["identifier"][0]["value"] == patient.mrn
    [event_row] = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()
    assert event_row.after is not None
    assert event_row.after["patients"] == len(demo)


def link_shown(browser: Browser, patient_id: int | None) -> bool:
    page = browser.get(f"/patients/{patient_id}").get_data(as_text=True)
    return f'href="/patients/{patient_id}/fhir.json"' in page


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.ADMIN, True), (Role.INJECTOR, True), (Role.STAFF, False)]
)
def test_the_patient_page_offers_the_export_to_clinicians(
    login_as: Callable[..., Browser],
    make_patient: Callable[..., Patient],
    role: Role,
    shown: bool,
) -> None:
    patient = make_patient()

    assert link_shown(login_as(role), patient.id) is shown


def test_a_bundle_parses_into_typed_resources(
    login_as: Callable[..., Browser], demo: list[Patient]
) -> None:
    body = login_as(Role.ADMIN).get(f"/patients/{demo[2].id}/fhir.json")
    bundle = Bundle.model_validate_json(body.get_data(as_text=True))
    kinds: dict[str, Any] = Counter(
        type(e.resource).__name__ for e in bundle.entry or []
    )

    assert kinds["Patient"] == 1
    assert kinds["Procedure"] >= 3
    assert kinds["Observation"] >= 1
    assert kinds["Appointment"] >= 1
    assert kinds["MedicationAdministration"] > kinds["Procedure"]
