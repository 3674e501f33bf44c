"""Switch vial at the chair, in real Chromium on the tablet.

A Dysport chart opened on one vial: two sites tapped, a switch to an expired new
vial refused naming its field, a switch to a good new vial, a third site tapped;
the chart lists both vials with their sites, and the switch form's version stays
current without a reload. Keyboard-reachable, 44 px choices, and axe finds nothing.
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
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.page_checks import check_axe

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DYSPORT = "Dysport (abobotulinumtoxinA)"
TAPS = [("mentalis", "left"), ("depressor_anguli_oris", "left")]
THIRD = ("orbicularis_oculi_orbital", "left")


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def fill_new_vial(page: Page, lot: str, expiry: date) -> None:
    """Choose "A new vial" in the switch form and type a 300 U Dysport vial."""
    form = page.locator("#vial-form")
    form.get_by_label(re.compile("A new vial")).check()
    vial = form.get_by_role("group", name="New vial")
    vial.get_by_label("Lot number").fill(lot)
    vial.get_by_label("Expiry date").fill(expiry.isoformat())
    vial.get_by_label("Units in the vial").fill("300")
    vial.get_by_label("Diluent", exact=True).fill("2.5")
    now = datetime.now().strftime("%Y-%m-%dT%H:%M")
    vial.get_by_label("Reconstituted at").fill(now)


def test_switch_to_a_new_vial_and_see_each_vials_sites(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(page, e2e_server, mrn="E2E-VIAL-1")
    open_session(
        page, e2e_server, patient_id, lot="DYS-ONE", product=DYSPORT, vial_units="300"
    )
    tap_sites(page, face_map, TAPS)
    vials = page.locator("#chart-vials")
    expect(vials).to_be_hidden()

    # The disclosure opens from the keyboard; its choices are 44 px targets.
    switch = page.locator("#vial-switch")
    summary = switch.locator("> summary")
    expect(summary).to_have_text("Switch vial")
    summary.focus()
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("open", "")
    choices = switch.locator("label.choice")
    expect(choices).to_have_count(1)  # the vial in use is not offered; a new one is
    for choice in choices.all():
        box = choice.bounding_box()
        assert box is not None
        assert box["height"] >= 44
    assert page.locator("#vial-form").get_by_role("group", name="New vial").count()

    # An expired vial is refused, naming the field; the form stays open with it.
    fill_new_vial(page, "DYS-OLD", date(2000, 1, 1))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "vial-switch-open.png"))
    page.get_by_role("button", name="Switch to this vial").click()
    summary_box = page.locator("#error-summary")
    expect(summary_box).to_contain_text("Expiry date is 1 Jan 2000, before today")
    expect(switch).to_have_attribute("open", "")
    expiry = page.locator("#vial-form").get_by_label("Expiry date")
    expect(expiry).to_have_attribute("aria-invalid", "true")
    summary_box.get_by_role("link", name=re.compile("^Expiry date")).click()
    expect(expiry).to_be_focused()
    check_axe(page, "chart, vial switch refused")
    page.screenshot(path=str(ARTIFACTS / "vial-switch-refused.png"), full_page=True)

    # A good new vial: the chart draws the next sites from it.
    fill_new_vial(page, "DYS-TWO", date.today() + timedelta(days=300))
    page.get_by_role("button", name="Switch to this vial").click()
    expect(page.get_by_text("Switched to lot DYS-TWO")).to_be_visible()
    expect(page.locator(".chart-product")).to_contain_text("vial in use: lot DYS-TWO")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    touch(page, *reference(face_map, *THIRD))
    expect(row(page, 3)).to_have_attribute("data-muscle", THIRD[0])

    expect(vials).to_be_visible()
    listed = vials.locator("li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("Lot DYS-ONE")
    expect(listed.nth(0)).to_contain_text("sites 1, 2")
    expect(listed.nth(1)).to_contain_text("Lot DYS-TWO (in use)")
    expect(listed.nth(1)).to_contain_text("site 3")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "vial-switch-two-vials.png"))
    check_axe(page, "chart, two vials listed")

    # Back to the first vial, from the list, without a reload: the form's
    # version followed the third site's save.
    summary.click()
    page.locator("#vial-form").get_by_label(re.compile("lot DYS-ONE:")).check()
    page.get_by_role("button", name="Switch to this vial").click()
    expect(page.get_by_text("Switched to lot DYS-ONE")).to_be_visible()
    expect(listed.nth(0)).to_contain_text("Lot DYS-ONE (in use)")
    assert page_problems.all() == []
