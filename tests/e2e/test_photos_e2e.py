"""Photographs at the chair: real Chromium on a touch tablet, the live server.

Cycle 1's photos were taken at an earlier visit (stored through the services,
pupils marked). At cycle 2 the clinician takes every standard view through the
capture page (a generated face with drawn pupils, held tilted and further away),
taps the two pupils on the photo at rest with a finger, and opens the compare
page: both cycles' photos must sit side by side with their pupils on the same
level line, the same distance apart, read back from the rendered pixels.
"""

import io
import re
from datetime import UTC
from datetime import datetime

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services.photo_marks import save_marks
from planner.services.photo_views import list_views
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.photo_images import draw_face
from tests.photo_images import jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIRST = datetime(2026, 3, 2, 10, tzinfo=UTC)
CYCLE_1_PUPILS = ((250.0, 360.0), (350.0, 360.0))
# At cycle 2 the head is tilted and the camera further back.
CYCLE_2_PUPILS = ((236.0, 392.0), (318.0, 372.0))
FRAME_PUPILS = ((165.0, 240.0), (315.0, 240.0))  # planner.photometry.Frame()


def prepare(server: LiveServer, mrn: str = "PHOTO-E2E") -> tuple[int, int]:
    """Give a new patient consent, cycle 1 with its photo at rest, and cycle 2."""
    with live_session(server, expire_on_commit=False) as session:
        actor = injector(session, server)
        patient = make_patient(session, actor, mrn, affected_side="left")
        cycles = [
            make_treatment(session, actor, patient.id, when=when)
            # Cycle 2 today: photos before its injections are taken now.
            for when in (FIRST, datetime.now(UTC))
        ]
        record_consent(session, actor, patient.id, {"consent": "clinical"}, now=FIRST)
        photo = add_photo(
            session,
            actor,
            cycles[0].id,
            view_code="rest",
            timepoint="pre_treatment",
            data=jpeg_bytes(draw_face(600, 800, pupils=CYCLE_1_PUPILS)),
            now=FIRST,
            zone=ZONE,
        )
        (rx, ry), (lx, ly) = CYCLE_1_PUPILS
        save_marks(
            session,
            actor,
            photo.id,
            {
                "version": "1",
                "pupil_right_x": str(rx),
                "pupil_right_y": str(ry),
                "pupil_left_x": str(lx),
                "pupil_left_y": str(ly),
            },
            now=FIRST,
        )
        # Asked again at cycle 2: an answer ages by the clinic's re-consent age.
        now = datetime.now(UTC)
        record_consent(session, actor, patient.id, {"consent": "clinical"}, now=now)
        return patient.id, len(list_views(session))


def tap_photo_point(page: Page, x: float, y: float) -> None:
    """Tap the marking photo where its own pixel (x, y) is shown."""
    box = page.locator("[data-stage] img").bounding_box()
    assert box is not None
    stage = page.locator("[data-stage]")
    width = float(stage.get_attribute("data-width") or 0)
    height = float(stage.get_attribute("data-height") or 0)
    page.touchscreen.tap(
        box["x"] + x / width * box["width"], box["y"] + y / height * box["height"]
    )


