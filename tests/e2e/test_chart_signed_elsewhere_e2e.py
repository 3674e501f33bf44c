"""A chart signed in another tab, then tapped on the tablet, in real Chromium.

The session is signed through the API from a second browser context (another
tab, another device). A change tapped on the tablet afterwards is refused by
the server ("This session is signed", planner.errors.SignedSession): the chair
says so, not "Another device changed this chart", turns read-only where it is
exactly as after its own signing (chart/readonly.js), and offers no edit and no
second try. The control tapped goes with the others, so focus moves to the signed
banner rather than falling to <body>. Tapping "Sign session" on the tablet after
the other tab signed is the same, even with the consent box left unticked (the
server says "signed" before it lists what signing would need). Botox (U) and
Dysport (U (Speywood)), each in its own units.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import csrf
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import TABLET
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.test_chart_signed_in_place_e2e import open_chart
from tests.e2e.test_chart_signed_in_place_e2e import row_doses

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIGNED = "This session is signed"
REFUSED_409 = (
    r"HTTP 409 for .*/api/v1/sessions/\d+/",
    r"console error: Failed to load resource: .* 409",
)


def sign_elsewhere(browser: Browser, server: LiveServer, session_id: int) -> None:
    """Sign the session through the API as the injector in a second context."""
    context = browser.new_context(**TABLET)
    try:
        other = context.new_page()
        other.goto(server.url)
        log_in(other, server)
        state: dict[str, Any] = api_state(other, server, session_id)
        warnings = state["warnings"]
        response = other.request.post(
            f"{server.url}/api/v1/sessions/{session_id}/sign",
            data={
                "version": state["session"]["version"],
                "consent_obtained": True,
                "reasons": {
                    w["key"]: "Discussed with the patient; agreed plan."
                    for w in warnings
                    if w["needs_reason"]
                },
                "overrides": [w["key"] for w in warnings if w.get("hard_stop")],
            },
            headers={"X-CSRFToken": csrf(other)},
        )
        assert response.status == 200, response.text()
        assert response.json()["session"]["status"] == "signed"
    finally:
        context.close()


def assert_read_only_as_signed(page: Page, wanted: list[str]) -> None:
    """Read-only in place, as after the tablet's own signing: nothing to edit."""
    expect(page.locator("#status-badge")).to_have_text("Signed")
    expect(page.locator("#signed-banner")).to_contain_text("Signed by")
    expect(page.locator("#chart")).to_have_class(re.compile("is-readonly"))
    expect(page.locator("[data-edit]")).to_have_count(0)
    expect(page.get_by_role("button", name="Review and sign")).to_have_count(0)
    expect(page.locator("#print-record")).to_be_visible()
    assert [r["units"] for r in row_doses(page)] == wanted
    assert all(r["buttons"] == 0 for r in row_doses(page))
    # The control tapped has gone with the others: focus goes to the banner saying
    # who signed (announced when focused), not to <body> where it would be lost.
    expect(page.locator("#signed-banner")).to_be_focused()


# One product: the refusal is a mechanic (per product in
# tests/views/test_signed_session_refusals.py); both sign elsewhere below.
@pytest.mark.parametrize("product", ["botox"])
def test_a_tap_on_a_chart_signed_in_another_tab_says_it_is_signed(
    chromium_page: Page,
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    session_id, unit, sites = open_chart(page, e2e_server, product, f"E2E-SE-{product}")
    sign_elsewhere(e2e_chromium, e2e_server, session_id)

    # The tablet still shows the draft: tap "+" on site 1.
    row(page, 1).get_by_role("button", name="Increase dose of site 1").tap()
    expect(status(page)).to_contain_text(SIGNED)
    expect(status(page)).not_to_contain_text("Another device")
    expect(status(page)).to_contain_text("not applied")
    # Signed with the doses the other tab signed, in this product's own units.
    assert_read_only_as_signed(page, [f"{u:g} {unit}" for _, _, u in sites])
    saved = api_state(page, e2e_server, session_id)
    assert saved["session"]["status"] == "signed"
    assert [float(s["units"]) for s in saved["sites"]] == [u for _, _, u in sites]
    page.screenshot(path=str(ARTIFACTS / f"signed-elsewhere-tap-{product}.png"))
    assert expected(page_problems.all(), *REFUSED_409) == []


# Each product once and each state of the consent box once: the box is read in
# the page, the units in the product, so neither varies with the other.
@pytest.mark.parametrize(
    ("product", "finished"),
    [("botox", True), ("dysport", False)],
    ids=["botox-finished", "dysport-unfinished"],
)
def test_signing_a_chart_signed_in_another_tab_says_it_is_signed(
    chromium_page: Page,
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
    finished: bool,
) -> None:
    page = chromium_page
    session_id, unit, sites = open_chart(
        page, e2e_server, product, f"E2E-SE-SIGN-{product}-{finished}"
    )
    for reason in page.locator("[data-reason-for]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    page.get_by_role("button", name="Review and sign").tap()
    sign_elsewhere(e2e_chromium, e2e_server, session_id)
    if not finished:
        # Consent left unticked: not "Not signed: consent must be confirmed".
        page.get_by_label("Consent obtained for this treatment").uncheck()

    page.get_by_role("button", name="Sign session").tap()
    expect(status(page)).to_contain_text(SIGNED)
    expect(status(page)).not_to_contain_text("Another device")
    expect(status(page)).not_to_contain_text("sign again")
    expect(status(page)).not_to_contain_text("Not signed")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_read_only_as_signed(page, [f"{u:g} {unit}" for _, _, u in sites])
    shot = f"signed-elsewhere-sign-{product}-{'finished' if finished else 'unfinished'}"
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    assert expected(page_problems.all(), *REFUSED_409) == []
