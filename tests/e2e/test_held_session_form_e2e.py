"""The new-session form keeps what was typed while the patient signs consent.

In Chromium at tablet size: an injector starts a treatment for a patient with no
treatment consent, chooses the product and types a new vial's details and a
note, taps the form's "Hand the tablet to the patient to sign", the patient signs
with a finger, and the tablet comes back to the form with everything still there;
the chart then opens from it. Dysport (as Azzalure), whose form also has the
brand box; tests/views/test_held_session_form.py holds Botox and Dysport.
Screenshots before and after: test-artifacts/held-session-form-*.png.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import register
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.test_consent_e2e import draw_with_finger

# product label, brand on the box (None: the product's own), units, diluent (mL)
CASES = {
    "botox": ("Botox (onabotulinumtoxinA)", None, "100", "2.5"),
    "dysport": ("Dysport (abobotulinumtoxinA)", "Azzalure", "125", "0.63"),
}
NOTE = "Risks discussed; asked about the brow."


# One product: the form kept across consent is a mechanic (per product in
# tests/views/test_held_session_form.py); Dysport, whose brand box Botox lacks.
@pytest.mark.parametrize("product", ["dysport"])
def test_the_form_keeps_what_was_typed_across_signing_consent(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    patient_id = register(
        page, e2e_server, consent=False, mrn=f"E2E-HELD-{product.upper()}"
    )
    label, brand, units, diluent = CASES[product]
    lot = f"HELD{product.upper()[:3]}42"
    expiry = (date.today() + timedelta(days=300)).isoformat()
    made_up = (datetime.now() - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{e2e_server.url}/patients/{patient_id}/sessions/new")
    page.get_by_label("Product").select_option(label=label)
    page.get_by_role("group", name=re.compile("^Vial")).get_by_label(
        re.compile("A new vial")
    ).check()
    vial = page.get_by_role("group", name="New vial")
    if brand:
        vial.get_by_label("Brand on the box").select_option(value=brand)
    vial.get_by_label("Lot number").fill(lot)
    vial.get_by_label("Expiry date").fill(expiry)
    vial.get_by_label("Units in the vial").fill(units)
    vial.get_by_label("Diluent", exact=True).fill(diluent)
    vial.get_by_label("Reconstituted at").fill(made_up)
    page.get_by_label("Consent note").fill(NOTE)
    warning = page.locator("#consent-needed")
    warning.scroll_into_view_if_needed()
    page.screenshot(
        path=str(ARTIFACTS / f"held-session-form-before-{product}.png"), full_page=True
    )

    warning.get_by_role("button", name="Hand the tablet to the patient to sign").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("botulinum toxin"))
    ).to_be_visible()
    page.locator("canvas.signature-pad").scroll_into_view_if_needed()
    draw_with_finger(page, [(0.1, 0.7), (0.3, 0.3), (0.5, 0.7), (0.8, 0.4)])
    expect(page.locator("[data-signature-status]")).to_contain_text("Signature drawn")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page).to_have_url(f"{e2e_server.url}/patients/{patient_id}/sessions/new")
    expect(page.locator("#held-form")).to_be_visible()
    expect(page.locator("#consent-needed")).to_have_count(0)
    expect(page.get_by_label("Product")).to_have_value(product)
    expect(
        page.get_by_role("group", name=re.compile("^Vial")).get_by_label(
            re.compile("A new vial")
        )
    ).to_be_checked()
    vial = page.get_by_role("group", name="New vial")
    if brand:
        expect(vial.get_by_label("Brand on the box")).to_have_value(brand)
    expect(vial.get_by_label("Lot number")).to_have_value(lot)
    expect(vial.get_by_label("Expiry date")).to_have_value(expiry)
    expect(vial.get_by_label("Units in the vial")).to_have_value(units)
    expect(vial.get_by_label("Diluent", exact=True)).to_have_value(diluent)
    expect(vial.get_by_label("Reconstituted at")).to_have_value(made_up)
    # The consent note is free text about the patient: not kept in the cookie.
    expect(page.get_by_label("Consent note")).to_have_value("")
    page.screenshot(
        path=str(ARTIFACTS / f"held-session-form-after-{product}.png"), full_page=True
    )

    page.get_by_label("Consent obtained for today's treatment").check()
    page.get_by_role("button", name="Open the chart").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.locator("#consent-banner")).to_have_count(0)
    assert expected(page_problems.all()) == []
