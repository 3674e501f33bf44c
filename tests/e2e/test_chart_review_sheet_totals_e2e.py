"""The review sheet's totals follow a save whose panels arrive after it opened.

The sheet lists the sites from the chart's own state, at once, but copies its
totals and checks from the server-drawn panels, which are fetched after each
save. A sheet opened in between showed "Session 0 U" beside sites adding up to
more (seen by helper hV2). Here the panels' answer is held back until the sheet
is open: once it comes, the open sheet shows the new figures. Botox and Dysport,
each in its own units.
"""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_chart_review_sheet_checks_e2e import sheet
from tests.e2e.test_chart_signed_in_place_e2e import open_chart

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_open_sheet_takes_the_totals_of_a_save_that_lands_after_it(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    _, unit, sites = open_chart(page, e2e_server, product, f"E2E-TOT-{product}")
    before = sum(units for _, _, units in sites)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    panels = re.compile(r"/sessions/\d+/panels$")
    page.route(panels, hold)

    row(page, 1).get_by_role("button", name="Increase dose of site 1", exact=True).tap()
    expect(status(page)).to_contain_text("Site 1 saved")
    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review).to_be_visible()
    total = review.locator('[data-review-total="units"]')
    expect(total).to_have_text(f"{before:g}")  # the panels' answer is still held
    after = float(page.locator("#site-list [data-field=units]").first.inner_text())
    assert after > sites[0][2]

    assert held, "no panels were asked for after the save"
    for route in held:
        route.continue_()
    page.unroute(panels, hold)
    new_total = before - sites[0][2] + after
    expect(total).to_have_text(f"{new_total:g}")
    expect(page.locator('#totals-section [data-total="units"]')).to_have_text(
        f"{new_total:g}"
    )
    expect(review).to_contain_text(unit)
    assert page_problems.all() == []
