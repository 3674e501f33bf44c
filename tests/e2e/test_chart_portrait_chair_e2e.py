"""The chart at the chair on a portrait tablet (768x1024, touch), review rW2.

V2-6: the review sheet lists a site without a dose first, with a button to its
keypad, and does not offer "Sign session" as ready until every dose is entered.
V2-7: the keypad names the dose it replaces (it covers the row in portrait), and
its one-tap chips are a labelled group well apart from the digit keys.
V2-5: Move brings the face map and its instruction into view, and the row back
with the focus once the site is moved or the move cancelled (touch and keyboard).
Botox and Dysport, in real Chromium.
"""

import re
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import FloatRect
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import Request
from playwright.sync_api import expect

from tests.e2e.chart_helpers import SCREEN_POINT
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import give_treatment_consent
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_chart_pending_e2e import VIALS
from tests.e2e.test_chart_pending_e2e import chart_of
from tests.e2e.test_chart_pending_e2e import open_chart
from tests.factories import FACE_MAP
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PORTRAIT = {"width": 768, "height": 1024}
# Each product's doses for the two copied sites, in its own units (never converted).
DOSES = {"botox": ("4", "2"), "dysport": ("20", "10")}
OTHER = {"botox": "dysport", "dysport": "botox"}
UNIT = {"botox": "U", "dysport": "U (Speywood)"}
MIN_TARGET_PX = 44
# Clear space the review asks for between a one-tap chip and the digit keys.
MIN_CHIP_GAP_PX = 8


