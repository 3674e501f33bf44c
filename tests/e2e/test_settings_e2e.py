"""An admin edits a product's dose limits: real Chromium, the live server."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import add_login

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN_EMAIL = "e2e.admin@example.org"
ADMIN_PASSWORD = "settings at the desk 2024"


def add_admin(server: LiveServer) -> None:
    add_login(
        server,
        email=ADMIN_EMAIL,
        name="Ada Admin",
        role="admin",
        password=ADMIN_PASSWORD,
    )


def test_an_admin_edits_dysport_dose_limits(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    add_admin(e2e_server)
    page = chromium_page
    # Waits for the login's answer: going on at once aborted its redirect.
    log_in(page, e2e_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{e2e_server.url}/settings/")
    page.get_by_role("link", name="Dose limits per product").click()
    page.get_by_role("link", name="Dysport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dose limits: Dysport")
    corrugator = page.locator("#muscle-corrugator")
    expect(corrugator).to_contain_text("[S23] Dysport label")
    expect(corrugator).to_contain_text("Sourced")

    # Chromium reads the label with a space before its visually hidden part.
    site = page.get_by_role("textbox", name=re.compile(r"^Most\W+Any one site$"))
    site.fill("-2")
    low = page.get_by_role("textbox", name=re.compile(r"^Low\W+Mentalis, per point"))
    low.fill("4")
    page.get_by_role("button", name="Save Dysport limits").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Any one site: must be more than 0")
    expect(summary).to_contain_text("Mentalis, per point, high end: is needed")
    expect(site).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(ARTIFACTS / "settings-limits-errors.png"), full_page=True)

    site.fill("20")
    page.get_by_role("textbox", name=re.compile(r"^High\W+Mentalis, per point")).fill(
        "5"
    )
    page.get_by_role("button", name="Save Dysport limits").click()
    expect(page.locator(".flashes")).to_contain_text("Saved: 2 limits changed.")
    ceiling = page.locator("tr", has=page.get_by_role("rowheader", name="Any one site"))
    expect(ceiling).to_contain_text(
        re.compile(r"Clinic setting \(edited .* by Ada Admin\)")
    )
    expect(ceiling).to_contain_text("Replaces the shipped 25")
    page.screenshot(path=str(ARTIFACTS / "settings-limits-saved.png"), full_page=True)
    problems = [p for p in page_problems.all() if "400" not in p]
    assert problems == []
