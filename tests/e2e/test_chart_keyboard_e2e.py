"""The chart with the keyboard alone (issue 15 item 10, WCAG 2.1.1): place a site
at a chosen point with the map's crosshair, move it, change its dose, delete it
(focus stays on the page), place another and sign. Real Chromium, 1024x768.

Setting up (logging in, registering, opening the chart) uses the mouse; from the
chart page on, every action is a key press.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import IN_REGION
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
CROSS_STEP = 0.02  # static/js/chart/keyboard.js: a press moves 2 % of the width
MAX_TABS = 120


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def focused(page: Page) -> str:
    """What has focus, as "tag#id.class [aria-label]"."""
    found: str = page.evaluate(
        """() => { const e = document.activeElement;
        const name = e.getAttribute('aria-label') || '';
        return `${e.tagName.toLowerCase()}#${e.id}.${e.className} [${name}]`; }"""
    )
    return found


def tab_to(page: Page, selector: str, *, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until ``selector`` has focus; return the presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never took focus; last: {focused(page)}")


def crosshair_to(page: Page, target: tuple[float, float], region: str) -> None:
    """Arrow the crosshair from where it is to the grid point nearest ``target``."""
    box = page.evaluate(
        """() => { const b = document.querySelector('#chart-map svg').viewBox.baseVal;
        return [b.x, b.y, b.width, b.height]; }"""
    )
    at = page.evaluate(
        """() => { const l = document.querySelector('#chart-map .crosshair-line');
        return [(Number(l.getAttribute('x1')) + Number(l.getAttribute('x2'))) / 2,
                Number(l.getAttribute('y1'))]; }"""
    )
    step = box[2] * CROSS_STEP
    dx = round((target[0] - at[0]) / step)
    dy = round((target[1] - at[1]) / step)
    landing = [at[0] + dx * step, at[1] + dy * step]
    assert page.evaluate(IN_REGION, [region, *landing]), (landing, region)
    for count, key in ((dx, "ArrowRight"), (-dx, "ArrowLeft")):
        for _ in range(max(count, 0)):
            page.keyboard.press(key)
    for count, key in ((dy, "ArrowDown"), (-dy, "ArrowUp")):
        for _ in range(max(count, 0)):
            page.keyboard.press(key)


def test_place_move_dose_delete_and_sign_with_the_keyboard_alone(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    session_id = open_new_chart(page, e2e_server, lot="KB101", mrn="E2E-KEYS-1")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("body").focus()

    # The map is one tab stop; focused, it shows a crosshair and says what is under it.
    tab_to(page, "#chart-map")
    expect(page.locator("#chart-map .crosshair")).to_have_count(1)
    expect(status(page)).to_contain_text("Crosshair")
    crosshair_to(page, reference(face_map, "mentalis", "left"), "region-mentalis-left")
    expect(status(page)).to_have_text("Crosshair on Mentalis, left side.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart-keyboard-crosshair.png"))
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(re.compile(r"^Site 1 saved: Mentalis, left, 2 U"))
    expect(row(page, 1)).to_have_attribute(
        "aria-label", re.compile(r"^Site 1: Mentalis, left, .*2 U$")
    )
    expect(page.locator("#chart-map g.site[data-number='1'] > title")).to_have_text(
        "Site 1: Mentalis, left, 2 U"
    )

    # Move it: its Move button puts the crosshair on it; Enter puts it elsewhere.
    tab_to(page, "#site-list [data-action=move]")
    page.keyboard.press("Enter")
    expect(page.locator("#chart-map")).to_be_focused()
    expect(status(page)).to_contain_text("Moving site 1: arrow keys move the crosshair")
    crosshair_to(
        page,
        reference(face_map, "depressor_anguli_oris", "left"),
        "region-depressor_anguli_oris-left",
    )
    expect(status(page)).to_have_text(
        "Crosshair on Depressor anguli oris, left side. Enter puts site 1 here."
    )
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(
        re.compile(r"^Site 1 moved: Depressor anguli oris, left, 2 U")
    )
    expect(row(page, 1)).to_be_focused()
    assert api_state(page, e2e_server, session_id)["sites"][0]["muscle"] == (
        "depressor_anguli_oris"
    )

    # Its dose: Enter on the row opens the keypad; type, Enter.
    page.keyboard.press("Enter")
    pad = page.get_by_role("dialog", name=re.compile("^Dose of site 1"))
    expect(pad).to_be_visible()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(
        re.compile(r"^Site 1 saved: Depressor anguli oris, left, 4 U")
    )
    expect(row(page, 1)).to_be_focused()

    # Delete it: the last site gone, focus lands on the list's heading, not the body.
    tab_to(page, "#site-list [data-action=delete]")
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#sites-title")).to_be_focused()
    expect(page.locator("#sites-title")).to_have_text("Sites (0)")

    # Place another, then review and sign.
    tab_to(page, "#chart-map", back=True)
    crosshair_to(page, reference(face_map, "mentalis", "left"), "region-mentalis-left")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(re.compile(r"^Site 1 saved: Mentalis, left"))
    tab_to(page, "#review-sign")
    page.keyboard.press("Enter")
    sheet = page.get_by_role("dialog", name="Review and sign")
    expect(sheet).to_be_visible()
    expect(page.locator("#sign")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status-badge")).to_have_text("Signed")
    expect(page.locator("#signed-banner")).to_be_focused()
    assert api_state(page, e2e_server, session_id)["session"]["status"] == "signed"
    # Read-only now: the map is no longer a control.
    assert page.locator("#chart-map").get_attribute("tabindex") is None
    assert page_problems.all() == []
