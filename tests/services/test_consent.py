"""Consent in the services: signing, versions, age, withdrawal, the chart rule."""

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentKind
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models import Patient
from planner.models import TreatmentSession
from planner.services import consent as service
from planner.services import consent_forms
from planner.services import consent_status
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from planner.services.photos import consent_state
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import give_consent
from tests.factories import make_demo_patient
from tests.factories import make_treatment

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
STROKES = json.dumps([[[20, 150], [80, 40], [140, 150]], [[200, 100], [400, 110]]])
PRODUCTS = {
    "botox": {"units": 2},
    "dysport": {"units": 10, "vial_units": 300, "diluent_ml": 1.5},
}


def sign_drawn(session, actor, patient_id, *, when=WHEN, kind=ConsentKind.TREATMENT):
    form = consent_forms.current_form(session, kind)
    return service.sign_consent(
        session,
        actor,
        patient_id,
        kind,
        {
            "form_id": form.id,
            "printed_name": "Ada Okafor",
            "method": "drawn",
            "strokes": STROKES,
        },
        now=when,
    )


def chart(session, actor, patient_id, product, when=WHEN):
    options = dict(PRODUCTS[product])
    units = options.pop("units")
    return make_treatment(
        session,
        actor,
        patient_id,
        [("mentalis", "left", units)],
        when=when,
        product=product,
        **options,
    )


def sign_chart(session, actor, treatment, when=WHEN):
    warnings = chart_state(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=when
    ).warnings
    return session_service.sign_session(
        session,
        actor,
        treatment.id,
        {
            "version": treatment.version,
            "consent_obtained": True,
            "reasons": {w.key: "Agreed." for w in warnings},
        },
        zone=ZONE,
        now=when,
    )


def refusal(session, actor, treatment, when=WHEN) -> str:
    with pytest.raises(InvalidInput) as refused:
        sign_chart(session, actor, treatment, when)
    return refused.value.fields["consent"]


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_a_chart_is_signed_only_with_valid_consent(
    session, injector, make_patient, product
):
    patient = make_patient()
    treatment = chart(session, injector, patient.id, product)
    message = refusal(session, injector, treatment)
    assert "has not signed the treatment consent form" in message
    assert session.get(TreatmentSession, treatment.id).status == "draft"

    record = sign_drawn(session, injector, patient.id, when=WHEN - timedelta(minutes=5))
    assert record.strokes[0][0] == [20.0, 150.0]
    assert record.witness_id == injector.user_id
    signed = sign_chart(session, injector, treatment)
    assert signed.status == "signed"

    (event,) = audit_events(session, "consent_record")
    assert event.action == "sign"
    assert event.patient_id == patient.id
    assert event.after["form_version"] == 1
    assert event.after["printed_name"] == "Ada Okafor"
    assert event.after["strokes"] == 2


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_a_new_form_version_asks_for_re_consent_and_keeps_the_old(
    session, injector, make_patient, make_user, product
):
    patient = make_patient()
    sign_drawn(session, injector, patient.id, when=WHEN - timedelta(days=30))
    old = consent_forms.current_form(session, ConsentKind.TREATMENT)
    old_body = old.body
    admin = make_user()
    new = consent_forms.save_form_version(
        session,
        service_actor(admin),
        ConsentKind.TREATMENT,
        {"title": old.title, "body": old.body + "\n\nA new line.", "version": 1},
        now=WHEN - timedelta(days=1),
    )
    assert new.version == 2
    stored = session.exec(select(ConsentForm).order_by(col(ConsentForm.id))).all()
    assert [(f.kind, f.version) for f in stored] == [("treatment", 1), ("treatment", 2)]
    assert stored[0].body == old_body
    (created,) = [e for e in audit_events(session, "consent_form") if e.actor_id]
    assert created.after["version"] == 2

    treatment = chart(session, injector, patient.id, product)
    message = refusal(session, injector, treatment)
    assert "signed version 1" in message
    assert "now version 2" in message
    sign_drawn(session, injector, patient.id, when=WHEN - timedelta(minutes=1))
    assert sign_chart(session, injector, treatment).status == "signed"


def service_actor(user):
    from planner.services.audit import Actor

    return Actor(user.id, user.email)


