"""The FHIR downloads of records that break what the export relies on: never a 500.

A session on a vial of another product exports as recorded; a stored row the
export cannot carry is refused by name (422), and in the whole-clinic NDJSON is
an OperationOutcome line in place of that patient's Bundle.
"""

import json
from collections.abc import Callable

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlmodel import Session

from planner.models import Patient
from planner.models import Role
from planner.services.audit import Actor
from tests.conftest import Browser
from tests.factories import make_treatment
from tests.services.test_fhir_foreign_vial import EXEMPT
from tests.services.test_fhir_foreign_vial import WHEN
from tests.services.test_fhir_foreign_vial import ZERO_DOSE
from tests.services.test_fhir_foreign_vial import foreign_vial_session
from tests.services.test_fhir_foreign_vial import unit_codes
from tests.services.test_fhir_foreign_vial import zero_dose_patient


@EXEMPT
@pytest.mark.parametrize("vial_product", ["botox", "dysport"])
def test_a_session_on_another_products_vial_downloads_as_recorded(
    session: Session,
    injector: Actor,
    login_as: Callable[..., Browser],
    make_patient: Callable[..., Patient],
    vial_product: str,
) -> None:
    patient = make_patient()
    foreign_vial_session(session, injector, patient, vial_product, sign=True)

    response = login_as(Role.INJECTOR).get(f"/patients/{patient.id}/fhir.json")

    assert response.status_code == 200
    bundle = json.loads(response.get_data(as_text=True))
    Bundle.model_validate(bundle)
    assert all(len(unit_codes(e["resource"])) <= 1 for e in bundle["entry"])


@EXEMPT
def test_the_clinic_download_carries_a_session_on_another_products_vial(
    session: Session,
    injector: Actor,
    login_as: Callable[..., Browser],
    make_patient: Callable[..., Patient],
) -> None:
    for vial_product in ("botox", "dysport"):
        foreign_vial_session(session, injector, make_patient(), vial_product, sign=True)

    response = login_as(Role.ADMIN).get("/exports/fhir.ndjson")

    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 2
    for line in lines:
        Bundle.model_validate_json(line)


@ZERO_DOSE
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_record_the_export_cannot_carry_answers_422_naming_it(
    session: Session,
    injector: Actor,
    login_as: Callable[..., Browser],
    make_patient: Callable[..., Patient],
    product: str,
) -> None:
    patient, site_id = zero_dose_patient(session, injector, make_patient, product)
    browser = login_as(Role.INJECTOR)

    page = browser.get(f"/patients/{patient.id}/fhir.json")
    answer = browser.get(
        f"/patients/{patient.id}/fhir.json",
        headers={"Accept": "application/json"},
    )

    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "This record cannot be exported" in text
    assert f"injection site {site_id}" in text
    assert answer.status_code == 422
    body = answer.get_json()
    assert (
        f"injection site {site_id}: units must be a positive number"
        in (body["fields"]["record"])
    )


@ZERO_DOSE
def test_the_clinic_download_says_which_patient_it_left_out_and_goes_on(
    session: Session,
    injector: Actor,
    login_as: Callable[..., Browser],
    make_patient: Callable[..., Patient],
) -> None:
    refused, site_id = zero_dose_patient(session, injector, make_patient, "dysport")
    kept = make_patient()
    assert kept.id is not None
    make_treatment(
        session, injector, kept.id, [("mentalis", "left", 4)], when=WHEN, sign=True
    )

    response = login_as(Role.ADMIN).get("/exports/fhir.ndjson")

    assert response.status_code == 200
    first, second = response.get_data(as_text=True).splitlines()
    outcome = OperationOutcome.model_validate_json(first)
    assert outcome.issue[0].diagnostics is not None
    assert f"Patient {refused.id} was not exported" in outcome.issue[0].diagnostics
    assert f"injection site {site_id}" in outcome.issue[0].diagnostics
    bundle = Bundle.model_validate_json(second)
    assert bundle.entry is not None
    assert bundle.entry[0].resource.identifier[0].value == kept.mrn
