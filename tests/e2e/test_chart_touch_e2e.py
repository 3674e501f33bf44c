"""The chart for fingers (issue 15 items 1 and 2): the dose keypad and its quick-dose
chips, 44 px hit areas, the hint saying whether a tap selected or added, and the
drag threshold. Real Chromium, a 1024x768 touch tablet and a portrait one.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import SCREEN_POINT
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
MIN_TARGET_PX = 44
BOTOX_CHIPS = ["1", "1.25", "2", "2.5", "4"]


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def open_dysport_session(page: Page, server: LiveServer, patient_id: int) -> int:
    """Open a full treatment with a new 500 U vial of Dysport."""
    page.goto(f"{server.url}/patients/{patient_id}/sessions/new")
    page.get_by_label("Product").select_option(label="Dysport (abobotulinumtoxinA)")
    vials = page.get_by_role("group", name=re.compile("^Vial"))
    vials.get_by_label(re.compile("A new vial")).check()
    vial = page.get_by_role("group", name="New vial")
    vial.get_by_label("Lot number").fill("DY500")
    vial.get_by_label("Expiry date").fill(
        (date.today() + timedelta(days=300)).isoformat()
    )
    vial.get_by_label("Units in the vial").fill("500")
    vial.get_by_label("Diluent").fill("2.5")
    vial.get_by_label("Reconstituted at").fill(
        datetime.now().strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Consent obtained for today's treatment").check()
    page.get_by_role("button", name="Open the chart").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    return int(page.url.rsplit("/", 1)[1])


def keypad(page: Page) -> Locator:
    return page.get_by_role("dialog", name=re.compile("^Dose of site"))


def marker_centre(page: Page, number: int) -> tuple[float, float]:
    """The marker's centre on screen, measured once the map has settled.

    A save redraws the map a moment after its status says so: a marker measured
    while its old node was being replaced has no box (a CI flake), so it is
    measured again on the new one.
    """
    marker = page.locator(f"#chart-map g.site[data-number='{number}'] circle:not(.hit)")
    box = None
    for _ in range(5):
        expect(marker).to_be_visible()
        box = marker.bounding_box()
        if box is not None:
            break
    assert box is not None, f"marker {number} has no box"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_doses_by_keypad_and_chips_then_every_target_is_44_px(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    session_id = open_new_chart(page, e2e_server, lot="K4400", mrn="E2E-TOUCH-1")
    for muscle, side in (
        ("orbicularis_oculi_orbital", "left"),
        ("mentalis", "left"),
        ("frontalis", "right"),
    ):
        touch(page, *reference(face_map, muscle, side))
        expect(status(page)).to_contain_text("saved")
    expect(rows(page)).to_have_count(3)

    # Tap the dose: a keypad with the product's common doses as chips.
    dose = row(page, 1).get_by_role(
        "button", name=re.compile("^Dose of site 1: .* Open the keypad")
    )
    dose.tap()
    pad = keypad(page)
    expect(pad).to_be_visible()
    expect(pad).to_contain_text("Dose of site 1: Orbicularis oculi")
    expect(pad.locator(".keypad-chip")).to_have_text(BOTOX_CHIPS)
    for key in ("6", ".", "5"):
        pad.get_by_role(
            "button", name=key if key != "." else "Decimal point", exact=True
        ).tap()
    expect(page.locator("#keypad-value")).to_have_text("6.5 U")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # the backdrop is painted a frame later
    page.screenshot(path=str(ARTIFACTS / "chart-keypad-1024.png"))
    pad.get_by_role("button", name="Backspace").tap()
    pad.get_by_role("button", name="Backspace").tap()
    pad.get_by_role("button", name="OK").tap()
    expect(pad).to_be_hidden()
    expect(row(page, 1).locator("[data-field=units]")).to_have_text("6")
    expect(status(page)).to_contain_text(
        "Site 1 saved: Orbicularis oculi, lateral orbital part, left, 6 U"
    )
    # The volume shown is the server's own format: 6 U of 100 U in 2.5 mL.
    expect(row(page, 1).locator("[data-field=draw]")).to_have_text(
        "0.150 mL · 15 marks (0.3 mL syringe)"
    )
    state = api_state(page, e2e_server, session_id)
    assert state["sites"][0]["units"] == 6
    assert state["sites"][0]["draw_text"] == "0.150 mL · 15 marks (0.3 mL syringe)"
    expect(page.locator("[data-total=units]")).to_have_text(
        f"{sum(s['units'] for s in state['sites']):g}"
    )

    # A chip saves in one tap.
    row(page, 2).get_by_role("button", name=re.compile("^Dose of site 2")).tap()
    keypad(page).get_by_role("button", name="2.5 U", exact=True).tap()
    expect(row(page, 2).locator("[data-field=units]")).to_have_text("2.5")
    expect(status(page)).to_contain_text("Site 2 saved: Mentalis, left, 2.5 U")

    # A dose out of range is refused on the keypad, in the server's terms.
    row(page, 3).get_by_role("button", name=re.compile("^Dose of site 3")).tap()
    pad = keypad(page)
    for key in "500":
        pad.get_by_role("button", name=key, exact=True).tap()
    pad.get_by_role("button", name="OK").tap()
    expect(pad.locator(".keypad-error")).to_have_text(
        "Out of range. Enter a dose from 0.01 to 400 U."
    )
    pad.get_by_role("button", name="Cancel").tap()
    expect(pad).to_be_hidden()
    # The steppers stay.
    before = float(row(page, 3).locator("[data-field=units]").inner_text())
    page.get_by_role("button", name="Increase dose of site 3", exact=True).tap()
    expect(row(page, 3).locator("[data-field=units]")).to_have_text(
        f"{before + 0.25:g}"
    )

    # Every marker and every button on the page is at least 44 x 44 CSS px.
    expect(page.locator("#chart-map g.site")).to_have_count(3)
    small = page.evaluate(
        """(min) => [...document.querySelectorAll(
              '#chart-map g.site, #chart button, #chart .button, #chart summary')]
            .filter(el => el.getClientRects().length > 0)
            .map(el => [
              el.getAttribute('aria-label') || el.textContent.trim(),
              el.getBoundingClientRect()])
            .filter(([, r]) => r.width < min || r.height < min)
            .map(([name, r]) => `${name}: ${r.width}x${r.height}`)""",
        MIN_TARGET_PX,
    )
    assert small == []
    assert page.locator("#chart button:visible").count() >= 12

    # Markers are named by muscle, side and dose.
    title = page.locator("#chart-map g.site[data-number='1'] > title")
    expect(title).to_have_text(
        "Site 1: Orbicularis oculi, lateral orbital part, left, 6 U"
    )


def test_a_tap_selects_inside_a_marker_and_adds_outside_with_a_hint(
    chromium_page: Page,
    e2e_server: LiveServer,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    session_id = open_new_chart(page, e2e_server, lot="K4401", mrn="E2E-TOUCH-2")
    touch(page, *reference(face_map, "frontalis", "left"))
    expect(status(page)).to_contain_text("Site 1 saved")
    page.locator("#chart-map").scroll_into_view_if_needed()
    hint = page.locator("#tap-hint")

    # 18 px from the marker's centre is inside its 48 px hit area: it selects.
    cx, cy = marker_centre(page, 1)
    page.touchscreen.tap(cx + 18, cy)
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Selected site 1: Frontalis, left, 2 U")
    expect(status(page)).to_have_text("Selected site 1: Frontalis, left, 2 U")
    expect(row(page, 1)).to_have_class(re.compile("is-selected"))
    expect(rows(page)).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart-hint-1024.png"))
    expect(hint).to_be_hidden()

    # 30 px away is outside it: a site is added, and the hint says so.
    page.touchscreen.tap(cx, cy - 30)
    expect(hint).to_have_text("Adding a site here…")
    expect(status(page)).to_have_text(re.compile("^Site 2 saved: "))
    expect(rows(page)).to_have_count(2)

    # A 6 px drag of a marker is a tap (it selects), never a move.
    before = api_state(page, e2e_server, session_id)["sites"][0]
    cx, cy = marker_centre(page, 1)
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 6, cy, steps=3)
    page.mouse.up()
    expect(status(page)).to_have_text(re.compile("^Selected site 1"))
    after = api_state(page, e2e_server, session_id)["sites"][0]
    assert (after["x"], after["y"]) == (before["x"], before["y"])

    # A drag onto another muscle asks; keeping it leaves the site where it was.
    zx, zy = page.evaluate(
        SCREEN_POINT, list(reference(face_map, "corrugator", "left"))
    )
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(zx, zy, steps=8)
    expect(hint).to_contain_text("Moving site 1 to Corrugator")
    page.mouse.up()
    question = page.get_by_role("dialog")
    expect(question).to_contain_text("Move site 1 from Frontalis, left to Corrugator")
    question.get_by_role("button", name="Keep it where it was").click()
    expect(status(page)).to_have_text("Site 1 stays in Frontalis.")
    after = api_state(page, e2e_server, session_id)["sites"][0]
    assert (after["muscle"], after["x"], after["y"]) == (
        "frontalis",
        before["x"],
        before["y"],
    )


def test_dysport_has_its_own_chips_and_portrait_shows_the_keypad(
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    face_map: FaceMap,
) -> None:
    context = e2e_chromium.new_context(
        viewport={"width": 768, "height": 1024}, has_touch=True
    )
    page = context.new_page()
    try:
        patient_id = log_in_and_register(page, e2e_server, mrn="E2E-TOUCH-3")
        session_id = open_dysport_session(page, e2e_server, patient_id)
        touch(page, *reference(face_map, "corrugator", "left"))
        expect(status(page)).to_contain_text("Site 1 saved")
        cx, cy = marker_centre(page, 1)
        page.touchscreen.tap(cx + 10, cy)
        expect(page.locator("#tap-hint")).to_contain_text("Selected site 1")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chart-hint-768-portrait.png"))
        row(page, 1).get_by_role("button", name=re.compile("^Dose of site 1")).tap()
        pad = keypad(page)
        expect(pad).to_be_visible()
        # Dysport's own doses, never Botox's figures: its label's 10 U per
        # glabellar site and the clinic's shares of it, each said so.
        expect(pad.locator(".keypad-chip")).to_have_text(["2.5", "5", "7.5", "10"])
        expect(pad).to_contain_text("U (Speywood)")
        expect(pad.locator("#keypad-common-source")).to_contain_text(
            "10 U (Speywood) is the label's dose per glabellar site ([S23]"
        )
        expect(pad.locator("#keypad-common-source")).to_contain_text(
            "clinic setting (UNSOURCED)"
        )
        page.wait_for_timeout(300)  # the backdrop is painted a frame later
        page.screenshot(path=str(ARTIFACTS / "chart-keypad-768-portrait.png"))
        pad.locator(".keypad-chip", has_text="7.5").tap()
        expect(pad).to_be_hidden()
        expect(status(page)).to_contain_text("Site 1 saved")
        assert api_state(page, e2e_server, session_id)["sites"][0]["units"] == 7.5
        row(page, 1).get_by_role("button", name=re.compile("^Dose of site 1")).tap()
        expect(pad).to_be_visible()
        pad.get_by_role("button", name="Cancel").tap()
        expect(pad).to_be_hidden()
    finally:
        context.close()
