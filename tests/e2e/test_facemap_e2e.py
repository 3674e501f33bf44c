"""Front-v2 at the chair (issue 14): a tablet taps a caution zone and the eye.

Real touch taps at the screen positions of map points, through the SVG's own
screen transform, on a 1024 x 768 touch tablet.
"""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import refused_400
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The upper lid above the pupil (over the levator), and the cornea.
UPPER_LID_ABOVE_PUPIL = (143.0, 168.0)
# On the eye, outside site 1's 48 px hit area (a tap inside it selects site 1).
CORNEA = (122.0, 186.0)


def test_a_caution_zone_warns_with_its_source_and_the_eye_places_nothing(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> None:
    page = chromium_page
    assert page.viewport_size == {"width": 1024, "height": 768}
    session_id = open_new_chart(page, e2e_server, lot="M1414AB", mrn="E2E-MAP-1")
    assert api_state(page, e2e_server, session_id)["map"]["name"] == "front-v2"
    # The no-go zone is drawn on the map, shaded.
    expect(page.locator("#chart-map #zone-palpebral_fissure")).to_have_count(1)

    # A tap on the eye places nothing and says why. (It comes first: once a lid
    # site is placed, its 48 px hit area covers the eye, and a tap selects it.)
    touch(page, *CORNEA)
    expect(status(page)).to_have_text(
        "Nothing placed: the eye (palpebral fissure) is a no-go zone. "
        "Tap the lid above or below it."
    )
    expect(rows(page)).to_have_count(0)
    assert api_state(page, e2e_server, session_id)["sites"] == []

    # A tap on the upper lid above the pupil: the site is placed, with the
    # levator caution and its source, and the muscle's guidance beside it.
    touch(page, *UPPER_LID_ABOVE_PUPIL)
    site = row(page, 1)
    expect(site).to_have_attribute("data-muscle", "orbicularis_oculi_pretarsal_upper")
    zones = site.locator("[data-field=zones]")
    expect(zones).to_be_visible()
    expect(zones).to_have_text(
        "Warning: in the caution zone \u201cCentral upper lid, over the levator\u201d; "
        "see the safety checks."
    )
    guidance = site.locator("[data-field=guidance]")
    expect(guidance).to_be_visible()
    expect(guidance).to_contain_text("Medial and lateral pretarsal upper lid")
    expect(guidance).to_contain_text("Caution: Keep off the central upper lid")
    warning = page.locator("#warning-list .warning-item").filter(
        has_text="Central upper lid, over the levator"
    )
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("Warning, site 1:")
    expect(warning.locator(".warning-source")).to_contain_text("[S20]")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "facemap-v2-chair.png"), full_page=True)

    assert expected(page_problems.all(), *refused_400("sites")) == []


# The affected (left) frontalis about 1 cm above the brow: two caution zones.
LEFT_FRONTALIS_NEAR_BROW = (274.0, 116.0)


def test_a_site_in_two_caution_zones_is_worded_for_both(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> None:
    page = chromium_page
    open_new_chart(page, e2e_server, lot="M1414AC", mrn="E2E-MAP-2")
    touch(page, *LEFT_FRONTALIS_NEAR_BROW)
    site = row(page, 1)
    expect(site).to_have_attribute("data-muscle", "frontalis")
    expect(site.locator("[data-field=zones]")).to_have_text(
        "Caution: in 2 caution zones, \u201cFrontalis within 1.5 cm of the brow\u201d"
        " and \u201cFrontalis on the affected side\u201d; see the safety checks."
    )
    warning = page.locator("#warning-list .warning-item").filter(
        has_text="lies in 2 caution zones."
    )
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("Frontalis within 1.5 cm of the brow: ")
    expect(warning).to_contain_text("Frontalis on the affected side: ")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    site.screenshot(path=str(ARTIFACTS / "facemap-two-zones-row.png"))
    warning.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "facemap-two-zones-chair.png"))

    page.get_by_role("button", name="Review and sign").click()
    named = page.get_by_role("dialog", name="Review and sign").locator(
        "#review-others-named li"
    )
    expect(named.filter(has_text="lies in 2 caution zones: ")).to_have_count(1)
    named.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review-sheet-two-zones.png"))
    assert page_problems.all() == []
