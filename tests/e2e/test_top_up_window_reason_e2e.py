"""A top-up refused outside its cycle says why the window opened, in Chromium.

Dysport's interval at 100 days: on day 100 of a Dysport cycle the desk refuses
to open a top-up and says the window opened at Dysport's interval, the clinic's
setting, in the chair's interval words. Screenshot to test-artifacts/.
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
WHY = (
    "the clinic's setting is at least 100 days (14.29 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)"
)


@pytest.fixture
def day100_patient(e2e_server: LiveServer) -> int:
    """A Dysport full treatment 100 clinic days ago, Dysport's interval 100 days."""
    given = datetime.combine(
        clinic_today(ZONE, utc_now()) - timedelta(days=100), time(12, 0), tzinfo=ZONE
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
            session, actor, "E2E-TOPUP-100", given_name="Ines", affected_side="left"
        )
        assert patient.id is not None
        make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 10)],
            when=given,
            sign=True,
            lot_number="D1",
            product="dysport",
            vial_units=300,
        )
        return patient.id


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
