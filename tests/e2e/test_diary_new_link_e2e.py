"""Giving a patient a new diary link from the patient page (tablet), and its phone view.

The old link stops opening at once; the patient page stays axe-clean.
"""

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services.diary_reprint import printable_link
from planner.services.diary_tokens import link_key
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def open_link(e2e_server: LiveServer) -> dict[str, Any]:
    """Sign a treatment 10 days ago; return the patient and the link's token."""
    with live_session(e2e_server, expire_on_commit=False) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(
            session, actor, "E2E-NEWLINK-1", given_name="Rosa", family_name="Lind"
        )
        when = datetime.now(UTC) - timedelta(days=10)
        treatment = make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 4.0)],
            when=when,
            sign=True,
            lot_number="NEWLINK1",
        )
        found = printable_link(
            session, treatment.id, key=DIARY_KEY, now=when, zone=ZONE
        )
        assert found is not None
        assert found.printed is not None
        return {"patient_id": patient.id, "token": found.printed.token}


@pytest.fixture
def phone(e2e_chromium: PlaywrightBrowser) -> Iterator[Page]:
    context = e2e_chromium.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_an_injector_gives_a_new_link_and_the_old_one_stops(
    chromium_page: Page,
    phone: Page,
    e2e_server: LiveServer,
    open_link: dict[str, Any],
    page_problems: PageProblems,
) -> None:
    page = chromium_page
    old = f"{e2e_server.url}/diary/{open_link['token']}"
    page.goto(old)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Rosa")
    log_in(page, e2e_server)
    patient_page = f"{e2e_server.url}/patients/{open_link['patient_id']}"
    page.goto(patient_page)
    links = page.locator("#diary")
    expect(links).to_contain_text("Printing the handout again prints the same link")
    expect(links.get_by_role("link", name="Print handout")).to_be_visible()
    check_axe(page, "patient page")
    links.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "diary-new-link-before.png"))
    button = links.get_by_role("button", name="Give a new diary link for cycle 1")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    button.click()
    expect(page.get_by_role("status")).to_contain_text("the old one no longer opens")
    check_axe(page, "patient page after a new link")
    page.screenshot(path=str(ARTIFACTS / "diary-new-link-given.png"))
    page.goto(old)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This diary link does not open"
    )
    # The handout now prints a link the app derives with its own key.
    assert link_key("e2e") != DIARY_KEY

    log_in(phone, e2e_server)
    phone.goto(patient_page)
    section = phone.locator("#diary")
    section.scroll_into_view_if_needed()
    expect(
        section.get_by_role("button", name="Give a new diary link for cycle 1")
    ).to_be_visible()
    check_axe(phone, "patient page on a phone")
    section.screenshot(path=str(ARTIFACTS / "diary-new-link-phone.png"))
    assert page_problems.all() == []
