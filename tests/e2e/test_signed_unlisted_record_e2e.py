"""A signed record in a product the dose reference does not list, in Chromium.

The signed page shows the sites and doses as recorded, in the product row's own
units, says that no dose reference is held, offers no amendment, and prints its
record; the page passes axe. Screenshot and record pages go to test-artifacts/.
"""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.models import Product
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.e2e.test_patients_e2e import log_in
from tests.factories import make_patient
from tests.services.test_comparison_report import page_texts
from tests.services.test_comparison_report import save_pages
from tests.services.test_signed_unlisted_record import NO_REFERENCE
from tests.services.test_signed_unlisted_record import sign_two_sites
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import CLINIC_UNIT
from tests.services.test_unlisted_product_cycles import UNLISTED

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def signed_unlisted(e2e_server: LiveServer) -> int:
    """A signed session, mentalis and DAO on the left, in the clinic's product."""
    with live_session(e2e_server) as session:
        session.add(
            Product(
                code=CLINIC,
                brand=BRANDS[CLINIC],
                inn="test toxin",
                unit_name=CLINIC_UNIT,
                vial_sizes=[100],
                dilutions=[],
                in_use_hours=24,
                in_use_source="clinic",
                interval_source="clinic",
            )
        )
        session.commit()
        actor = injector(session, e2e_server)
        patient = make_patient(session, actor, "E2E-UNL-1", given_name="Rosa")
        return sign_two_sites(session, actor, patient, CLINIC).id


@UNLISTED
def test_the_signed_record_is_shown_and_printed_as_recorded(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    signed_unlisted: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/sessions/{signed_unlisted}")
    expect(page.locator("#status-badge")).to_have_text("Signed")
    expect(page.locator("#signed-banner")).to_contain_text(
        "No dose reference is held for Clinic toxin"
    )
    expect(page.locator("li.site-row[data-site-id]")).to_have_count(2)
    expect(page.locator("li.site-row[data-site-id]").first).to_contain_text(
        f"2.5 {CLINIC_UNIT}"
    )
    expect(page.locator("#amend")).to_have_count(0)
    # Planner cannot chart the product, so the record is no template either.
    expect(page.locator("#save-template")).to_have_count(0)
    check_axe(page, "signed record in a product with no dose reference")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signed-unlisted-page.png"), full_page=True)

    pdf = page.request.get(f"{e2e_server.url}/sessions/{signed_unlisted}/record.pdf")
    assert pdf.ok, pdf.status
    flat = " ".join(page_texts(pdf.body()))
    assert NO_REFERENCE in flat
    assert f"Dose, {CLINIC_UNIT}" in flat
    save_pages(pdf.body(), "record-signed-unlisted")
    assert page_problems.all() == []
