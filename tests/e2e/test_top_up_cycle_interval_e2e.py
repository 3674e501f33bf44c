"""A Dysport top-up on day 95 with Dysport's interval at 100 days, in Chromium.

The cycle is still open, so the chart shows the top-up as a booster within
Dysport's 100 days, not as outside its cycle.
"""

from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.users import create_user
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEY = "min_interval_days.dysport"


@pytest.fixture
def day95_top_up(e2e_server: LiveServer) -> int:
    """A Dysport full treatment 95 clinic days ago and a top-up charted now."""
    now = utc_now()
    given = datetime.combine(
        clinic_today(ZONE, now) - timedelta(days=95), time(12, 0), tzinfo=ZONE
    )
    with live_session(e2e_server) as session:
        admin = create_user(
            session,
            SYSTEM,
            email="e2e.admin@example.org",
            name="Ada Admin",
            role="admin",
            password="settings at the desk 2024",
        )
        update_setting(
            session,
            Actor(admin.id, admin.email),
            KEY,
            "100",
            version=get_setting(session, KEY).version,
            now=given - timedelta(days=1),
            zone=ZONE,
        )
        actor = injector(session, e2e_server)
        patient = make_patient(
            session, actor, "E2E-TOPUP-95", given_name="Ines", affected_side="left"
        )
        assert patient.id is not None
        common = {"product": "dysport", "vial_units": 300}
        make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 10)],
            when=given,
            sign=True,
            lot_number="D1",
            **common,
        )
        top_up = make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 5)],
            when=now,
            kind="top_up",
            lot_number="D2",
            **common,
        )
        return top_up.id


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
