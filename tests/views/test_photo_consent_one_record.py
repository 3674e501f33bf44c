"""The photos page and the consent page keep one photography consent (review rF, RF4).

A withdrawal recorded on the photos page withdraws the signed form too, with
the same reason, in the trail; consent after a withdrawn signed form takes a new
signature or consent held elsewhere with its reason, as the consent page asks.
Photography consent is the same whatever product is injected: no product here.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentKind
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import ConsentRecord
from planner.models import Role
from planner.models.photos import PhotoConsentRecord
from planner.services import photos as photo_service
from planner.services.audit import Actor
from planner.services.consent_forms import current_form
from planner.vocabulary import PhotoConsent
from tests.factories import give_consent

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
REASON = "Does not want photographs kept"


@pytest.fixture
def signed(session, login_as, make_patient):
    """An injector's browser, an actor, and a patient who signed the photo form."""
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")
    patient = make_patient()
    give_consent(session, actor, patient.id, when=WHEN, kind=ConsentKind.PHOTOGRAPHY)
    return browser, actor, patient


def on_photos_page(browser, patient_id, consent, note=""):
    return browser.post_form(
        f"/patients/{patient_id}/photos/consent", {"consent": consent, "note": note}
    )


def consent_page_state(browser, patient_id):
    page = browser.get(f"/patients/{patient_id}/consent").get_data(as_text=True)
    found = re.search(r'id="state-photography"><strong>(.*?)</strong>(.*?)</p>', page)
    assert found is not None
    return found.group(1), found.group(2).replace("&#39;", "'").strip()


def photo_form(session):
    session.expire_all()
    return session.exec(
        select(ConsentRecord).where(ConsentRecord.kind == ConsentKind.PHOTOGRAPHY)
    ).one()


def test_withdrawal_on_the_photos_page_withdraws_the_signed_form(signed, session):
    browser, _actor, patient = signed
    assert consent_page_state(browser, patient.id)[0] == "Valid."
    refused = on_photos_page(browser, patient.id, "withdrawn")
    assert refused.status_code == 400
    assert "Note is needed" in refused.get_data(as_text=True)
    assert photo_form(session).withdrawn_at is None
    assert photo_service.consent_state(session, patient.id).allows_capture
    assert on_photos_page(browser, patient.id, "withdrawn", REASON).status_code == 302
    form = photo_form(session)
    assert form.withdrawn_at is not None
    assert form.withdrawal_reason == REASON
    assert photo_service.consent_state(session, patient.id).hidden
    state, words = consent_page_state(browser, patient.id)
    assert state == "Not in force."
    assert REASON in browser.get(f"/patients/{patient.id}/consent").get_data(
        as_text=True
    )
    audited = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "consent_record",
            AuditEvent.action == AuditAction.UPDATE,
        )
    ).one()
    assert audited.entity_id == form.id
    assert audited.after["withdrawal_reason"] == REASON


@pytest.mark.parametrize("where", ["consent page", "photos page"])
@pytest.mark.parametrize("answer", ["clinical", "teaching"])
def test_consent_after_a_withdrawn_signed_form_needs_a_new_one(
    signed, session, where, answer
):
    browser, _actor, patient = signed
    if where == "consent page":
        form = photo_form(session)
        done = browser.post_form(f"/consent/{form.id}/withdraw", {"reason": REASON})
    else:
        done = on_photos_page(browser, patient.id, "withdrawn", REASON)
    assert done.status_code == 302
    refused = on_photos_page(browser, patient.id, answer)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True).replace("&#39;", "'")
    assert "withdrew the signed photography consent form" in text
    assert "held elsewhere" in text
    assert photo_service.consent_state(session, patient.id).hidden
    assert consent_page_state(browser, patient.id)[0] == "Not in force."
    page = browser.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
    assert f"/patients/{patient.id}/consent#kind-photography" in page
    # Consent held elsewhere, with its reason, as the consent page records it.
    form_id = current_form(session, ConsentKind.PHOTOGRAPHY).id
    elsewhere = browser.post_form(
        f"/patients/{patient.id}/consent/photography/elsewhere",
        {"form_id": form_id, "reason": "Paper form signed in outpatients"},
    )
    assert elsewhere.status_code == 302
    assert photo_service.consent_state(session, patient.id).allows_capture
    assert consent_page_state(browser, patient.id)[0] == "Valid."
    assert on_photos_page(browser, patient.id, answer).status_code == 302
    assert photo_service.consent_state(session, patient.id).consent == answer


@pytest.mark.audit_exempt(
    "rows as the photos page wrote them before the fix", tables=["photo_consent"]
)
def test_records_that_disagreed_before_are_shown_alike(signed, session):
    """Records written before the two were kept as one: a photo-page withdrawal
    that left the form valid, and a photo-page consent after a withdrawn form."""
    browser, actor, patient = signed
    session.add(
        PhotoConsentRecord(
            consent=PhotoConsent.WITHDRAWN,
            note="Withdrawn at the desk",
            patient_id=patient.id,
            recorded_by_id=actor.user_id,
            recorded_at=WHEN + timedelta(days=1),
        )
    )
    session.commit()
    state, words = consent_page_state(browser, patient.id)
    assert state == "Not in force."
    assert words == "Withdrawn on the photos page on 3 Mar 2026: Withdrawn at the desk"
    form = photo_form(session)
    done = browser.post_form(f"/consent/{form.id}/withdraw", {"reason": REASON})
    assert done.status_code == 302
    session.add(
        PhotoConsentRecord(
            consent=PhotoConsent.CLINICAL,
            patient_id=patient.id,
            recorded_by_id=actor.user_id,
            recorded_at=WHEN + timedelta(days=3),
        )
    )
    session.commit()
    session.expire_all()
    state = photo_service.consent_state(session, patient.id)
    assert state.hidden
    assert state.signed_withdrawn
    assert consent_page_state(browser, patient.id)[0] == "Not in force."
    latest = session.exec(
        select(PhotoConsentRecord).order_by(col(PhotoConsentRecord.id).desc())
    ).first()
    assert latest.consent == PhotoConsent.CLINICAL


def test_without_a_signed_form_the_photos_page_alone_decides(
    session, login_as, make_patient
):
    browser = login_as(Role.INJECTOR)
    patient = make_patient()
    assert on_photos_page(browser, patient.id, "withdrawn").status_code == 302
    assert on_photos_page(browser, patient.id, "clinical").status_code == 302
    assert photo_service.consent_state(session, patient.id).allows_capture