@pytest.fixture
def portrait(e2e_chromium: Browser) -> Iterator[Page]:
    context = e2e_chromium.new_context(viewport=PORTRAIT, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def copied_chart(page: Page, server: LiveServer, product: str) -> int:
    """A draft ``product`` chart whose two sites were copied from a cycle in the
    other product, so neither has a dose yet; the patient has given consent."""
    session_id = chart_of(server, f"E2E-PC-{product}", product, last=OTHER[product])
    open_chart(page, server, session_id)
    patient_id = api_state(page, server, session_id)["patient"]["id"]
    give_treatment_consent(server, patient_id)
    page.get_by_role("button", name="Copy last cycle").tap()
    page.locator("#prefill-replace").tap()
    expect(status(page)).to_contain_text("Copied 2 sites from the last cycle.")
    return session_id


def enter_on_keypad(page: Page, digits: str) -> None:
    pad = page.get_by_role("dialog", name=re.compile("^Dose of site"))
    expect(pad).to_be_visible()
    for key in digits:
        pad.get_by_role("button", name=key, exact=True).tap()
    pad.get_by_role("button", name="OK").tap()
    expect(pad).to_be_hidden()


# The sheet's order and the signing rule are the same for every product (the
# service tests hold both products to them): one product here, the other below.
@pytest.mark.parametrize("product", ["dysport"])
def test_the_sheet_lists_a_missing_dose_first_and_sign_waits_for_it(
    portrait: Page, e2e_server: LiveServer, product: str
) -> None:
    page = portrait
    session_id = copied_chart(page, e2e_server, product)
    first, second = DOSES[product]
    row(page, 1).get_by_role("button", name=re.compile("^Dose of site 1")).tap()
    enter_on_keypad(page, first)
    expect(status(page)).to_contain_text("Site 1 saved")

    signs: list[Request] = []
    page.on("request", lambda r: signs.append(r) if r.url.endswith("/sign") else None)
    page.get_by_role("button", name="Review and sign").tap()
    sheet = page.get_by_role("dialog", name="Review and sign")
    missing = sheet.locator("#review-missing")
    expect(missing).to_be_visible()
    expect(missing.locator("li")).to_have_count(1)
    expect(missing.locator("li")).to_contain_text(
        "Site 2 has no dose: enter it before signing."
    )
    # First on the sheet, above the sites and the checks.
    top = missing.bounding_box()
    sites = sheet.locator("#review-sites").bounding_box()
    assert top is not None
    assert sites is not None
    assert top["y"] < sites["y"]
    enter = sheet.get_by_role("button", name="Enter the dose of site 2")
    expect(enter).to_be_focused()
    # "Sign session" is not offered as ready, and the checks are not called complete.
    sign = sheet.get_by_role("button", name="Sign session")
    expect(sign).to_have_attribute("aria-disabled", "true")
    expect(sheet.locator("#sign-not-ready")).to_have_text(
        "Not ready to sign: site 2 has no dose."
    )
    expect(sign).to_have_accessible_description(
        "Not ready to sign: site 2 has no dose."
    )
    expect(sheet.locator("#review-checks-count")).to_contain_text(
        "(the site without a dose is checked once its dose is entered,"
        " so more may appear)"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # the backdrop is painted a frame later
    page.screenshot(path=str(ARTIFACTS / f"chart-review-missing-dose-{product}.png"))

    # A tap on Sign sends nothing: it points at what to fix. (Playwright waits
    # for an aria-disabled button to be enabled; a finger does not.)
    sign.tap(force=True)
    expect(enter).to_be_focused()
    page.wait_for_timeout(300)
    assert signs == []

    # The button closes the sheet and opens that site's keypad.
    enter.tap()
    expect(sheet).to_be_hidden()
    pad = page.get_by_role("dialog", name=re.compile("^Dose of site 2"))
    expect(pad).to_be_visible()
    enter_on_keypad(page, second)
    expect(status(page)).to_contain_text("Site 2 saved")
    expect(page.locator("#unset-note")).to_be_hidden()

    for reason in page.locator("[data-reason-for]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    page.get_by_role("button", name="Review and sign").tap()
    expect(missing).to_be_hidden()
    expect(sheet.locator("#sign-not-ready")).to_be_hidden()
    expect(sign).not_to_have_attribute("aria-disabled", "true")
    sign.tap()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    state = api_state(page, e2e_server, session_id)
    assert sorted(str(s["units"]).removesuffix(".0") for s in state["sites"]) == sorted(
        (first, second)
    )


def chart_with_sites(
    server: LiveServer, mrn: str, product: str, sites: list[tuple[str, str, float]]
) -> int:
    """A draft ``product`` chart for a new patient with these sites charted."""
    with live_session(server) as session:
        actor = injector(session, server)
        patient = make_patient(session, actor, mrn, affected_side="left")
        assert patient.id is not None
        treatment = make_treatment(
            session,
            actor,
            patient.id,
            sites,
            when=datetime.now(UTC),
            product=product,
            lot_number=f"{mrn}-T",
            **VIALS[product],
        )
        assert treatment.record.id is not None
        return treatment.record.id


def box_of(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize(("product", "dose"), [("botox", "2.5"), ("dysport", "15")])
def test_the_keypad_names_the_dose_it_replaces_and_keeps_chips_apart(
    portrait: Page, e2e_server: LiveServer, product: str, dose: str
) -> None:
    page = portrait
    sites = [("mentalis", "left", float(dose)), ("corrugator", "left", float(dose))]
    session_id = chart_with_sites(e2e_server, f"E2E-PK-{product}", product, sites)
    open_chart(page, e2e_server, session_id)
    row(page, 2).get_by_role("button", name=re.compile("^Dose of site 2")).tap()
    pad = page.get_by_role("dialog", name=re.compile("^Dose of site 2"))
    expect(pad).to_be_visible()
    now = f"Now: {dose} {UNIT[product]}. What you type replaces it."
    expect(pad.locator("#keypad-now")).to_have_text(now)
    expect(pad).to_have_accessible_description(now)
    pad.get_by_role("button", name="1", exact=True).tap()
    expect(page.locator("#keypad-value")).to_have_text(f"1 {UNIT[product]}")
    expect(pad.locator("#keypad-now")).to_have_text(now)  # still named while typing

    # The chips: a group labelled "Common doses", above the display, never next
    # to a digit key.
    common = pad.get_by_role("group", name="Common doses")
    expect(common).to_be_visible()
    expect(common).to_contain_text("Common doses (one tap saves)")
    chips = [box_of(chip) for chip in common.locator(".keypad-chip").all()]
    keys = [box_of(key) for key in pad.locator(".keypad-key").all()]
    assert chips
    display = box_of(page.locator("#keypad-value"))
    chips_bottom = max(b["y"] + b["height"] for b in chips)
    keys_top = min(b["y"] for b in keys)
    assert keys_top - chips_bottom >= MIN_CHIP_GAP_PX
    assert chips_bottom < display["y"]
    assert display["y"] + display["height"] < keys_top
    for button in pad.get_by_role("button").all():
        box = box_of(button)
        assert min(box["width"], box["height"]) >= MIN_TARGET_PX, button.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # the backdrop is painted a frame later
    page.screenshot(path=str(ARTIFACTS / f"chart-keypad-portrait-{product}.png"))
    pad.get_by_role("button", name="Cancel").tap()
    expect(pad).to_be_hidden()
    saved = api_state(page, e2e_server, session_id)["sites"]
    assert [s["units"] for s in saved] == [float(dose), float(dose)]


def on_screen(page: Page, locator: Locator) -> bool:
    """Whether the whole of the element is inside the viewport."""
    box = box_of(locator)
    return box["y"] >= 0 and box["y"] + box["height"] <= PORTRAIT["height"]


@pytest.mark.parametrize(("product", "dose"), [("botox", 2.0)])
def test_move_brings_the_map_into_view_and_the_row_back(
    portrait: Page, e2e_server: LiveServer, product: str, dose: float
) -> None:
    page = portrait
    sites = [
        ("frontalis", "left", dose),
        ("corrugator", "left", dose),
        ("mentalis", "left", dose),
    ]
    session_id = chart_with_sites(e2e_server, f"E2E-PM-{product}", product, sites)
    open_chart(page, e2e_server, session_id)
    chart_map = page.locator("#chart-map")
    site = row(page, 3)
    site.scroll_into_view_if_needed()
    assert not on_screen(page, chart_map)  # the map is above, off the screen

    # Touch: Move, and the map with its instruction is in view.
    site.get_by_role("button", name="Move site 3").tap()
    expect(status(page)).to_contain_text("Tap the new place for site 3 on the map")
    assert on_screen(page, chart_map)
    assert on_screen(page, status(page))
    cancel = page.get_by_role("button", name="Cancel the move")
    expect(cancel).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chart-move-portrait-{product}.png"))
    x, y = page.evaluate(SCREEN_POINT, list(reference(FACE_MAP, "mentalis", "right")))
    assert 0 < y < PORTRAIT["height"]
    page.touchscreen.tap(x, y)
    expect(site.locator("[data-field=side]")).to_have_text("Right")
    expect(status(page)).to_contain_text("Site 3")
    # Back at the row, with the focus.
    expect(site).to_be_focused()
    assert on_screen(page, site)
    expect(cancel).to_be_hidden()
    moved = api_state(page, e2e_server, session_id)["sites"][2]
    assert (moved["muscle"], moved["side"], moved["units"]) == (
        "mentalis",
        "right",
        dose,
    )

    # Cancelled from the map's side: the row comes back too.
    site.get_by_role("button", name="Move site 3").tap()
    assert on_screen(page, chart_map)
    cancel.tap()
    expect(status(page)).to_have_text("Move cancelled.")
    expect(site).to_be_focused()
    assert on_screen(page, site)

    # Keyboard: Move from the keyboard focuses the map, in view; Enter puts the
    # site there and the focus goes back to its row.
    site.get_by_role("button", name="Move site 3").focus()
    page.keyboard.press("Enter")
    expect(chart_map).to_be_focused()
    assert on_screen(page, chart_map)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(site).to_be_focused()
    assert on_screen(page, site)
