"""Undo after the treatment time is entered, in real Chromium on the tablet.

The time form reloads the chart at the next version, but it changes no site: the
dose stepped up before it is still undone to the dose it was, after the reload.
Dysport here; each product's dose step is held by tests/views/test_chart_dose_steps.py.
"""

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

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

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PRODUCTS = {
    "botox": ("Botox (onabotulinumtoxinA)", "100"),
    "dysport": ("Dysport (abobotulinumtoxinA)", "300"),
}
CLINIC = ZoneInfo("Europe/London")  # the app's default CLINIC_TIMEZONE


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


# One product: undo over a time change is a mechanic (per product, the step in
# tests/views/test_chart_dose_steps.py); Dysport, its dose entered from empty.
@pytest.mark.parametrize("product", ["dysport"])
def test_undo_survives_entering_the_treatment_time(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
    product: str,
) -> None:
    page = chromium_page
    name, vial_units = PRODUCTS[product]
    patient_id = log_in_and_register(page, e2e_server, mrn=f"E2E-TIME-UNDO-{product}")
    session_id = open_session(
        page,
        e2e_server,
        patient_id,
        lot=f"{product.upper()}-T",
        product=name,
        vial_units=vial_units,
    )
    tap_sites(page, face_map, [("mentalis", "left")])
    units = row(page, 1).locator("[data-field=units]")
    increase = page.get_by_role("button", name="Increase dose of site 1")
    if units.inner_text() == "–":
        # No dose by default (Dysport here): a dose entered from empty is undone
        # by deleting the site, so enter one first and step that.
        increase.click()
        expect(status(page)).to_contain_text("Site 1 saved")
    dose = units.inner_text()
    increase.click()
    undo = page.locator("#undo")
    expect(undo).to_contain_text("dose of site 1")  # remembered once saved
    stepped = units.inner_text()
    assert stepped != dose
    version = api_state(page, e2e_server, session_id)["session"]["version"]

    # The next minute: after the consent given as the chart opened (an earlier time
    # would be one it does not cover), within the few minutes of drift allowed.
    when = datetime.now(CLINIC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    page.get_by_label("Treatment time (clinic time)").fill(
        when.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Save time").click()
    expect(page.get_by_text("Treatment time saved")).to_be_visible()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    after = api_state(page, e2e_server, session_id)["session"]
    assert after["version"] == version + 1
    assert after["performed_at_confirmed"] is True

    # The history came back with the reload: the dose step is still undone.
    expect(status(page)).to_contain_text("Undo is still available: dose of site 1.")
    expect(undo).to_contain_text("dose of site 1")
    expect(undo).not_to_have_attribute("aria-disabled", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"chart-time-undo-kept-{product}.png"))
    undo.click()
    expect(units).to_have_text(dose)
    expect(status(page)).to_contain_text("Undone")

    def saved_units() -> str:
        sites = api_state(page, e2e_server, session_id)["sites"]
        return f"{sites[0]['units']:g}"

    for _ in range(50):
        if saved_units() == dose:
            break
        page.wait_for_timeout(100)
    assert saved_units() == dose
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"chart-time-undo-done-{product}.png"))
    assert page_problems.all() == []
