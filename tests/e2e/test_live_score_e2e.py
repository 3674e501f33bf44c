"""The outcome form shows a live score, computed by the server's own scoring."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_outcomes_e2e import choose

pytestmark = pytest.mark.e2e


def test_saq_form_scores_as_it_is_filled_in(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(
        page, e2e_server, mrn="E2E-LIVE-1", given_name="Lena"
    )
    page.goto(f"{e2e_server.url}/patients/{patient_id}/assessments/new?instrument=saq")
    live = page.locator("#live-score")
    choose(page, "q1", 3)
    expect(live).to_contain_text("answer 8 more items")
    for number in range(2, 10):
        choose(page, f"q{number}", 3)
    # 9 × 3 = 27; 27 / 45 × 100 = 60
    expect(live).to_have_text("Score so far: 60")
