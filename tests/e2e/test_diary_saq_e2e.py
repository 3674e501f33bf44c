"""The diary's questionnaire on a phone, on three clinic days of the cycle.

Too early (the toxin has not acted): no questions. In the review window: the
page says the answers are the 2-week check. Later: the patient says whether
the effect has worn off, and "about 2 weeks" is not offered.
"""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.clinic_time import local_day
from planner.services.diary_reprint import printable_link
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.e2e.test_diary_e2e import shot
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import sign_chin

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
DAYS = {"early": (1, "botox"), "review": (14, "dysport"), "later": (30, "botox")}


@pytest.fixture(scope="module")
def tokens(e2e_server: LiveServer) -> dict[str, str]:
    """Sign one treatment per case, that many clinic days ago at noon."""
    now = datetime.now(UTC)
    found = {}
    with live_session(e2e_server, expire_on_commit=False) as session:
        actor = injector(session, e2e_server)
        for number, (case, (days, product)) in enumerate(DAYS.items()):
            when = datetime.combine(
                local_day(now, ZONE) - timedelta(days=days), time(12), tzinfo=ZONE
            ).astimezone(UTC)
            patient = make_patient(session, actor, f"E2E-SAQ-{number}")
            record = sign_chin(
                session,
                actor,
                patient.id,
                when=when,
                lot_number=f"SAQ{number}",
                product=product,
            )
            printed = printable_link(
                session, record.id, key=DIARY_KEY, now=when, zone=ZONE
            )
            assert printed is not None
            found[case] = printed.printed.token
    return found


def open_saq(page: Page, server: LiveServer, token: str) -> None:
    page.goto(f"{server.url}/diary/{token}/questionnaire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire")


def test_the_questionnaire_fits_the_clinic_day(
    phone: Page,
    e2e_server: LiveServer,
    tokens: dict[str, str],
    page_problems: PageProblems,
) -> None:
    page = phone
    open_saq(page, e2e_server, tokens["early"])
    expect(page.locator("body")).to_contain_text("It is too early for these")
    expect(page.get_by_role("button", name="Save my answers")).to_have_count(0)
    check_axe(page, "questionnaire, too early")
    shot(page, "diary-saq-day-1")

    open_saq(page, e2e_server, tokens["review"])
    expect(page.locator("body")).to_contain_text(
        "Today is about 2 weeks after your injections"
    )
    expect(page.get_by_role("radio", name="About 2 weeks after")).to_have_count(0)
    check_axe(page, "questionnaire, review")
    shot(page, "diary-saq-day-14")

    open_saq(page, e2e_server, tokens["later"])
    expect(
        page.get_by_role("group", name="When are you filling this in?")
    ).to_be_visible()
    expect(page.get_by_role("radio", name="About 2 weeks after")).to_have_count(0)
    expect(page.get_by_label("Now that the effect has worn off")).not_to_be_checked()
    for number in range(1, 10):
        page.locator(f'input[name="q{number}"][value="3"]').check()
    page.get_by_role("button", name="Save my answers").tap()  # no "when": named
    expect(page.get_by_role("alert")).to_contain_text(
        "Please choose when you are filling this in."
    )
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(
        "1 answer needs checking"
    )
    check_axe(page, "questionnaire, later, with an error")
    shot(page, "diary-saq-day-30-error")
    page.get_by_label("While the injections are still working").check()
    page.get_by_role("button", name="Save my answers").tap()
    expect(page.get_by_role("status")).to_contain_text(
        "while the injections are still working"
    )
    assert page_problems.all() == []