def test_a_stale_or_unchanged_form_edit_is_refused(session, make_user):
    admin = service_actor(make_user())
    current = consent_forms.current_form(session, ConsentKind.PHOTOGRAPHY)
    same = {"title": current.title, "body": current.body, "version": 1}
    with pytest.raises(InvalidInput) as unchanged:
        consent_forms.save_form_version(
            session, admin, ConsentKind.PHOTOGRAPHY, same, now=WHEN
        )
    assert "body" in unchanged.value.fields
    edited = {**same, "body": same["body"] + " More."}
    consent_forms.save_form_version(
        session, admin, ConsentKind.PHOTOGRAPHY, edited, now=WHEN
    )
    with pytest.raises(StaleWrite):
        consent_forms.save_form_version(
            session, admin, ConsentKind.PHOTOGRAPHY, edited, now=WHEN
        )
    with pytest.raises(InvalidInput) as short:
        consent_forms.save_form_version(
            session,
            admin,
            ConsentKind.PHOTOGRAPHY,
            {"title": "", "body": "x", "version": 2},
            now=WHEN,
        )
    assert set(short.value.fields) == {"title", "body"}


def test_consent_older_than_the_clinic_age_asks_again(session, injector, make_patient):
    patient = make_patient()
    give_consent(session, injector, patient.id, when=WHEN - timedelta(days=400))
    treatment = chart(session, injector, patient.id, "botox")
    message = refusal(session, injector, treatment)
    assert "more than 12 months ago" in message

    setting = get_setting(session, "consent_valid_months")
    assert setting.unsourced
    update_setting(
        session, injector, "consent_valid_months", 24, version=setting.version, now=WHEN
    )
    assert sign_chart(session, injector, treatment).status == "signed"


def test_withdrawn_treatment_consent_blocks_signing(session, injector, make_patient):
    patient = make_patient()
    record = give_consent(session, injector, patient.id, when=WHEN - timedelta(days=3))
    service.withdraw_consent(
        session,
        injector,
        record.id,
        {"reason": "Wants to think about it."},
        now=WHEN - timedelta(days=1),
    )
    assert record.withdrawn_by_id == injector.user_id
    treatment = chart(session, injector, patient.id, "dysport")
    message = refusal(session, injector, treatment)
    assert "withdrew" in message
    withdrawn = [
        e for e in audit_events(session, "consent_record") if e.action == "update"
    ]
    assert withdrawn[0].after["withdrawal_reason"] == "Wants to think about it."
    with pytest.raises(Conflict):
        service.withdraw_consent(
            session, injector, record.id, {"reason": "x" * 5}, now=WHEN
        )
    with pytest.raises(InvalidInput) as blank:
        service.withdraw_consent(session, injector, record.id, {"reason": ""}, now=WHEN)
    assert "reason" in blank.value.fields


def test_consent_held_elsewhere_counts_with_its_reason(session, injector, make_patient):
    patient = make_patient()
    form = consent_forms.current_form(session, ConsentKind.TREATMENT)
    with pytest.raises(InvalidInput) as short:
        service.record_elsewhere(
            session,
            injector,
            patient.id,
            ConsentKind.TREATMENT,
            {"form_id": form.id, "reason": "x"},
            now=WHEN,
        )
    assert "reason" in short.value.fields
    service.record_elsewhere(
        session,
        injector,
        patient.id,
        ConsentKind.TREATMENT,
        {"form_id": form.id, "reason": "Paper form scanned into the hospital record"},
        now=WHEN - timedelta(hours=1),
    )
    treatment = chart(session, injector, patient.id, "botox")
    assert sign_chart(session, injector, treatment).status == "signed"
    (status,) = [
        s
        for s in consent_status.consent_overview(
            session, patient.id, now=WHEN, zone=ZONE
        )
        if s.kind == ConsentKind.TREATMENT
    ]
    assert status.decision.valid
    assert "Paper form scanned" in status.decision.message


def test_bad_signatures_are_refused_by_field_and_nothing_is_saved(
    session, injector, make_patient
):
    patient = make_patient()
    form = consent_forms.current_form(session, ConsentKind.TREATMENT)
    base = {"form_id": form.id, "printed_name": "Ada Okafor"}
    cases = [
        ({**base, "method": "drawn", "strokes": "[[[1, 2]]]"}, "strokes"),
        ({**base, "method": "drawn", "strokes": "{}"}, "strokes"),
        ({**base, "method": "typed"}, "typed_confirm"),
        ({**base, "method": "recorded", "typed_confirm": True}, "method"),
        ({**base, "method": "scribble"}, "method"),
        (
            {**base, "printed_name": " ", "method": "typed", "typed_confirm": True},
            "printed_name",
        ),
        (
            {**base, "form_id": form.id + 99, "method": "typed", "typed_confirm": True},
            "form_id",
        ),
        ({**base, "method": "typed", "typed_confirm": True, "extra": "x"}, "extra"),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInput) as refused:
            service.sign_consent(
                session, injector, patient.id, ConsentKind.TREATMENT, data, now=WHEN
            )
        assert field in refused.value.fields, (data, refused.value.fields)
    assert session.exec(select(ConsentRecord)).all() == []


