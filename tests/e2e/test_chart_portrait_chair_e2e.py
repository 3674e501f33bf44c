"""The chart at the chair on a portrait tablet (768x1024, touch), review rW2.

V2-6: the review sheet lists a site without a dose first, with a button to its
keypad, and does not offer "Sign session" as ready until every dose is entered.
Botox and Dysport, in real Chromium.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Request
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import give_treatment_consent
from tests.e2e.test_chart_pending_e2e import chart_of
from tests.e2e.test_chart_pending_e2e import open_chart

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PORTRAIT = {"width": 768, "height": 1024}
# Each product's doses for the two copied sites, in its own units (never converted).
DOSES = {"botox": ("4", "2"), "dysport": ("20", "10")}
OTHER = {"botox": "dysport", "dysport": "botox"}


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


@pytest.mark.parametrize("product", ["botox", "dysport"])
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
