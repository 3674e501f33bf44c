"""Photographs through the pages: consent first, upload, serve, mark, compare, hide."""

import io
import json
import re
import zipfile
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import numpy as np
import pytest
from PIL import ExifTags
from PIL import Image
from sqlmodel import col
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models.photos import Photo
from planner.models.photos import PhotoImage
from planner.photometry import Similarity
from planner.services.audit import Actor
from planner.services.drafts import discard_draft
from planner.views import photos as photo_views
from tests.conftest import assert_shows
from tests.factories import make_treatment
from tests.photo_images import draw_face
from tests.photo_images import face_jpeg
from tests.photo_images import jpeg_bytes
from tests.unit.test_photo_imaging import png_claiming
from tests.unit.test_photo_imaging import wide_png

FIRST = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def clinic(app, session, login_as, make_patient, monkeypatch):
    """An injector's browser, a patient (affected left) and two cycles' sessions.

    The photo pages' clock is cycle 1's treatment day, so that a photo before
    the injections may be filed to either cycle.
    """
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: FIRST)
    injector = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")
    patient = make_patient(affected_side="left")
    cycles = [
        make_treatment(session, actor, patient.id, when=FIRST + timedelta(weeks=w))
        for w in (0, 14)
    ]
    return {"browser": injector, "patient": patient, "cycles": [c.id for c in cycles]}


def consent(browser, patient_id, value="clinical"):
    return browser.post_form(
        f"/patients/{patient_id}/photos/consent", {"consent": value, "note": ""}
    )


def upload(browser, session_id, data, view="rest", timepoint="pre_treatment"):
    return browser.client.post(
        f"/sessions/{session_id}/photos",
        data={
            "csrf_token": browser.token,
            "view": view,
            "timepoint": timepoint,
            "photo": (io.BytesIO(data), "face.jpg"),
        },
        content_type="multipart/form-data",
    )


def photos(session):
    session.expire_all()
    return session.exec(select(Photo).order_by(col(Photo.id))).all()


def test_no_photo_without_consent_and_none_after_withdrawal(clinic, session):
    browser, patient = clinic["browser"], clinic["patient"]
    cycle = clinic["cycles"][0]
    capture = browser.get(f"/sessions/{cycle}/photos/capture")
    assert capture.status_code == 302
    assert capture.headers["Location"].endswith(f"/patients/{patient.id}/photos")
    refused = upload(browser, cycle, face_jpeg())
    assert refused.status_code == 400
    assert "is not recorded: record the patient" in refused.get_data(as_text=True)
    assert photos(session) == []
    assert consent(browser, patient.id, "withdrawn").status_code == 302
    assert upload(browser, cycle, face_jpeg()).status_code == 400
    assert photos(session) == []


def test_upload_strips_gps_orients_and_moves_to_the_next_view(clinic, session):
    browser, patient = clinic["browser"], clinic["patient"]
    cycle = clinic["cycles"][0]
    assert consent(browser, patient.id).status_code == 302
    page = browser.get(f"/sessions/{cycle}/photos/capture?timepoint=pre_treatment")
    assert page.status_code == 200
    assert page.headers["Permissions-Policy"] == "camera=(self), microphone=()"
    assert_shows(page.get_data(as_text=True), 'capture="environment"', "At rest")
    response = upload(browser, cycle, face_jpeg())
    assert response.status_code == 302
    assert "view=brow_raise" in response.headers["Location"]
    [photo] = photos(session)
    assert (photo.view_code, photo.timepoint.value) == ("rest", "pre_treatment")
    stored = session.get(PhotoImage, (photo.id, "original"))
    image = Image.open(io.BytesIO(stored.data))
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"TestCam" not in stored.data
    created = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "photo")
    ).one()
    assert created.action == AuditAction.CREATE
    assert created.patient_id == patient.id
    assert created.after["bytes"]["original"] == len(stored.data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not an image at all", "is not a JPEG, PNG or WebP image"),
        (png_claiming(30000, 30000), "has too many pixels"),
        (b"", "is empty"),
        # 498 bytes and 140,000 pixels, but wider than any JPEG: was a 500.
        (wide_png(70_000, 2), "is 70000 pixels wide; the most a photo can be is 65500"),
    ],
    ids=["not-an-image", "decompression-bomb", "empty", "wider-than-jpeg"],
)
def test_a_bad_upload_is_a_field_error(clinic, session, data, reason):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    response = upload(browser, clinic["cycles"][0], data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"The photo {reason}" in page
    assert 'aria-invalid="true"' in page
    assert photos(session) == []


def test_an_upload_over_the_limit_names_the_photo(clinic, monkeypatch):
    monkeypatch.setattr(photo_views, "UPLOAD_LIMIT", 50_000)
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    big = jpeg_bytes(
        Image.fromarray(
            np.random.default_rng(1).integers(0, 255, (400, 400, 3), dtype=np.uint8)
        )
    )
    assert len(big) > 50_000
    response = browser.client.post(
        f"/sessions/{clinic['cycles'][0]}/photos",
        data={
            "csrf_token": browser.token,
            "view": "rest",
            "timepoint": "pre_treatment",
            "photo": (io.BytesIO(big), "big.jpg"),
        },
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["fields"]["photo"].startswith("is larger than 25 MB")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("view", "cartwheel", "view"), ("timepoint", "someday", "timepoint")],
)
def test_an_unknown_view_or_timepoint_is_refused_by_name(
    clinic, session, field, value, message
):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    response = upload(browser, clinic["cycles"][0], face_jpeg(), **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert photos(session) == []


def test_each_permitted_view_is_audited_and_never_cached(clinic, session, login_as):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    upload(browser, clinic["cycles"][0], face_jpeg())
    [photo] = photos(session)
    for size in ("original", "display", "thumbnail"):
        response = browser.get(f"/photos/{photo.id}/{size}.jpg")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "no-store, private"
        assert Image.open(io.BytesIO(response.data)).format == "JPEG"
    admin = login_as(Role.ADMIN)
    assert admin.get(f"/photos/{photo.id}/display.jpg").status_code == 200
    views = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW, AuditEvent.entity_type == "photo"
        )
    ).all()
    assert [(e.entity_id, e.patient_id, e.after["size"]) for e in views] == [
        (photo.id, photo.patient_id, size)
        for size in ("original", "display", "thumbnail", "display")
    ]
    assert len({e.actor_id for e in views}) == 2


