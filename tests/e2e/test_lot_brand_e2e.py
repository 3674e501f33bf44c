"""The brand on the box in real Chromium (review rX, X3).

The new-session form offers "Brand on the box" only for a product sold under
another brand (Dysport: Azzalure; Xeomin: Bocouture), with that product's brands
only; Botox has none, so the choice is hidden. An Azzalure 125 U vial made up with
0.63 mL [S24] opens the chart without a dilution tick. The stock receipt form does
the same. axe finds nothing on either form.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import add_login
from tests.e2e.page_checks import check_axe

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DYSPORT = "Dysport (abobotulinumtoxinA)"
XEOMIN = "Xeomin (incobotulinumtoxinA)"
BOTOX = "Botox (onabotulinumtoxinA)"


def offered(page: Page) -> list[str]:
    """The brands the select offers, blank (the product's own) left out."""
    return page.locator("#brand").evaluate(
        "select => [...select.querySelectorAll('optgroup:not([disabled]) option')]"
        ".map(option => option.value)"
    )


def test_the_new_session_form_offers_the_products_brands_and_opens_azzalure(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(page, e2e_server, mrn="E2E-BRAND-1")
    page.goto(f"{e2e_server.url}/patients/{patient_id}/sessions/new")
    brand = page.get_by_label("Brand on the box")

    page.get_by_label("Product").select_option(label=BOTOX)
    expect(brand).to_be_hidden()
    page.get_by_label("Product").select_option(label=XEOMIN)
    expect(brand).to_be_visible()
    assert offered(page) == ["Xeomin", "Bocouture"]
    page.get_by_label("Product").select_option(label=DYSPORT)
    assert offered(page) == ["Dysport", "Azzalure"]
    brand.select_option("Azzalure")

    page.get_by_role("group", name=re.compile("^Vial")).get_by_label(
        re.compile("A new vial")
    ).check()
    vial = page.get_by_role("group", name="New vial")
    vial.get_by_label("Lot number").fill("E2E-AZ1")
    vial.get_by_label("Expiry date").fill((date.today() + timedelta(300)).isoformat())
    vial.get_by_label("Units in the vial").fill("125")
    vial.get_by_label("Diluent", exact=True).fill("0.63")
    now = datetime.now().strftime("%Y-%m-%dT%H:%M")
    vial.get_by_label("Reconstituted at").fill(now)
    page.get_by_label("Consent obtained for today's treatment").check()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    brand.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "session-form-brand.png"), full_page=True)
    check_axe(page, "new session, brand on the box")

    # A brand of another product goes back to blank when the product changes.
    page.get_by_label("Product").select_option(label=BOTOX)
    expect(brand).to_have_value("")
    page.get_by_label("Product").select_option(label=DYSPORT)
    brand.select_option("Azzalure")
    page.get_by_role("button", name="Open the chart").click()

    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.locator(".chart-product")).to_contain_text("Azzalure lot E2E-AZ1")
    expect(page.locator(".chart-product")).to_contain_text(
        "125 U (Speywood) in 0.63 mL"
    )
    page.screenshot(path=str(ARTIFACTS / "chart-azzalure-vial.png"))
    assert page_problems.all() == []


def test_the_stock_receipt_form_offers_the_products_brands(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    email, password = "e2e.brands@example.org", "cartons on the shelf 2026"
    add_login(e2e_server, email=email, name="Bo Box", role="staff", password=password)
    log_in(page, e2e_server, email, password)
    page.goto(f"{e2e_server.url}/stock/receive")
    brand = page.get_by_label("Brand on the box")
    page.get_by_label("Product").select_option("botox")
    expect(brand).to_be_hidden()
    page.get_by_label("Product").select_option("dysport")
    assert offered(page) == ["Dysport", "Azzalure"]
    brand.select_option("Azzalure")
    page.get_by_label("Lot number").fill("E2E-AZ9")
    page.get_by_label("Expiry date").fill((date.today() + timedelta(300)).isoformat())
    page.get_by_label("Units in each vial").fill("125")
    page.get_by_label("Vials received").fill("4")
    page.get_by_label("Supplier").fill("Alliance Healthcare")
    page.get_by_label("Stored in").fill("Fridge 1")
    page.screenshot(path=str(ARTIFACTS / "stock-receive-brand.png"), full_page=True)
    check_axe(page, "stock receipt, brand on the box")
    page.get_by_role("button", name="Receive into stock").click()
    expect(page).to_have_url(re.compile(r"/stock/"))
    expect(
        page.get_by_role("rowheader", name=re.compile("Azzalure E2E-AZ9"))
    ).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "stock-azzalure-lot.png"), full_page=True)
    assert page_problems.all() == []
