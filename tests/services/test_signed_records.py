"""A signed record and its amendments: the roles, cycle totals and flags they are
checked with are the ones the record keeps (review of signing and amendment)."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Patient
from planner.services.patients import update_patient
from tests.factories import PATIENT_DEFAULTS
from tests.factories import audit_events
from tests.factories import make_treatment
from tests.factories import sign_treatment

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Each product's vial, in its own units: units are never compared across products.
VIALS = {
    "botox": {"product": "botox", "vial_units": 100, "diluent_ml": 2.5},
    "dysport": {"product": "dysport", "vial_units": 300, "diluent_ml": 2.5},
}


def sites_of(session, session_id):
    return session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == session_id)
        .order_by(col(InjectionSite.number))
    ).all()


def edit_patient(session, actor, patient_id, **changes):
    patient = session.get(Patient, patient_id)
    data = {**PATIENT_DEFAULTS, "mrn": patient.mrn, "version": patient.version}
    update_patient(session, actor, patient_id, {**data, **changes})


def codes(warnings):
    return [w["code"] for w in warnings]


@pytest.mark.parametrize("product", sorted(VIALS))
def test_signing_stores_the_site_roles_its_warnings_were_checked_with(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    units = 1 if product == "botox" else 3
    draft = make_treatment(
        session,
        injector,
        patient.id,
        [("zygomaticus_major", "right", units)],
        when=T0,
        **VIALS[product],
    )
    (site,) = sites_of(session, draft.id)
    assert site.role == "contralateral"
    edit_patient(session, injector, patient.id, affected_side="right")
    sign_treatment(session, injector, draft, when=T0)

    session.refresh(draft.record)
    assert "smile_muscle_affected_side" in codes(draft.record.warnings)
    (site,) = sites_of(session, draft.id)
    assert site.role == "affected"
    changed = [
        e
        for e in audit_events(session, "injection_site")
        if e.action == "update" and e.entity_id == site.id
    ]
    assert [(e.before["role"], e.after["role"]) for e in changed] == [
        ("contralateral", "affected")
    ]
    assert changed[0].after["version"] == changed[0].before["version"] + 1