def test_photography_consent_opens_and_its_withdrawal_stops_capture(
    session, injector, make_patient
):
    patient = make_patient()
    assert not consent_state(session, patient.id).allows_capture
    record = sign_drawn(session, injector, patient.id, kind=ConsentKind.PHOTOGRAPHY)
    assert consent_state(session, patient.id).allows_capture
    service.withdraw_consent(
        session, injector, record.id, {"reason": "Not given."}, now=WHEN
    )
    state = consent_state(session, patient.id)
    assert not state.allows_capture
    assert state.hidden
    assert "Not given." in (state.note or "")
    assert [e.action for e in audit_events(session, "photo_consent")] == [
        "create",
        "create",
    ]


def test_the_demo_clinic_records_consent_before_each_full_treatment(app, session):
    from planner.db import get_engine

    patient = make_demo_patient(get_engine(app), session, patients=3, cycles=2, seed=4)
    records = session.exec(
        select(ConsentRecord).where(
            ConsentRecord.patient_id == patient.id, ConsentRecord.kind == "treatment"
        )
    ).all()
    fulls = session.exec(
        select(TreatmentSession).where(
            TreatmentSession.patient_id == patient.id, TreatmentSession.kind == "full"
        )
    ).all()
    assert len(records) == len(fulls) >= 1
    assert {r.method for r in records} == {"recorded"}
    assert all(
        r.printed_name == session.get(Patient, patient.id).full_name for r in records
    )
    for full in fulls:
        assert any(r.signed_at < full.performed_at for r in records)


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_consent_given_after_the_treatment_does_not_cover_it(
    session, injector, make_patient, product
):
    patient = make_patient()
    treated = WHEN - timedelta(days=2)
    treatment = chart(session, injector, patient.id, product, when=treated)
    give_consent(session, injector, patient.id, when=WHEN)
    message = refusal(session, injector, treatment)
    assert "after the treatment on 31 Oct 2026, so it does not cover it" in message
    assert "has not signed the treatment consent form" in message
    record = session.get(TreatmentSession, treatment.id)
    assert record.status == "draft"
    assert record.signed_at is None


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_consent_expired_by_the_treatment_day_is_refused_though_renewed_since(
    session, injector, make_patient, product
):
    patient = make_patient()
    give_consent(session, injector, patient.id, when=WHEN - timedelta(days=400))
    treated = WHEN - timedelta(days=3)
    treatment = chart(session, injector, patient.id, product, when=treated)
    give_consent(session, injector, patient.id, when=WHEN - timedelta(days=1))
    message = refusal(session, injector, treatment)
    assert "does not cover it" in message
    assert "more than 12 months ago" in message


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_consent_valid_at_the_treatment_signs_on_a_later_day(
    session, injector, make_patient, product
):
    patient = make_patient()
    record = give_consent(session, injector, patient.id, when=WHEN - timedelta(days=5))
    treated = WHEN - timedelta(days=3)
    treatment = chart(session, injector, patient.id, product, when=treated)
    # Withdrawn after the injections: it still covered them.
    service.withdraw_consent(
        session, injector, record.id, {"reason": "Changed their mind."}, now=WHEN
    )
    signed = sign_chart(session, injector, treatment)
    assert signed.status == "signed"
    assert signed.performed_at.astimezone(UTC) == treated


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_a_form_version_published_after_the_treatment_does_not_undo_its_consent(
    session, injector, make_patient, make_user, product
):
    """Consent on version 1, treatment, then version 2 published: the draft signs
    (the patient signed the form in use when treated); a new chart asks again."""
    patient = make_patient()
    sign_drawn(session, injector, patient.id, when=WHEN - timedelta(days=30))
    treatment = chart(
        session, injector, patient.id, product, when=WHEN - timedelta(days=3)
    )
    old = consent_forms.current_form(session, ConsentKind.TREATMENT)
    consent_forms.save_form_version(
        session,
        service_actor(make_user()),
        ConsentKind.TREATMENT,
        {"title": old.title, "body": old.body + "\n\nA new line.", "version": 1},
        now=WHEN - timedelta(days=1),
    )

    assert sign_chart(session, injector, treatment).status == "signed"
    later = chart(session, injector, patient.id, product, when=WHEN)
    message = refusal(session, injector, later)
    assert "signed version 1" in message
    assert "now version 2" in message
