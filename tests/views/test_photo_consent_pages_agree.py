"""The photos page, photo capture and the consent page agree on photography consent
recorded only on the photos page.

Recorded 13 months ago (past the clinic's re-consent age) it is not in force on
any of them, each saying why, and no photo is taken; recorded 11 months ago it is
in force on all of them. Recording the answer again on the photos page reopens
capture. The clinic's clock is 20 June 2026; the cycles are Botox and Dysport.
"""

import io
import re
from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models.photos import Photo
from planner.services import photos as photo_service
from planner.services.audit import Actor
from tests.photo_images import face_jpeg
from tests.services.test_photo_consent_in_force import treat

NOW = datetime(2026, 6, 20, 10, tzinfo=UTC)
THIRTEEN_MONTHS_AGO = datetime(2025, 5, 20, 10, tzinfo=UTC)
ELEVEN_MONTHS_AGO = datetime(2025, 7, 20, 10, tzinfo=UTC)
WHY = (
    "Photography consent was recorded on the photos page on 20 May 2025, more "
    "than 12 months ago (the clinic's re-consent age): record the patient's "
    "answer again on the photos page, or ask them to sign the photography "
    "consent form."
)


@pytest.fixture(params=["botox", "dysport"])
def clinic(request, session, login_as, make_patient, monkeypatch):
    """Return an injector's browser on ``NOW`` and a recorder of photos-page answers."""
    for module in ("photos", "consent"):
        monkeypatch.setattr(f"planner.views.{module}.utc_now", lambda: NOW)
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")

    def answered(when):
        patient = make_patient()
        photo_service.record_consent(
            session, actor, patient.id, {"consent": "clinical"}, now=when
        )
        return patient, treat(session, actor, patient.id, request.param).id

    return browser, answered


def text(response):
    return response.get_data(as_text=True).replace("&#39;", "'")


def consent_page_state(browser, patient_id):
    page = text(browser.get(f"/patients/{patient_id}/consent"))
    found = re.search(r'id="state-photography"><strong>(.*?)</strong>(.*?)</p>', page)
    assert found is not None
    return found.group(1), found.group(2).strip()


def capture_page(browser, session_id):
    response = browser.get(f"/sessions/{session_id}/photos/capture?timepoint=review")
    assert response.status_code == 200
    return text(response)


def upload(browser, session_id):
    return browser.client.post(
        f"/sessions/{session_id}/photos",
        data={
            "csrf_token": browser.token,
            "view": "rest",
            "timepoint": "review",
            "photo": (io.BytesIO(face_jpeg()), "face.jpg"),
        },
        content_type="multipart/form-data",
    )


def photo_count(session):
    session.expire_all()
    return len(session.exec(select(Photo)).all())


def test_recorded_13_months_ago_every_page_says_why_and_no_photo_is_taken(
    clinic, session
):
    browser, answered = clinic
    patient, session_id = answered(THIRTEEN_MONTHS_AGO)
    photos_page = text(browser.get(f"/patients/{patient.id}/photos"))
    assert "Photos cannot be taken today: photography consent is not in force." in (
        photos_page
    )
    assert WHY in photos_page
    assert "Take photos:" not in photos_page
    assert consent_page_state(browser, patient.id) == ("Not in force.", WHY)
    capture = capture_page(browser, session_id)
    assert "Photos cannot be taken today" in capture
    assert WHY in capture
    assert "data-upload" not in capture
    response = upload(browser, session_id)
    assert response.status_code == 400
    assert WHY in text(response)
    assert photo_count(session) == 0


def test_recorded_11_months_ago_every_page_has_it_in_force(clinic, session):
    browser, answered = clinic
    patient, session_id = answered(ELEVEN_MONTHS_AGO)
    photos_page = text(browser.get(f"/patients/{patient.id}/photos"))
    assert "Photos cannot be taken today" not in photos_page
    assert "Take photos:" in photos_page
    state, words = consent_page_state(browser, patient.id)
    assert state == "Valid."
    assert words == (
        "Recorded on the photos page on 20 July 2025 (Clinical record only), with "
        "no signed form; re-consent due on 20 July 2026."
    )
    assert "data-upload" in capture_page(browser, session_id)
    assert upload(browser, session_id).status_code == 302
    assert photo_count(session) == 1


def test_recording_it_again_on_the_photos_page_reopens_capture(clinic, session):
    browser, answered = clinic
    patient, session_id = answered(THIRTEEN_MONTHS_AGO)
    done = browser.post_form(
        f"/patients/{patient.id}/photos/consent", {"consent": "clinical", "note": ""}
    )
    assert done.status_code == 302
    assert consent_page_state(browser, patient.id)[0] == "Valid."
    assert "Photos cannot be taken today" not in text(
        browser.get(f"/patients/{patient.id}/photos")
    )
    assert upload(browser, session_id).status_code == 302
    assert photo_count(session) == 1