def test_staff_and_anonymous_requests_for_a_photo_are_refused(
    clinic, session, login_as, client
):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    upload(browser, clinic["cycles"][0], face_jpeg())
    [photo] = photos(session)
    staff = login_as(Role.STAFF)
    for path in (
        f"/photos/{photo.id}/display.jpg",
        f"/patients/{photo.patient_id}/photos",
        f"/patients/{photo.patient_id}/photos/compare",
    ):
        assert staff.get(path).status_code == 403
        anonymous = client.get(path)
        assert anonymous.status_code == 302
        assert anonymous.headers["Location"].startswith("/login")
    assert (
        "Photos"
        not in staff.get(f"/patients/{photo.patient_id}")
        .get_data(as_text=True)
        .split("<main", 1)[1]
        .split("Timeline")[0]
    )
    # Reading the patient page is audited as a read of it; no photo was seen.
    assert not session.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.entity_type != "patient",
        )
    ).all()


def test_withdrawal_hides_photos_from_everyone_but_the_admin_archive(
    clinic, session, login_as
):
    browser, patient = clinic["browser"], clinic["patient"]
    consent(browser, patient.id)
    upload(browser, clinic["cycles"][0], face_jpeg())
    [photo] = photos(session)
    original = session.get(PhotoImage, (photo.id, "original")).data
    consent(browser, patient.id, "withdrawn")
    admin = login_as(Role.ADMIN)
    for who in (browser, admin):
        refused = who.get(f"/photos/{photo.id}/display.jpg")
        assert refused.status_code == 403
        assert "withdrew photography consent" in refused.get_data(as_text=True)
        assert who.get(f"/patients/{patient.id}/photos/compare").status_code == 403
        page = who.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
        assert "their photos are hidden" in page
        assert f"/photos/{photo.id}/" not in page
    assert browser.get(f"/photos/{photo.id}/mark").status_code == 403
    assert browser.get(f"/patients/{patient.id}/photos/archive.zip").status_code == 403
    archive = admin.get(f"/patients/{patient.id}/photos/archive.zip")
    assert archive.status_code == 200
    assert re.match(
        r'attachment; filename="photos-MRN\d+-\d{4}-\d\d-\d\d\.zip"',
        archive.headers["Content-Disposition"],
    )
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert bundle.read(manifest["photos"][0]["file"]) == original
    assert [c["consent"] for c in manifest["consent_history"]] == [
        "clinical",
        "withdrawn",
    ]
    exported = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert exported.after == {
        "format": "application/zip",
        "photos": 1,
        "consent": "withdrawn",
    }
    # Reading the patient page is audited as a read of it; no photo was seen.
    assert not session.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.entity_type != "patient",
        )
    ).all()


def pupils_form(photo, right, left, **extra):
    return {
        "version": str(photo.version),
        "pupil_right_x": str(right[0]),
        "pupil_right_y": str(right[1]),
        "pupil_left_x": str(left[0]),
        "pupil_left_y": str(left[1]),
        **extra,
    }


