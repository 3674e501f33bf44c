"""A Dysport top-up on day 95 with Dysport's interval at 100 days, in Chromium.

The cycle is still open, so the chart shows the top-up as a booster within
Dysport's 100 days, not as outside its cycle.
"""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.dysport_cycle import dysport_cycle
from tests.e2e.test_patients_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def day95_top_up(e2e_server: LiveServer) -> int:
    """A Dysport full treatment 95 clinic days ago and a top-up charted now."""
    cycle = dysport_cycle(
        e2e_server, "E2E-TOPUP-95", days_ago=95, interval=100, top_up=True
    )
    assert cycle.top_up_id is not None
    return cycle.top_up_id


def test_the_chart_shows_a_day_95_dysport_top_up_as_a_booster(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    day95_top_up: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/sessions/{day95_top_up}")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    checks = page.locator("#warnings-section")
    booster = checks.locator(".warning-item", has_text="Top-up on day 95")
    expect(booster).to_have_count(1)
    expect(booster).to_contain_text("at least 100 days")
    expect(checks).not_to_contain_text("new full treatment")
    checks.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "top-up-day-95-dysport.png"), full_page=True)
    assert page_problems.all() == []


def test_a_botox_top_up_in_a_dysport_cycle_is_held_to_dysports_longer_interval(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> None:
    """Botox's own 84 days are passed on day 90; Dysport's 100 are not."""
    cycle = dysport_cycle(
        e2e_server,
        "E2E-TOPUP-MIXED",
        days_ago=90,
        interval=100,
        top_up=True,
        top_up_product="botox",
    )
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/sessions/{cycle.top_up_id}")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    checks = page.locator("#warnings-section")
    booster = checks.locator(".warning-item", has_text="Top-up on day 90")
    expect(booster).to_have_count(1)
    expect(booster).to_contain_text("at least 100 days")
    expect(booster).to_contain_text(
        "The cycle's full treatment was Dysport, whose minimum interval (100 days) "
        "is longer than the top-up's Botox (84 days)"
    )
    checks.scroll_into_view_if_needed()
    page.screenshot(
        path=str(ARTIFACTS / "top-up-day-90-botox-in-dysport-cycle.png"),
        full_page=True,
    )
    assert page_problems.all() == []
