"""A signed record and its amendments: the roles, cycle totals and flags they are
checked with are the ones the record keeps (review of signing and amendment)."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.models import Patient
from planner.services import amendments as amendment_service
from planner.services import dose_rules
from planner.services import sessions as session_service
from planner.services.patients import update_patient
from tests.factories import PATIENT_DEFAULTS
from tests.factories import ZONE
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


# Two corrugator points and a top-up that reach the product's limit per side (its
# label's glabellar figures, in its own units), then a first point corrected up.
CORRUGATOR = {"botox": (2, 4, 3), "dysport": (5, 10, 7.5)}


def amend(session, actor, session_id, site_id, units, when, reasons=None):
    return amendment_service.amend_session(
        session,
        actor,
        session_id,
        {
            "version": session_service.get_session_record(session, session_id).version,
            "reason": "dose recorded wrongly",
            "corrections": [{"site_id": site_id, "units": units}],
            "reasons": reasons or {},
        },
        zone=ZONE,
        now=when,
    )


@pytest.mark.parametrize("product", sorted(CORRUGATOR))
def test_amending_a_full_treatment_counts_its_cycles_later_top_ups(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    point, top_up, corrected = CORRUGATOR[product]
    doses = dose_rules.product_doses(session, product)
    assert doses.per_muscle_side["corrugator"].high == 2 * point + top_up
    full = make_treatment(
        session,
        injector,
        patient.id,
        [("corrugator", "left", point), ("corrugator", "left", point)],
        when=T0,
        sign=True,
        **VIALS[product],
    )
    make_treatment(
        session,
        injector,
        patient.id,
        [("corrugator", "left", top_up)],
        when=T0 + timedelta(days=15),
        sign=True,
        kind="top_up",
        lot_number="T2",
        **VIALS[product],
    )
    first = sites_of(session, full.id)[0]
    later = T0 + timedelta(days=20)
    with pytest.raises(InvalidInput) as refused:
        amend(session, injector, full.id, first.id, corrected, later)
    key = "reasons.muscle_above_limit:corrugator:left"
    assert "given in the rest of this cycle" in refused.value.fields[key]
    amendment = amend(
        session, injector, full.id, first.id, corrected, later, {key[8:]: "As given"}
    )
    assert "muscle_above_limit" in codes(amendment.changes["warnings"])


def test_another_products_top_up_is_not_added_to_an_amended_cycle(
    session, injector, make_patient
):
    patient = make_patient(affected_side="left")
    full = make_treatment(
        session, injector, patient.id, [("corrugator", "left", 3)], when=T0, sign=True
    )
    make_treatment(
        session,
        injector,
        patient.id,
        [("corrugator", "left", 10)],
        when=T0 + timedelta(days=15),
        sign=True,
        kind="top_up",
        lot_number="D2",
        **VIALS["dysport"],
    )
    (site,) = sites_of(session, full.id)
    amendment = amend(session, injector, full.id, site.id, 4, T0 + timedelta(days=20))
    assert "muscle_above_limit" not in codes(amendment.changes["warnings"])


@pytest.mark.parametrize("product", sorted(VIALS))
def test_an_amendment_is_judged_on_the_flags_the_record_was_signed_with(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    full = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 2 if product == "botox" else 6)],
        when=T0,
        sign=True,
        **VIALS[product],
    )
    # Recorded a month later: the record was signed without these flags.
    edit_patient(session, injector, patient.id, toxin_allergy=True, pregnant=True)
    (site,) = sites_of(session, full.id)
    units = 2.5 if product == "botox" else 7
    amendment = amend(session, injector, full.id, site.id, units, T0 + timedelta(31))
    assert not {"toxin_allergy", "pregnant"} & set(codes(amendment.changes["warnings"]))
