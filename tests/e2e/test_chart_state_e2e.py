"""The chart page on the typed state, in Chromium: dates shown from real dates.

A signed and amended Botox chart and a Dysport draft, each with a last cycle,
warnings and a template: the page shows the vial's expiry, the signing and the
amendment on the clinic's clock, chart.js reads the state without a fault, and
screenshots at tablet and phone size go to test-artifacts/ for a look.
"""

import re
import time

import pytest
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.chart_state_plans import chart_today
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.factories import make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}


def seeded_chart(server: LiveServer, product: str, mrn: str, *, amend: bool) -> int:
    with live_session(server) as session:
        actor = injector(session, server)
        patient = make_patient(session, actor, mrn, affected_side="left")
        assert patient.id is not None
        return chart_today(session, actor, patient.id, product, amend=amend)


def open_seeded_chart(
    page: Page, server: LiveServer, product: str, mrn: str, *, amend: bool
) -> int:
    """Seed a chart of today, log in and open its page; return its id."""
    session_id = seeded_chart(server, product, mrn, amend=amend)
    log_in(page, server)
    page.goto(f"{server.url}/sessions/{session_id}")
    return session_id


def look(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-tablet.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)


def test_a_signed_amended_botox_chart_shows_its_dates(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    open_seeded_chart(page, e2e_server, "botox", "E2E-STATE-1", amend=True)

    expect(page.locator(".chart-product")).to_contain_text("expires 30 Jun 2027")
    signed = page.locator("#signed-banner time")
    expect(signed).to_have_attribute("datetime", "2026-11-20T10:00:00+00:00")
    expect(page.locator("#amendments")).to_contain_text("Dose misread at the chair.")
    # The amendment is now, on the clinic's clock (+01:00 in a London summer).
    expect(page.locator("#amendments time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+0[01]:00$")
    )
    expect(page.locator("#warning-list .warning-reason").first).to_contain_text(
        "Reason given: Agreed with the patient."
    )
    expect(page.locator("#site-list .site-row")).to_have_count(3)
    look(page, "chart-state-botox-amended")
    assert page_problems.all() == []


def test_a_dysport_draft_reads_its_state(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    open_seeded_chart(page, e2e_server, "dysport", "E2E-STATE-2", amend=False)

    expect(page.locator(".chart-product")).to_contain_text("Dysport")
    expect(page.locator(".chart-product")).to_contain_text("expires 30 Jun 2027")
    expect(page.locator("#changes-section")).to_be_visible()
    expect(page.locator("#changes tr")).to_have_count(3)
    expect(page.locator("[data-total='units']")).to_have_text("131")
    expect(page.locator("#warning-list .warning-item").first).to_be_visible()
    look(page, "chart-state-dysport-draft")
    assert page_problems.all() == []


def test_a_tablet_on_another_clock_shows_the_clinics_times(
    e2e_chromium: PlaywrightBrowser, e2e_server: LiveServer
) -> None:
    """A tablet set to Auckland time still reads the signing on the clinic's clock."""
    context = e2e_chromium.new_context(
        viewport={"width": 1024, "height": 768}, timezone_id="Pacific/Auckland"
    )
    try:
        page = context.new_page()
        assert page.evaluate("new Date(0).getTimezoneOffset()") != 0
        open_seeded_chart(page, e2e_server, "dysport", "E2E-STATE-3", amend=True)
        signed = page.locator("#signed-banner time")
        expect(signed).to_have_attribute("datetime", "2026-11-20T10:00:00+00:00")
        # chart.js has formatted it (the page's script ran) in London, not Auckland.
        expect(signed).to_have_text("20 Nov 2026, 10:00")
    finally:
        context.close()


def test_a_slow_refresh_after_a_save_leaves_the_save_announced(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    """Reading the new totals saves nothing: no "Saving…", no "All changes saved."."""
    page = chromium_page
    session_id = open_seeded_chart(
        page, e2e_server, "dysport", "E2E-STATE-4", amend=False
    )
    expect(page.locator("#site-list .site-row")).to_have_count(3)

    state_url = re.compile(rf"/api/v1/sessions/{session_id}$")
    reads: list[str] = []

    def slow_read(route: Route) -> None:
        if route.request.method == "GET":
            reads.append(route.request.url)
            time.sleep(1.5)  # twice the chart's 700 ms "slow save" threshold
        route.continue_()

    page.route(state_url, slow_read)
    with page.expect_response(
        lambda r: r.request.method == "GET" and bool(state_url.search(r.url))
    ):
        page.get_by_role("button", name="Increase dose of site 1", exact=True).tap()
    status = page.locator("#chart-status")
    expect(status).not_to_have_attribute("data-kind", "busy")
    expect(status).to_contain_text("Site 1 saved:")
    assert reads, "the chart fetched its totals after the save"
    assert page_problems.all() == []
