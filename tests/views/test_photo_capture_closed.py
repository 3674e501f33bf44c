"""The photo pages when the signed photography consent form has lapsed.

The photos page and the capture page say why no photo can be taken and link to
the consent page; an upload or a retake is refused with the same words and
nothing is stored; the photos already taken are still shown (expiry is not
withdrawal). The clinic's clock is late evening UTC on the day before the form
expires, already the expiry day in London. Botox and Dysport cycles alike.
"""

import io
from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.consent import ConsentKind
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models.photos import Photo
from planner.services import photos as photo_service
from planner.services.audit import Actor
from tests.factories import ZONE
from tests.factories import give_consent
from tests.photo_images import face_jpeg
from tests.services.test_photo_consent_in_force import treat

SIGNED = datetime(2025, 6, 15, 10, tzinfo=UTC)
LAST_DAY_LATE = datetime(2026, 6, 14, 22, 30, tzinfo=UTC)
EXPIRY_DAY_LATE_UTC = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
REASON = "more than 12 months ago (the clinic&#39;s re-consent age)"


@pytest.fixture(params=["botox", "dysport"])
def lapsed(request, session, login_as, make_patient, monkeypatch):
    """A browser on the expiry day, a patient, their cycle and a photo taken in time."""
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: EXPIRY_DAY_LATE_UTC)
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")
    patient = make_patient()
    give_consent(session, actor, patient.id, when=SIGNED, kind=ConsentKind.PHOTOGRAPHY)
    treatment = treat(session, actor, patient.id, request.param)
    kept = photo_service.add_photo(
        session,
        actor,
        treatment.id,
        view_code="rest",
        timepoint="review",
        data=face_jpeg(),
        now=LAST_DAY_LATE,
        zone=ZONE,
    )
    return browser, patient, treatment.id, kept.id


def upload(browser, session_id, view="rest"):
    return browser.client.post(
        f"/sessions/{session_id}/photos",
        data={
            "csrf_token": browser.token,
            "view": view,
            "timepoint": "review",
            "photo": (io.BytesIO(face_jpeg()), "face.jpg"),
        },
        content_type="multipart/form-data",
    )


def photo_count(session):
    session.expire_all()
    photos = len(session.exec(select(Photo)).all())
    created = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "photo", AuditEvent.action == AuditAction.CREATE
        )
    ).all()
    return photos, len(created)


def says_why(page, patient_id):
    assert "Photos cannot be taken today" in page
    assert "signed on 15 June 2025" in page
    assert REASON in page
    assert "held elsewhere" in page
    assert f'href="/patients/{patient_id}/consent#kind-photography"' in page


def test_the_photos_page_says_why_and_keeps_the_photos(lapsed):
    browser, patient, _session_id, kept = lapsed
    response = browser.get(f"/patients/{patient.id}/photos")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    says_why(page, patient.id)
    assert "Take photos:" not in page
    assert f"/photos/{kept}/thumbnail.jpg" in page
    assert browser.get(f"/photos/{kept}/thumbnail.jpg").status_code == 200


def test_the_capture_page_says_why_and_offers_no_upload(lapsed):
    browser, patient, session_id, _kept = lapsed
    response = browser.get(f"/sessions/{session_id}/photos/capture?timepoint=review")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    says_why(page, patient.id)
    assert "data-upload" not in page


@pytest.mark.parametrize("view", ["rest", "pucker"], ids=["retake", "new-view"])
def test_an_upload_or_a_retake_is_refused_and_nothing_is_stored(lapsed, session, view):
    browser, patient, session_id, _kept = lapsed
    before = photo_count(session)
    response = upload(browser, session_id, view)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    says_why(page, patient.id)
    assert "Photography consent is not in force" in page
    assert photo_count(session) == before
