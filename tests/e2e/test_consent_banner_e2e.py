"""Consent that signing would refuse, seen before the injections, on a tablet (rW W1).

The patient's treatment consent was signed 60 weeks ago (the clinic's re-consent
age is 12 months). Before the chart is charted or signed: the patient page's
badge, the new-session form's warning beside the consent box, and the chart's
banner, whose links are at least 44 px tall. The signing refusal, when it
comes, is fully visible above the sheet's sticky buttons at 1024x768. Then the
banner's link hands the tablet to the patient. Botox and Dysport.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.db_types import utc_now
from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import csrf
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import refused_400
from tests.e2e.chart_helpers import register
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.factories import give_consent

PRODUCTS = {
    "botox": ("Botox (onabotulinumtoxinA)", "100"),
    "dysport": ("Dysport (abobotulinumtoxinA)", "300"),
}
TARGET = 44
SITES = [
    ("frontalis", "left"),
    ("orbicularis_oculi_orbital", "left"),
    ("zygomaticus_major", "left"),
    ("mentalis", "left"),
    ("depressor_anguli_oris", "left"),
    ("platysma", "left"),
    ("frontalis", "right"),
    ("platysma", "right"),
]


@pytest.fixture(scope="module")
def chart_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def _height(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["height"]


def give_missing_doses(page: Page, server: LiveServer, session_id: int) -> None:
    """Dose every site the tap left without one (Dysport has no tap default for
    some muscles): the sheet holds Sign until each has a dose, and this test is
    about the server's consent refusal."""
    for site in api_state(page, server, session_id)["sites"]:
        if site["units"] is not None:
            continue
        version = api_state(page, server, session_id)["session"]["version"]
        answer = page.request.patch(
            f"{server.url}/api/v1/sessions/{session_id}/sites/{site['id']}",
            data={"version": version, "units": 10},
            headers={"X-CSRFToken": csrf(page)},
        )
        assert answer.ok, answer.text()
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)


# Consent is the patient's, not the product's (the service and HTTP tests hold
# every product to it): the banner and the whole refusal, once, in Dysport.
@pytest.mark.parametrize("product", ["dysport"])
def test_an_expired_consent_is_shown_before_charting_and_its_refusal_is_whole(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    chart_map: FaceMap,
    product: str,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    patient_id = register(
        page, e2e_server, consent=False, mrn=f"E2E-OLDCONSENT-{product}"
    )
    with live_session(e2e_server) as session:
        give_consent(
            session,
            injector(session, e2e_server),
            patient_id,
            when=utc_now() - timedelta(weeks=60),
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    expect(page.locator("#consent-badge")).to_contain_text(
        re.compile(r"Consent needed: signed \d+ \w+ \d{4}, over 12 months ago")
    )

    page.get_by_role("link", name="Start a treatment").click()
    # Measured once loaded: before the stylesheet applies a link is 19 px high.
    expect(page).to_have_url(re.compile(r"/sessions/new$"))
    page.wait_for_load_state("load")
    warning = page.locator("#consent-needed")
    expect(warning).to_contain_text("cannot be signed until the patient signs")
    # Buttons of the form: they hold what was typed (test_held_session_form_e2e).
    buttons = warning.get_by_role("button").all()
    assert len(buttons) == 2
    for link in buttons:
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= TARGET
    warning.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"consent-new-session-{product}.png"))

    label, units = PRODUCTS[product]
    session_id = open_session(
        page,
        e2e_server,
        patient_id,
        lot=f"OLD-{product.upper()}",
        product=label,
        vial_units=units,
        # Dysport through the form end to end: opened anyway from its warning.
        through_form=True,
    )
    banner = page.locator("#consent-banner")
    expect(banner).to_contain_text("Treatment consent needed before injecting.")
    expect(banner).to_contain_text("more than 12 months ago")
    hand = banner.get_by_role("link", name="Hand the tablet to the patient to sign")
    assert _height(page, "#consent-banner a.button.primary") >= TARGET
    assert _height(page, "#consent-banner a.button.secondary") >= TARGET
    page.screenshot(path=str(ARTIFACTS / f"consent-chart-banner-{product}.png"))

    # Charted anyway (enough sites that the sheet scrolls), signing is refused:
    # the whole message shows above the sticky buttons.
    tap_sites(page, chart_map, SITES)
    give_missing_doses(page, e2e_server, session_id)
    page.get_by_role("button", name="Review and sign").click()
    for reason in page.locator("#review-sheet [data-mirror-reason]").all():
        reason.fill("Discussed with the patient.")
    page.get_by_role("button", name="Sign session").click()
    error = page.locator("#sign-error")
    expect(error).to_contain_text("more than 12 months ago")
    placed = page.evaluate(
        """() => {
          const sheet = document.getElementById("review-sheet").getBoundingClientRect();
          const error = document.getElementById("sign-error");
          const box = error.getBoundingClientRect();
          const actions = document.querySelector("#review-sheet .actions")
            .getBoundingClientRect();
          return { top: box.top, bottom: box.bottom, sheetTop: sheet.top,
                   actionsTop: actions.top,
                   clipped: error.scrollHeight - error.clientHeight };
        }"""
    )
    assert placed["top"] >= placed["sheetTop"], placed
    assert placed["bottom"] <= placed["actionsTop"] + 1, placed
    assert placed["clipped"] <= 1, placed
    page.screenshot(path=str(ARTIFACTS / f"consent-sign-refused-{product}.png"))
    page.get_by_role("button", name="Back to the chart").click()

    hand.click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("botulinum toxin"))
    ).to_be_visible()
    assert session_id
    assert (
        expected(page_problems.all(), *refused_400(f"sessions/{session_id}/sign")) == []
    )
