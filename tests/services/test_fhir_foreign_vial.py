"""The FHIR export of a session whose vial is of another product than the session.

No service makes one today, but older rows may hold it (a session's product was
changed without its vial). The export names the vial as recorded, with its own
product, and never puts two products' units in one resource.
"""

import json
import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session
from sqlmodel import select

from planner.errors import UnexportableRecord
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.fhir_export import export_patient
from tests.factories import FACE_MAP
from tests.factories import make_treatment

WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
CLINIC = "Facial Palsy Clinic"
# The vial each case opens, and the product its session is changed to.
CASES = {"botox": ("botox", 100, "dysport"), "dysport": ("dysport", 300, "botox")}
UNIT_CODE = re.compile(r"\{[A-Za-z0-9._-]+_U\}")

EXEMPT = pytest.mark.audit_exempt(
    "changes a session's product without its vial as a raw row: no service does,"
    " older rows may",
    tables=["treatment_session"],
)


def foreign_vial_session(
    session: Session, actor: Actor, patient: Patient, vial_product: str, *, sign: bool
) -> tuple[TreatmentSession, str]:
    """Chart mentalis on a vial of ``vial_product``, then change the session's
    product (only) to the other; return the session and its new product code."""
    product, vial_units, other = CASES[vial_product]
    assert patient.id is not None
    treatment = make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", 4)],
        when=WHEN,
        sign=sign,
        product=product,
        vial_units=vial_units,
        lot_number="LOT77",
    )
    changed = session.exec(select(Product).where(Product.code == other)).one()
    record = session.get(TreatmentSession, treatment.id)
    assert record is not None
    assert changed.id is not None
    record.product_id = changed.id
    session.add(record)
    session.commit()
    return record, other


def resources(body: str) -> list[dict[str, Any]]:
    bundle = json.loads(body)
    Bundle.model_validate(bundle)
    return [entry["resource"] for entry in bundle["entry"]]


def unit_codes(resource: dict[str, Any]) -> set[str]:
    return set(UNIT_CODE.findall(json.dumps(resource)))


@EXEMPT
@pytest.mark.parametrize("vial_product", ["botox", "dysport"])
def test_a_signed_session_on_another_products_vial_exports_what_is_recorded(
    session: Session,
    injector: Actor,
    make_patient: Callable[..., Patient],
    vial_product: str,
) -> None:
    patient = make_patient()
    record, session_product = foreign_vial_session(
        session, injector, patient, vial_product, sign=True
    )
    assert patient.id is not None

    exported = export_patient(
        session, injector, patient.id, face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )

    found = resources(exported.body)
    # Never two products' units in one resource.
    assert all(len(unit_codes(resource)) <= 1 for resource in found)
    medications = [r for r in found if r["resourceType"] == "Medication"]
    [vial] = [m for m in medications if "batch" in m]
    # The vial as recorded, with its own product and units.
    assert vial["batch"]["lotNumber"] == "LOT77"
    assert vial["code"]["coding"][0]["code"] == vial_product
    assert unit_codes(vial) == {f"{{{vial_product}_U}}"}
    [given] = [r for r in found if r["resourceType"] == "MedicationAdministration"]
    # The dose stays in the session's product, as charted, and its medication
    # is that product, not the other product's vial.
    assert given["dosage"]["dose"]["code"] == f"{{{session_product}_U}}"
    medication = next(
        m
        for m in medications
        if given["medicationReference"]["reference"].endswith(m["id"])
    )
    assert medication["code"]["coding"][0]["code"] == session_product
    assert "batch" not in medication
    assert " mL" not in given["dosage"]["text"]
    assert any("LOT77" in note["text"] for note in given["note"])
    [procedure] = [r for r in found if r["resourceType"] == "Procedure"]
    assert {ref["reference"] for ref in procedure["usedReference"]} == {
        f"urn:uuid:{vial['id']}",
        f"urn:uuid:{medication['id']}",
    }
    assert any("LOT77" in note["text"] for note in procedure["note"])


@EXEMPT
@pytest.mark.parametrize("vial_product", ["botox", "dysport"])
def test_a_draft_on_another_products_vial_exports_in_progress(
    session: Session,
    injector: Actor,
    make_patient: Callable[..., Patient],
    vial_product: str,
) -> None:
    patient = make_patient()
    record, session_product = foreign_vial_session(
        session, injector, patient, vial_product, sign=False
    )
    assert patient.id is not None

    exported = export_patient(
        session, injector, patient.id, face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )

    found = resources(exported.body)
    assert all(len(unit_codes(resource)) <= 1 for resource in found)
    [procedure] = [r for r in found if r["resourceType"] == "Procedure"]
    assert procedure["status"] == "in-progress"
    codes = {
        m["code"]["coding"][0]["code"]
        for m in found
        if m["resourceType"] == "Medication"
    }
    assert codes == {vial_product, session_product}


ZERO_DOSE = pytest.mark.audit_exempt(
    "sets a signed site's dose to zero as a raw row: no service does",
    tables=["injection_site"],
)


def zero_dose_patient(
    session: Session,
    actor: Actor,
    make_patient: Callable[..., Patient],
    product: str,
) -> tuple[Patient, int]:
    """Sign one site of ``product``, then set its dose to zero past the forms."""
    patient = make_patient()
    assert patient.id is not None
    _, vial_units, _ = CASES[product]
    treatment = make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", 4)],
        when=WHEN,
        sign=True,
        product=product,
        vial_units=vial_units,
    )
    site = session.exec(
        select(InjectionSite).where(InjectionSite.session_id == treatment.id)
    ).one()
    site.units = 0
    session.add(site)
    session.commit()
    assert site.id is not None
    return patient, site.id


@ZERO_DOSE
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_record_the_export_cannot_carry_is_refused_by_name(
    session: Session,
    injector: Actor,
    make_patient: Callable[..., Patient],
    product: str,
) -> None:
    patient, site_id = zero_dose_patient(session, injector, make_patient, product)
    assert patient.id is not None

    with pytest.raises(UnexportableRecord) as refused:
        export_patient(
            session,
            injector,
            patient.id,
            face_map=FACE_MAP,
            clinic_name=CLINIC,
            now=NOW,
        )
    assert refused.value.status == 422
    assert f"injection site {site_id}" in refused.value.message
    assert "units" in refused.value.message
