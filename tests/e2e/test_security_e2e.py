"""An admin sees where a login is logged in and ends it; who read a record; a
throttled login's message (issue 18), in the real browser at tablet size."""

import re

import pytest
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlmodel import select

from planner.models import User
from planner.services.audit import SYSTEM
from planner.services.users import create_user
from tests import factories
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import TABLET
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import live_session

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADMIN = "e2e.admin@example.org"
ADMIN_PASSWORD = "admin at the front desk 24"


@pytest.fixture
def seeded(e2e_server: LiveServer) -> tuple[int, int]:
    """An admin login and a patient, added to the live server's database."""
    with live_session(e2e_server, expire_on_commit=False) as session:
        if session.exec(select(User).where(User.email == ADMIN)).first() is None:
            create_user(
                session,
                SYSTEM,
                email=ADMIN,
                name="Ada Admin",
                role="admin",
                password=ADMIN_PASSWORD,
            )
        injector = session.exec(
            select(User).where(User.email == e2e_server.user.email)
        ).one()
        patient = factories.make_patient(session, SYSTEM, "E2E-SEC-1")
        assert injector.id is not None
        assert patient.id is not None
        return injector.id, patient.id


def test_an_admin_ends_a_clinicians_sessions_and_sees_who_read_a_record(
    chromium_page: Page,
    e2e_chromium: PlaywrightBrowser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    seeded: tuple[int, int],
) -> None:
    injector_id, patient_id = seeded
    url = e2e_server.url
    # The clinician, on a tablet of their own, reads the patient's page.
    tablet = e2e_chromium.new_context(**TABLET).new_page()
    log_in(tablet, e2e_server, e2e_server.user.email, e2e_server.user.password)
    tablet.goto(f"{url}/patients/{patient_id}")
    expect(tablet.get_by_role("heading", level=1)).to_be_visible()

    admin = chromium_page
    log_in(admin, e2e_server, ADMIN, ADMIN_PASSWORD)
    admin.goto(f"{url}/settings/users/{injector_id}/edit")
    sessions = admin.get_by_role("region", name=re.compile("is logged in"))
    expect(sessions.get_by_role("cell", name="127.0.0.1").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "user-sessions.png"), full_page=True)

    admin.goto(f"{url}/audit/?patient_id={patient_id}")
    readers = admin.get_by_role("region", name=re.compile("Who has read"))
    expect(readers.get_by_role("cell", name=e2e_server.user.email)).to_be_visible()
    admin.screenshot(path=str(ARTIFACTS / "audit-who-read.png"), full_page=True)

    admin.goto(f"{url}/settings/users/{injector_id}/edit")
    admin.get_by_role("button", name=re.compile("out everywhere")).click()
    expect(admin.get_by_role("status")).to_contain_text("ended")
    # The clinician's next click finds their session gone.
    tablet.goto(f"{url}/patients/")
    expect(tablet).to_have_url(re.compile(r"/login"))
    tablet.context.close()
    assert page_problems.all() == []


def test_repeated_failures_show_how_long_to_wait(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    page.goto(f"{e2e_server.url}/login")
    for attempt in range(6):
        page.get_by_label("Email").fill("nobody.e2e@example.org")
        page.get_by_label("Password").fill("wrong password!")
        page.get_by_role("button", name="Log in").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("try again in" if attempt == 5 else "match")
    page.screenshot(path=str(ARTIFACTS / "login-throttled.png"), full_page=True)
    assert page_problems.all() == []
