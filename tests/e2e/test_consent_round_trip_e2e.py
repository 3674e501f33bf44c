"""The consent round trip from the chair, in Chromium at tablet size (1024x768, touch).

An injector opens a chart whose patient's treatment consent ran out (signed 60
weeks ago), taps the banner's link, and the patient signs with a finger: the
tablet comes back to that chart, with the banner gone. Leaving the form instead
also returns to the chart, banner still there. The patient page's link to the
consent page is a 44 px button. axe-core finds nothing on the pages changed.
Botox and Dysport.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.db_types import utc_now
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import register
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_consent_e2e import axe_violations
from tests.e2e.test_consent_e2e import draw_with_finger
from tests.factories import give_consent

PRODUCTS = {
    "botox": ("Botox (onabotulinumtoxinA)", "100"),
    "dysport": ("Dysport (abobotulinumtoxinA)", "300"),
}
TARGET = 44
HAND = "Hand the tablet to the patient to sign"


def _expired_chart(page: Page, server: LiveServer, product: str, mrn: str) -> int:
    """Open a chart for a new patient whose treatment consent is 60 weeks old."""
    patient_id = register(page, server, consent=False, mrn=mrn)
    with live_session(server) as session:
        give_consent(
            session,
            injector(session, server),
            patient_id,
            when=utc_now() - timedelta(weeks=60),
        )
    label, units = PRODUCTS[product]
    session_id = open_session(
        page,
        server,
        patient_id,
        lot=f"RT-{product.upper()}",
        product=label,
        vial_units=units,
    )
    expect(page.locator("#consent-banner")).to_be_visible()
    return session_id


# Consent is the patient's, not the product's: the way back is the same for
# both (the HTTP tests run it for each); one product a test here.
@pytest.mark.parametrize("product", ["botox"])
def test_consent_signed_from_the_chart_banner_returns_to_the_chart(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    session_id = _expired_chart(page, e2e_server, product, f"E2E-RT-{product}")
    chart_url = f"{e2e_server.url}/sessions/{session_id}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.locator("#consent-banner").get_by_role("link", name=HAND).click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("botulinum toxin"))
    ).to_be_visible()
    back = page.get_by_role("link", name="Back to the chart")
    expect(back).to_have_attribute("href", f"/sessions/{session_id}")
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"consent-round-trip-form-{product}.png"))

    page.locator("canvas.signature-pad").scroll_into_view_if_needed()
    draw_with_finger(page, [(0.1, 0.7), (0.3, 0.3), (0.5, 0.7), (0.8, 0.4)])
    expect(page.locator("[data-signature-status]")).to_contain_text("Signature drawn")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page).to_have_url(chart_url)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.get_by_text("Signed. Thank you.")).to_be_visible()
    expect(page.locator("#consent-banner")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"consent-round-trip-chart-{product}.png"))
    assert expected(page_problems.all()) == []


def test_leaving_the_form_opened_from_the_chart_returns_to_the_chart(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    session_id = _expired_chart(page, e2e_server, "dysport", "E2E-RT-LEAVE")

    page.locator("#consent-banner").get_by_role("link", name=HAND).click()
    page.get_by_role("link", name="Back to the chart").click()

    expect(page).to_have_url(f"{e2e_server.url}/sessions/{session_id}")
    expect(page.locator("#consent-banner")).to_contain_text(
        "Treatment consent needed before injecting."
    )
    assert expected(page_problems.all()) == []


def test_the_patient_pages_consent_link_is_a_44px_button(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    patient_id = register(page, e2e_server, consent=False, mrn="E2E-RT-BADGE")
    with live_session(e2e_server) as session:
        give_consent(
            session,
            injector(session, e2e_server),
            patient_id,
            when=utc_now() - timedelta(weeks=60),
        )

    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    page.wait_for_load_state("load")
    link = page.get_by_role("link", name="Open the consent page")
    box = link.bounding_box()
    assert box is not None
    assert box["height"] >= TARGET, box
    assert box["width"] >= TARGET, box
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "consent-patient-badge-link.png"))
    link.click()
    expect(page).to_have_url(f"{e2e_server.url}/patients/{patient_id}/consent")
    assert expected(page_problems.all()) == []


@pytest.mark.parametrize("product", ["dysport"])
def test_consent_recorded_from_the_banners_consent_page_returns_to_the_chart(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    session_id = _expired_chart(page, e2e_server, product, f"E2E-RT-PAGE-{product}")
    chart_url = f"{e2e_server.url}/sessions/{session_id}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.locator("#consent-banner").get_by_role("link", name="Consent page").click()
    expect(page.get_by_role("heading", level=1, name="Consent")).to_be_visible()
    back = page.get_by_role("link", name="Back to the chart")
    expect(back).to_have_attribute("href", f"/sessions/{session_id}")
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    treatment = page.locator("#kind-treatment")
    treatment.get_by_text("Consent held elsewhere").click()
    treatment.locator("#reason-treatment").fill("Paper form signed today, scanned.")
    page.screenshot(path=str(ARTIFACTS / f"consent-page-way-back-{product}.png"))
    treatment.get_by_role("button", name="Record consent with this reason").click()

    expect(page).to_have_url(chart_url)
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.get_by_text("Consent recorded with its reason.")).to_be_visible()
    expect(page.locator("#consent-banner")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"consent-page-back-on-chart-{product}.png"))
    assert expected(page_problems.all()) == []
