"""A cycle with a top-up in another product, then a change of product, in Chromium.

The cycles page and the printed comparison show the other product's top-up in
its own units, apart from the cycle's doses, and the card after a change of
product compares no dose with the cycle before; both pass axe.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

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
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import signed_cycle
from tests.services.test_other_product_top_up import treat

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OTHER_TOP_UP = "+10 U (Speywood) Dysport top-up"


@pytest.fixture
def switched_products(e2e_server: LiveServer) -> int:
    """Botox 4 U with a Botox and a Dysport top-up; Dysport 10 U; Botox 10 U."""
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(
            session, actor, "E2E-MIX-1", given_name="Noor", affected_side="left"
        )
        signed_cycle(
            session,
            actor,
            patient,
            "botox",
            [("mentalis", "left", 4)],
            [
                (14, "botox", [("mentalis", "left", 2)]),
                (15, "dysport", [("mentalis", "left", 10)]),
            ],
        )
        for day, product, units in ((100, "dysport", 10), (200, "botox", 10)):
            treat(
                session,
                actor,
                patient,
                [("mentalis", "left", units)],
                DAY0 + timedelta(days=day),
                product,
                sign=True,
            )
        assert patient.id is not None
        return patient.id


def test_another_products_top_up_and_a_product_change_on_the_cycles_page(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    switched_products: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{switched_products}/cycles")

    cards = page.locator("li.cycle-card")
    expect(cards).to_have_count(3)
    first = cards.nth(0)
    expect(first).to_contain_text("4 U + 2 U top-up")
    expect(first).to_contain_text(f"{OTHER_TOP_UP}: another product, not counted")
    # Dysport after Botox, Botox after Dysport: no dose compared across products.
    for n, before in ((1, 1), (2, 2)):
        card = cards.nth(n)
        expect(card).to_contain_text(f"doses not compared with cycle {before}")
        expect(card).not_to_contain_text("dose changed")
    expect(cards.nth(1)).to_contain_text("10 U (Speywood)")
    ledger = page.locator("td.doses").first
    expect(ledger).to_contain_text(OTHER_TOP_UP)
    check_axe(page, "cycles page, another product's top-up")
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cycles-other-product.png"), full_page=True)

    pdf = page.request.get(
        f"{e2e_server.url}/patients/{switched_products}/comparison.pdf"
    )
    assert pdf.ok, pdf.status
    flat = " ".join(page_texts(pdf.body())).replace("- ", "-")
    assert f"▲ {OTHER_TOP_UP}" in flat
    assert "Doses not compared with cycle 1" in flat
    # Botox's mentalis, cycles 1 and 3: no response recorded to set beside them.
    assert "Mentalis, left (Botox)" in flat
    assert "No cycles to compare yet: too few to tell" in flat
    save_pages(pdf.body(), "comparison-other-product")
    assert page_problems.all() == []
