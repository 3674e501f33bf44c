"""A top-up refused outside its cycle says why the window opened, in Chromium.

Dysport's interval at 100 days: on day 100 of a Dysport cycle the desk refuses
to open a top-up and says the window opened at Dysport's interval, the clinic's
setting, in the chair's interval words. Screenshot to test-artifacts/.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.dysport_cycle import dysport_cycle
from tests.e2e.test_patients_e2e import log_in
from tests.factories import ZONE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WHY = (
    "the clinic's setting is at least 100 days (14.29 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)"
)


@pytest.fixture
def day100_patient(e2e_server: LiveServer) -> int:
    """A Dysport full treatment 100 clinic days ago, Dysport's interval 100 days."""
    return dysport_cycle(
        e2e_server, "E2E-TOPUP-100", days_ago=100, interval=100
    ).patient_id


def test_the_desk_says_why_a_day_100_dysport_top_up_is_refused(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    day100_patient: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{day100_patient}/sessions/new")
    page.get_by_label("Top-up within the current cycle").check()
    page.get_by_label("Product").select_option("dysport")
    page.get_by_label("Lot number").fill("D2")
    expiry = clinic_today(ZONE, utc_now()) + timedelta(days=200)
    page.get_by_label("Expiry date").fill(expiry.isoformat())
    page.get_by_label("Units in the vial").fill("300")
    page.get_by_label("Diluent", exact=True).fill("2.5")
    page.get_by_label("Consent obtained for today's treatment").check()
    page.locator("form button[type=submit]").last.click()
    page.screenshot(
        path=str(ARTIFACTS / "top-up-refused-day-100-dysport.png"), full_page=True
    )
    expect(page.locator("body")).to_contain_text(
        "its re-treatment window opened on day 100"
    )
    expect(page.locator("body")).to_contain_text(WHY)
    assert page_problems.all() == []


@pytest.fixture
def day95_draft_at_70(e2e_server: LiveServer) -> int:
    """A Dysport top-up charted on day 95 at 100 days; the interval then drops to 70."""
    cycle = dysport_cycle(
        e2e_server,
        "E2E-TOPUP-70",
        days_ago=95,
        interval=100,
        top_up=True,
        interval_after=70,
    )
    assert cycle.top_up_id is not None
    return cycle.top_up_id


def test_the_chart_says_why_the_cycles_window_opened_at_12_weeks(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    day95_draft_at_70: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/sessions/{day95_draft_at_70}")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    checks = page.locator("#warnings-section")
    outside = checks.locator(".warning-item", has_text="new full treatment")
    expect(outside).to_have_count(1)
    expect(outside).to_contain_text("its re-treatment window opened on day 84")
    expect(outside).to_contain_text(
        "It opens at 12 weeks (the clinic's setting), later than the minimum "
        "interval of the cycle's full treatment: the clinic's setting is at least "
        "70 days (10 weeks) between Dysport treatments"
    )
    outside.scroll_into_view_if_needed()
    page.screenshot(
        path=str(ARTIFACTS / "top-up-outside-cycle-dysport-70.png"), full_page=True
    )
    assert page_problems.all() == []


@pytest.fixture
def dysport_day90(e2e_server: LiveServer) -> int:
    """A Dysport full treatment 90 clinic days ago, Dysport's interval 100 days."""
    return dysport_cycle(
        e2e_server, "E2E-SCORE-90", days_ago=90, interval=100
    ).patient_id


def test_a_day_90_dysport_score_is_not_suggested_as_the_next_cycles(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    dysport_day90: int,
) -> None:
    """At 100 days the next cycle is not due on day 90: "Other" is suggested."""
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{dysport_day90}/assessments/new")
    expect(page.get_by_label("Time point")).to_have_value("other")
    page.screenshot(
        path=str(ARTIFACTS / "score-form-dysport-day-90.png"), full_page=True
    )
    assert page_problems.all() == []
