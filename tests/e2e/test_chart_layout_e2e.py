"""The map's room on a tablet (issue 15 item 1): in portrait (768x1024) the whole
face shows without scrolling; in landscape (1024x768) the map takes the height
beside a list that folds away; one tap zooms to a third of the face and back,
and every marker keeps a hit area of 44 px or more, zoomed or not.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
# Every muscle region's box, and the viewport, in CSS px.
REGION_BOXES = """() => [...document.querySelectorAll('#chart-map path.region')]
.map(p => {
  const r = p.getBoundingClientRect();
  return [p.id, r.left, r.top, r.right, r.bottom];
})"""
HIT_AREAS = """() => [...document.querySelectorAll('#chart-map g.site circle.hit')]
.map(c => {
  const r = c.getBoundingClientRect();
  return [c.parentElement.dataset.number, r.width, r.height];
})"""


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


@pytest.fixture
def tablet(e2e_chromium: Browser) -> Iterator[Page]:
    context = e2e_chromium.new_context(viewport=LANDSCAPE, has_touch=True)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def box_of(page: Page, selector: str) -> dict[str, float]:
    """An element's box once it is laid out (the map is redrawn after each save)."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s); "
        "return e !== null && e.getBoundingClientRect().height > 0; }",
        arg=selector,
    )
    found: dict[str, float] = page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect(); "
        "return {x: r.x, y: r.y, width: r.width, height: r.height}; }",
        selector,
    )
    return found


def off_screen(page: Page) -> list[str]:
    """The muscle regions not wholly inside the viewport, as the page shows them."""
    size = page.viewport_size
    assert size is not None
    boxes = page.evaluate(REGION_BOXES)
    assert len(boxes) >= 40
    return [
        f"{name}: {left:.0f},{top:.0f}-{right:.0f},{bottom:.0f}"
        for name, left, top, right, bottom in boxes
        if left < 0 or top < 0 or right > size["width"] or bottom > size["height"]
    ]


def test_portrait_shows_the_whole_face_and_landscape_gives_the_map_the_height(
    tablet: Page, e2e_server: LiveServer, face_map: FaceMap
) -> None:
    page = tablet
    session_id = open_new_chart(page, e2e_server, lot="L7681", mrn="E2E-LAYOUT-1")
    for muscle, side in (("frontalis", "left"), ("mentalis", "left")):
        touch(page, *reference(face_map, muscle, side))
        expect(status(page)).to_contain_text("saved")
    expect(rows(page)).to_have_count(2)
    chart = f"{e2e_server.url}/sessions/{session_id}"

    # Portrait, as the page loads: every muscle is on screen, nothing scrolled.
    page.set_viewport_size(PORTRAIT)
    page.goto(chart)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    assert page.evaluate("window.scrollY") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart-portrait-768.png"))
    assert off_screen(page) == []

    # Landscape: the same, the map as tall as the screen lets it be.
    page.set_viewport_size(LANDSCAPE)
    page.goto(chart)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "chart-landscape-1024.png"))
    assert off_screen(page) == []
    # What a tap did, or why it was refused, is on screen below the map.
    line = page.locator("#chart-status").bounding_box()
    assert line is not None
    assert line["y"] + line["height"] <= LANDSCAPE["height"], line
    frame = page.locator("#chart-map svg").bounding_box()
    assert frame is not None
    assert frame["height"] >= 0.6 * LANDSCAPE["height"], frame

    # The list folds away and comes back; the map grows into the room.
    toggle = page.get_by_role("button", name="Hide the list")
    toggle.tap()
    expect(page.locator("#chart-panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the list")).to_have_attribute(
        "aria-expanded", "false"
    )
    wider = page.locator("#chart-map svg").bounding_box()
    assert wider is not None
    assert wider["width"] > frame["width"]
    page.get_by_role("button", name="Show the list").tap()
    expect(page.locator("#chart-panel")).to_be_visible()

    # A phone: one column, the map at least 320 px tall, nothing wider than the
    # screen (the face may need a scroll there: the chair's screens are tablets).
    page.set_viewport_size(PHONE)
    page.goto(chart)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "chart-phone-390.png"))
    phone_map = box_of(page, "#chart-map svg")
    assert phone_map["height"] >= 320
    # (The site's navigation bar is another page's part, swept separately.)
    wide = page.evaluate(
        """w => [...document.querySelectorAll('#chart *')]
        .filter(e => e.getBoundingClientRect().right > w)
        .map(e => `${e.tagName}#${e.id}.${e.className}`)""",
        PHONE["width"],
    )
    assert wide == []


def test_one_tap_zooms_to_a_third_of_the_face_and_back(
    tablet: Page, e2e_server: LiveServer, face_map: FaceMap
) -> None:
    page = tablet
    open_new_chart(page, e2e_server, lot="L7682", mrn="E2E-LAYOUT-2")
    touch(page, *reference(face_map, "mentalis", "left"))
    expect(status(page)).to_contain_text("Site 1 saved")
    expect(page.locator("#chart-map g.site[data-number='1']")).to_have_count(1)
    whole = box_of(page, "#region-mentalis-left")

    zoom = page.get_by_role("group", name="Zoom the face map")
    zoom.get_by_role("button", name="Lower").tap()
    expect(zoom.get_by_role("button", name="Lower")).to_have_attribute(
        "aria-pressed", "true"
    )
    zoomed = box_of(page, "#region-mentalis-left")
    assert zoomed["height"] > 1.3 * whole["height"], (whole, zoomed)
    page.screenshot(path=str(ARTIFACTS / "chart-zoom-lower-1024.png"))
    for number, width, height in page.evaluate(HIT_AREAS):
        assert min(width, height) >= 44, (number, width, height)
    # A tap on the zoomed map adds a site where the finger is.
    touch(page, *reference(face_map, "depressor_anguli_oris", "left"))
    expect(status(page)).to_have_text(
        re.compile(r"^Site 2 saved: Depressor anguli oris, left")
    )
    # Every zoom button and marker is a 44 px target; Whole face goes back.
    for button in zoom.get_by_role("button").all():
        box = button.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 44
    zoom.get_by_role("button", name="Whole").tap()
    back = box_of(page, "#region-mentalis-left")
    assert abs(back["height"] - whole["height"]) < 1
