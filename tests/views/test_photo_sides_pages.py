"""Marks on the wrong side of the face, through the pages (review RF1).

Run for a patient affected on the left and one affected on the right: a swap
would report the affected side as the healthy one in either case.
"""

import re

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import Actor
from tests.conftest import assert_shows
from tests.factories import make_treatment
from tests.photo_images import draw_face
from tests.photo_images import jpeg_bytes
from tests.views.test_photos_pages import FIRST
from tests.views.test_photos_pages import consent
from tests.views.test_photos_pages import photos
from tests.views.test_photos_pages import pupils_form
from tests.views.test_photos_pages import upload

RIGHT, LEFT = (228.0, 336.0), (372.0, 336.0)
PX_PER_MM = 144 / 62
IRIS = {
    "iris_edge_a_x": str(RIGHT[0] - 11.8 * PX_PER_MM / 2),
    "iris_edge_a_y": str(RIGHT[1]),
    "iris_edge_b_x": str(RIGHT[0] + 11.8 * PX_PER_MM / 2),
    "iris_edge_b_y": str(RIGHT[1]),
}
# The patient's right brow 25 mm above its pupil, the left 20 mm.
BROWS = {
    "brow_right_x": str(RIGHT[0]),
    "brow_right_y": str(RIGHT[1] - 25 * PX_PER_MM),
    "brow_left_x": str(LEFT[0]),
    "brow_left_y": str(LEFT[1] - 20 * PX_PER_MM),
}
# The same two brows tapped the wrong way round: "Right brow" on the viewer's right.
SWAPPED = {
    "brow_right_x": BROWS["brow_left_x"],
    "brow_right_y": BROWS["brow_left_y"],
    "brow_left_x": BROWS["brow_right_x"],
    "brow_left_y": BROWS["brow_right_y"],
}


@pytest.fixture(params=["left", "right"])
def photographed(request, app, session, login_as, make_patient, monkeypatch):
    """An injector, a patient affected on one side, and one photo at rest (the
    photo pages' clock on the treatment's day, so its timepoint fits its date)."""
    monkeypatch.setattr("planner.views.photos.utc_now", lambda: FIRST)
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    patient = make_patient(affected_side=request.param)
    cycle = make_treatment(session, Actor(user, "injector"), patient.id, when=FIRST)
    consent(browser, patient.id)
    upload(browser, cycle.id, jpeg_bytes(draw_face(600, 800, pupils=(RIGHT, LEFT))))
    [photo] = photos(session)
    return browser, patient, photo


def brow_row(browser, patient):
    page = browser.get(
        f"/patients/{patient.id}/photos/compare?view=rest&timepoint=pre_treatment"
    ).get_data(as_text=True)
    [row] = re.findall(
        r'<th scope="row">Brow height</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>',
        page,
    )
    return tuple(re.sub("<[^>]+>", "", cell) for cell in row)


def test_swapped_brows_are_refused_naming_the_fields(photographed, session):
    browser, _patient, photo = photographed
    refused = browser.post_form(
        f"/photos/{photo.id}/mark",
        pupils_form(photo, RIGHT, LEFT, **IRIS, **SWAPPED),
    )
    assert refused.status_code == 400
    assert_shows(
        refused.get_data(as_text=True),
        "Right brow x must be on the viewer&#39;s left of the midline between the "
        "pupils: the patient&#39;s right brow is on the viewer&#39;s left",
        "Left brow x must be on the viewer&#39;s right of the midline",
    )
    assert photos(session)[0].version == photo.version


def test_brows_on_their_own_sides_are_measured_affected_against_healthy(
    photographed,
):
    browser, patient, photo = photographed
    saved = browser.post_form(
        f"/photos/{photo.id}/mark", pupils_form(photo, RIGHT, LEFT, **IRIS, **BROWS)
    )
    assert saved.status_code == 302
    difference = "−5.0 mm" if patient.affected_side == "left" else "5.0 mm"
    assert brow_row(browser, patient)[:2] == ("25.0 mm", "20.0 mm")
    assert brow_row(browser, patient)[2].startswith(difference)


@pytest.mark.audit_exempt(
    "stands in for marks saved before the side check existed", tables=["photo"]
)
def test_marks_saved_swapped_before_the_check_are_left_unmeasured(
    photographed, session
):
    browser, patient, photo = photographed
    points = {"pupil_right": list(RIGHT), "pupil_left": list(LEFT)}
    points |= {
        key[:-2]: [float(SWAPPED[key]), float(SWAPPED[key[:-1] + "y"])]
        for key in SWAPPED
        if key.endswith("_x")
    }
    points |= {"iris_edge_a": [RIGHT[0] - 13.7, RIGHT[1]]}
    points |= {"iris_edge_b": [RIGHT[0] + 13.7, RIGHT[1]]}
    photo.points = points
    session.add(photo)
    session.commit()
    assert brow_row(browser, patient) == ("–", "–", "–")
    marking = browser.get(f"/photos/{photo.id}/mark").get_data(as_text=True)
    assert_shows(marking, "Top edge of the patient&#39;s right brow (on the viewer")
