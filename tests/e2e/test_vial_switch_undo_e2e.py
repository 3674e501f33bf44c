"""Undo after a vial switch, in real Chromium on the tablet.

A chart draws sites 1–2 from lot ONE and switches to lot TWO: the page says that
undo starts again from the switch. Site 1 is deleted and the delete undone: the
site comes back drawn from lot ONE, the vial it was drawn from, not from TWO in
use (reference §5). Botox here; the same undo for each product in its own units
is held by tests/services/test_undo_site_vial.py.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.page_checks import check_axe
from tests.e2e.test_vial_switch_e2e import TAPS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PRODUCTS = {
    "dysport": ("Dysport (abobotulinumtoxinA)", "300"),
    "botox": ("Botox (onabotulinumtoxinA)", "100"),
}


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def switch_to_new_vial(page: Page, lot: str, vial_units: str) -> None:
    page.locator("#vial-switch > summary").click()
    form = page.locator("#vial-form")
    form.get_by_label(re.compile("A new vial")).check()
    vial = form.get_by_role("group", name="New vial")
    vial.get_by_label("Lot number").fill(lot)
    vial.get_by_label("Expiry date").fill((date.today() + timedelta(300)).isoformat())
    vial.get_by_label("Units in the vial").fill(vial_units)
    vial.get_by_label("Diluent", exact=True).fill("2.5")
    vial.get_by_label("Reconstituted at").fill(
        datetime.now().strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Switch to this vial").click()


# One product: undo over a vial switch is a mechanic, the same for every product
# (per product in tests/services/test_undo_site_vial.py); Botox, as the switch of
# test_vial_switch_e2e is Dysport.
@pytest.mark.parametrize("product", ["botox"])
def test_undo_after_a_switch_puts_a_site_back_on_its_own_vial(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
    product: str,
) -> None:
    page = chromium_page
    name, vial_units = PRODUCTS[product]
    lot_one, lot_two = f"{product.upper()}-ONE", f"{product.upper()}-TWO"
    patient_id = log_in_and_register(page, e2e_server, mrn=f"E2E-UNDO-{product}")
    session_id = open_session(
        page, e2e_server, patient_id, lot=lot_one, product=name, vial_units=vial_units
    )
    tap_sites(page, face_map, TAPS)
    undo = page.locator("#undo")
    expect(undo).to_contain_text("add site 2")

    # The switch reloads the chart at a new version: the page says undo starts again.
    switch_to_new_vial(page, lot_two, vial_units)
    expect(page.get_by_text(f"Switched to lot {lot_two}")).to_contain_text(
        "Undo starts again from the switch: what was done before it cannot be undone."
    )
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(undo).to_have_attribute("aria-disabled", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"vial-switch-undo-notice-{product}.png"))
    check_axe(page, "chart, after a vial switch")

    # A site drawn from the first vial, deleted and put back, keeps that vial.
    first = row(page, 1)
    units = first.locator("[data-field=units]").inner_text()
    page.get_by_role("button", name="Delete site 1", exact=True).click()
    expect(first).to_have_count(0)
    expect(undo).to_contain_text("delete site 1")
    undo.click()
    # Under its own number, free again (review rW, W8).
    expect(status(page)).to_contain_text("Undone: site 1 is back:")
    expect(row(page, 1)).to_have_attribute("data-muscle", TAPS[0][0])
    expect(row(page, 1).locator("[data-field=units]")).to_have_text(units)

    listed = page.locator("#chart-vials li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text(f"Lot {lot_one}")
    expect(listed.nth(0)).to_contain_text("sites 1, 2")
    expect(listed.nth(1)).to_contain_text(f"Lot {lot_two} (in use)")
    expect(listed.nth(1)).to_contain_text("no sites yet")
    state = api_state(page, e2e_server, session_id)
    lots = {v["id"]: v["lot_number"] for v in state["session"]["vials"]}
    assert {s["number"]: lots[s["vial_lot_id"]] for s in state["sites"]} == {
        1: lot_one,
        2: lot_one,
    }
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"vial-switch-undo-back-{product}.png"))
    assert page_problems.all() == []