def dark_centroids(png: bytes) -> np.ndarray:
    """Centres of the dark (pupil) pixels left and right of the panel's middle."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    ys, xs = np.nonzero(pixels < 45)
    middle = pixels.shape[1] / 2
    return np.array(
        [
            [xs[xs < middle].mean(), ys[xs < middle].mean()],
            [xs[xs >= middle].mean(), ys[xs >= middle].mean()],
        ]
    )


def test_capture_every_view_mark_pupils_and_compare_two_cycles(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    patient_id, view_count = prepare(e2e_server)
    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    log_in(page, e2e_server)
    page.get_by_role("link", name="Photos", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Photographs")).to_be_visible()
    page.get_by_role(
        "link", name="Take photos: before the injections (cycle 2)"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Take photos")).to_be_visible()

    face = jpeg_bytes(draw_face(600, 800, pupils=CYCLE_2_PUPILS))
    steps = page.get_by_role("navigation", name="Views").get_by_role("listitem")
    expect(steps).to_have_count(view_count)
    for number in range(view_count):
        title = page.locator("#view-title").inner_text()
        expect(page.locator(".instruction")).to_contain_text("“")
        page.locator("#photo").set_input_files(
            files=[{"name": "face.jpg", "mimeType": "image/jpeg", "buffer": face}]
        )
        page.get_by_role("button", name=f"Save {title.lower()}").click()
        expect(page.locator(".flash-success")).to_have_text(f"{title} saved.")
        expect(steps.filter(has_text="taken")).to_have_count(number + 1)
        if number == 0:
            page.screenshot(path=str(ARTIFACTS / "photos-capture-step.png"))
    expect(page.get_by_role("heading", name="Every view is taken")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "photos-capture-done.png"), full_page=True)

    page.get_by_role("link", name="Mark the pupils").click()
    expect(page.get_by_role("heading", level=1, name="Mark: At rest")).to_be_visible()
    expect(page.get_by_role("button", name="Place Right pupil")).to_have_attribute(
        "aria-pressed", "true"
    )
    (rx, ry), (lx, ly) = CYCLE_2_PUPILS
    tap_photo_point(page, rx, ry)
    expect(page.get_by_role("button", name="Place Left pupil")).to_have_attribute(
        "aria-pressed", "true"
    )
    tap_photo_point(page, lx, ly)
    for name, expected in (
        ("pupil_right_x", rx),
        ("pupil_right_y", ry),
        ("pupil_left_x", lx),
        ("pupil_left_y", ly),
    ):
        value = float(page.locator(f"#{name}").input_value())
        assert abs(value - expected) < 1.5, (name, value, expected)
    # The keyboard way: choose the left pupil again, nudge it right and back.
    page.get_by_role("button", name="Place Left pupil").click()
    expect(page.locator("[data-stage]")).to_be_focused()
    before = page.locator("#pupil_left_x").input_value()
    page.keyboard.press("ArrowRight")
    assert float(page.locator("#pupil_left_x").input_value()) == pytest.approx(
        float(before) + 1
    )
    page.keyboard.press("ArrowLeft")
    page.screenshot(path=str(ARTIFACTS / "photos-mark.png"), full_page=True)
    page.get_by_role("button", name="Save marks").click()
    expect(page.locator(".flash-success")).to_have_text("Marks saved.")

    page.get_by_role("link", name="Compare", exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name="Compare: At rest")
    ).to_be_visible()
    panels = page.locator("figure.panel")
    expect(panels).to_have_count(2)
    for number in (1, 2):
        expect(
            page.get_by_role(
                "img", name=f"At rest, cycle {number}, aligned by the pupils"
            )
        ).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.panel image')].length === 2"
    )
    page.screenshot(path=str(ARTIFACTS / "photos-compare.png"), full_page=True)
    found = []
    for index in range(2):
        svg = panels.nth(index).locator("svg")
        box = svg.bounding_box()
        assert box is not None
        centres = dark_centroids(svg.screenshot()) * (480 / box["width"])
        found.append(centres)
        np.testing.assert_allclose(centres, FRAME_PUPILS, atol=4.0)
    np.testing.assert_allclose(found[0], found[1], atol=4.0)
    assert re.search(r"Cycle 1", panels.nth(0).inner_text())

    page.get_by_role("link", name="All photos").click()
    expect(
        page.get_by_role("img", name=re.compile(r", cycle 2, before"))
    ).to_have_count(view_count)
    page.screenshot(path=str(ARTIFACTS / "photos-index.png"), full_page=True)
    assert page_problems.all() == []


# The tablet's camera, stood in for by a canvas stream of a drawn face: the
# page's own getUserMedia path, preview, still, retake and upload all run.
FAKE_CAMERA = """
if (navigator.mediaDevices) {
  navigator.mediaDevices.getUserMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 600;
    canvas.height = 800;
    const draw = canvas.getContext("2d");
    const paint = () => {
      draw.fillStyle = "#eceef0"; draw.fillRect(0, 0, 600, 800);
      draw.fillStyle = "#e0b696"; draw.beginPath();
      draw.ellipse(300, 380, 170, 230, 0, 0, 2 * Math.PI); draw.fill();
      draw.fillStyle = "#141414";
      for (const x of [240, 360]) {
        draw.beginPath(); draw.arc(x, 330, 10, 0, 2 * Math.PI); draw.fill();
      }
    };
    paint();
    setInterval(paint, 100);
    return canvas.captureStream(10);
  };
}
"""


def test_the_live_camera_takes_a_view_with_a_retake(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    page.add_init_script(FAKE_CAMERA)
    patient_id, _ = prepare(e2e_server, "PHOTO-CAMERA")
    page.goto(f"{e2e_server.url}/patients/{patient_id}/photos")
    log_in(page, e2e_server)
    page.get_by_role(
        "link", name="Take photos: before the injections (cycle 2)"
    ).click()
    expect(page.locator("[data-camera]")).to_be_visible()
    page.wait_for_function("() => document.querySelector('video').videoWidth > 0")
    page.get_by_role("button", name="Take photo").click()
    expect(page.get_by_role("button", name="Retake")).to_be_visible()
    expect(page.get_by_role("button", name="Take photo")).to_be_hidden()
    expect(page.locator("video")).to_be_hidden()
    page.get_by_role("button", name="Retake").click()
    expect(page.get_by_role("button", name="Use this photo")).to_be_hidden()
    expect(page.get_by_role("button", name="Take photo")).to_be_focused()
    page.get_by_role("button", name="Take photo").click()
    page.screenshot(path=str(ARTIFACTS / "photos-camera.png"))
    page.get_by_role("button", name="Use this photo").click()
    expect(page.locator(".flash-success")).to_have_text("At rest saved.")
    expect(page.locator("#view-title")).to_have_text("Brow raise")
    thumbnail = page.get_by_role("link", name="At rest")
    expect(thumbnail).to_be_visible()
    assert page_problems.all() == []