def test_marks_are_saved_checked_and_guarded_by_version(clinic, session):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    upload(browser, clinic["cycles"][0], face_jpeg())
    [photo] = photos(session)
    page = browser.get(f"/photos/{photo.id}/mark")
    assert page.status_code == 200
    assert_shows(page.get_data(as_text=True), "Right pupil", 'name="pupil_left_x"')
    saved = browser.post_form(
        f"/photos/{photo.id}/mark", pupils_form(photo, (228, 336), (372, 336))
    )
    assert saved.status_code == 302
    [marked] = photos(session)
    assert marked.points == {
        "pupil_right": [228.0, 336.0],
        "pupil_left": [372.0, 336.0],
    }
    assert marked.version == 2
    stale = browser.post_form(
        f"/photos/{photo.id}/mark",
        pupils_form(photo, (200, 300), (400, 300)) | {"version": "1"},
    )
    assert stale.status_code == 409
    bad = browser.post_form(
        f"/photos/{photo.id}/mark",
        pupils_form(
            marked,
            (380, 336),
            (228, 336),
            brow_left_x="12",
            ruler_mm="-3",
            lower_lid_left_x="lots",
        ),
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert_shows(
        text,
        "viewer&#39;s left of the left pupil",
        "Left brow y is needed as well",
        "Ruler length must be more than 0",
        "Left lower lid x must be a number",
    )
    off = browser.post_form(
        f"/photos/{photo.id}/mark", pupils_form(marked, (228, 336), (9000, 336))
    )
    assert "must lie on the photo (0 to 600 by 0 to 800)" in off.get_data(as_text=True)
    assert photos(session)[0].version == 2


def test_compare_aligns_two_cycles_and_measures_in_millimetres(clinic, session):
    browser = clinic["browser"]
    consent(browser, clinic["patient"].id)
    # Cycle 1 photographed close and level, cycle 2 further away and tilted.
    layouts = [
        ((228.0, 336.0), (372.0, 336.0)),
        ((300.0, 420.0), (396.0, 404.0)),
    ]
    for cycle, (right, left) in zip(clinic["cycles"], layouts, strict=True):
        upload(browser, cycle, jpeg_bytes(draw_face(600, 800, pupils=(right, left))))
    for photo, (right, left) in zip(photos(session), layouts, strict=True):
        iris = 144 / 62 * 11.8 if photo.session_id == clinic["cycles"][0] else None
        extra = (
            {
                "iris_edge_a_x": str(right[0] - iris / 2),
                "iris_edge_a_y": str(right[1]),
                "iris_edge_b_x": str(right[0] + iris / 2),
                "iris_edge_b_y": str(right[1]),
                "commissure_left_x": "340",
                "commissure_left_y": str(right[1] + 144 / 62 * 70),
            }
            if iris
            else {}
        )
        assert (
            browser.post_form(
                f"/photos/{photo.id}/mark", pupils_form(photo, right, left, **extra)
            ).status_code
            == 302
        )
    page = browser.get(
        f"/patients/{clinic['patient'].id}/photos/compare?view=rest&timepoint=pre_treatment"
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    transforms = re.findall(
        r'<image href="/photos/(\d+)/display.jpg".*?transform="matrix\(([^)]*)\)"', text
    )
    assert len(transforms) == 2
    for (_photo, matrix), (right, left) in zip(transforms, layouts, strict=True):
        a, b, c, d, e, f = map(float, matrix.split())
        display = Similarity(1, 0, 0, 0)  # the face is small: display == original
        for point, target in zip(
            (right, left), ((165.0, 240.0), (315.0, 240.0)), strict=True
        ):
            x, y = display.apply(point)
            assert (a * x + c * y + e, b * x + d * y + f) == (
                pytest.approx(target[0], abs=0.5),
                pytest.approx(target[1], abs=0.5),
            )
    assert_shows(text, "aligned by the pupils", "Commissure height", "70.0 mm")
    assert "Millimetres from the iris, taken as 11.8 mm across (a clinic" in text
    assert "No scale: mark an iris or a ruler" in text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"consent": "maybe"}, "consent"),
        ({"consent": "clinical", "note": "x" * 501}, "note"),
    ],
)
def test_a_bad_consent_is_refused_by_field(clinic, session, form, field):
    browser, patient = clinic["browser"], clinic["patient"]
    response = browser.post_form(f"/patients/{patient.id}/photos/consent", form)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    page = browser.get(f"/patients/{patient.id}/photos").get_data(as_text=True)
    assert "No photography consent is recorded" in page


def test_no_photo_goes_with_a_discarded_draft(clinic, session):
    # It used to be saved (302) with the discarded draft: exported, shown nowhere.
    browser, patient = clinic["browser"], clinic["patient"]
    draft = clinic["cycles"][1]
    consent(browser, patient.id)
    user = session.exec(select(AuditEvent.actor_id)).first()
    discard_draft(
        session, Actor(user, "injector"), draft, {"reason": "Opened by mistake."}
    )
    capture = browser.get(f"/sessions/{draft}/photos/capture")
    assert capture.status_code == 409
    assert_shows(capture.get_data(as_text=True), "This draft was discarded")
    refused = upload(browser, draft, face_jpeg())
    assert refused.status_code == 409
    assert photos(session) == []
    # The cycle that stands still takes its photos.
    assert upload(browser, clinic["cycles"][0], face_jpeg()).status_code == 302
    assert len(photos(session)) == 1
