"""The patient's diary on a phone (390×844), then the clinic's pages (issue 20).

Two cycles are seeded through the services: the first wore off at 15 weeks,
the second was signed 98 days ago, so its re-treatment is proposed at the
window's start (one cycle of history is not enough). Through the diary link the
patient records the onset, "difficulty swallowing" (the emergency advice shows
at once), the SAQ and the wear-off day; the worklist then lists the call and
the booking, the cycles page shows the entries as patient-entered, and the
proposed re-treatment day has moved by the personalised rule (median of 15 and
14 weeks). axe-core checks every diary page: zero violations.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlmodel import select

from planner.clinic_time import local_day
from planner.models import Appointment
from planner.services import outcomes as outcome_service
from planner.services.diary_reprint import printable_link
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SAQ_ANSWERS = (3, 3, 2, 4, 3, 2, 3, 1, 2)


@pytest.fixture(scope="module")
def diary_cycle(e2e_server: LiveServer) -> dict[str, Any]:
    """Seed two signed cycles; return the patient, proposal and a printed token."""
    now = datetime.now(UTC)
    # Noon on the clinic's day 98 days back: a wear-off 14 weeks later is today,
    # never tomorrow, whatever the hour and across a clock change.
    current = datetime.combine(
        local_day(now, ZONE) - timedelta(days=98), time(12), tzinfo=ZONE
    ).astimezone(UTC)
    with live_session(e2e_server, expire_on_commit=False) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(
            session, actor, "E2E-DIARY-1", given_name="Maren", family_name="Holt"
        )
        sites = [("mentalis", "left", 4.0)]
        first = make_treatment(
            session,
            actor,
            patient.id,
            sites,
            when=current - timedelta(weeks=18),
            sign=True,
            lot_number="DIARY1",
        )
        outcome_service.record_response(
            session, actor, first.id, {"wear_off_weeks": "15"}, now=current, zone=ZONE
        )
        second = make_treatment(
            session,
            actor,
            patient.id,
            sites,
            when=current,
            sign=True,
            lot_number="DIARY2",
        )
        printed = printable_link(session, second.id, key=DIARY_KEY, now=now, zone=ZONE)
        assert printed is not None
        proposal = session.exec(
            select(Appointment).where(
                Appointment.source_session_id == second.id,
                Appointment.kind == "treatment",
            )
        ).one()
        return {
            "patient_id": patient.id,
            "proposal_id": proposal.id,
            "due_before": proposal.due_date,
            "treated_on": local_day(current, ZONE),
            "token": printed.printed.token,
        }


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_patient_keeps_the_diary_and_the_clinic_sees_it(
    phone: Page,
    chromium_page: Page,
    e2e_server: LiveServer,
    diary_cycle: dict[str, Any],
    page_problems: PageProblems,
) -> None:
    page = phone
    home = f"{e2e_server.url}/diary/{diary_cycle['token']}"
    treated_on = diary_cycle["treated_on"]
    page.goto(home)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maren")
    expect(page.locator("body")).not_to_contain_text("Holt")
    check_axe(page, "home")
    shot(page, "diary-phone-home")

    page.get_by_role("link", name="It has started to work").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("first notice")
    page.get_by_label("The day you first noticed it").fill(
        (treated_on + timedelta(days=3)).isoformat()
    )
    check_axe(page, "onset")
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_role("status")).to_contain_text("First noticed the effect")

    page.get_by_role("link", name="I have a side effect").tap()
    expect(page.get_by_role("heading", name="If it is hard to swallow")).to_be_visible()
    check_axe(page, "side effect")
    shot(page, "diary-phone-side-effect")
    page.get_by_role("checkbox", name=re.compile("^It is hard to swallow")).check()
    page.get_by_label("When did it start?").fill(
        (treated_on + timedelta(days=5)).isoformat()
    )
    page.get_by_role("button", name="Send to the clinic").tap()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Call 999 now")
    expect(page.get_by_role("status")).to_contain_text("We will phone you about it.")
    check_axe(page, "home after an urgent side effect")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "diary-phone-emergency.png"))

    page.get_by_role("link", name="Questionnaire: 9 questions").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire")
    page.get_by_label("Now that the effect has worn off").check()
    for number, value in enumerate(SAQ_ANSWERS, start=1):
        page.locator(f'input[name="q{number}"][value="{value}"]').check()
    check_axe(page, "questionnaire")
    shot(page, "diary-phone-saq")
    page.get_by_role("button", name="Save my answers").tap()
    expect(page.get_by_role("status")).to_contain_text("SAQ")

    page.get_by_role("link", name="It has worn off").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it wear off?")
    page.get_by_label("The day it wore off").fill(
        (treated_on + timedelta(weeks=14)).isoformat()
    )
    check_axe(page, "wear-off")
    page.get_by_role("button", name="Save").tap()
    expect(page.get_by_role("status")).to_contain_text("The effect wore off on")
    shot(page, "diary-phone-told")

    page.get_by_role("link", name="Weekly check: how is my face?").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly check")
    check_axe(page, "weekly")
    page.get_by_role("button", name="Save").tap()  # no answer: a named error
    errors = page.get_by_role("alert")
    # It names the question in plain words, never "is required".
    expect(errors).to_contain_text("Please choose how your face is this week.")
    expect(errors).not_to_contain_text("required")
    # The heading counts the answers to check, in plain words.
    expect(errors.get_by_role("heading")).to_have_text("1 answer needs checking")
    expect(page).to_have_title(re.compile("^Weekly check"))
    check_axe(page, "weekly with an error")
    shot(page, "diary-phone-weekly-error")
    # Its link still goes to the answer.
    errors.get_by_role("link", name="Please choose how your face is this week.").tap()
    expect(page).to_have_url(re.compile("#field-face$"))
    page.goto(f"{e2e_server.url}/diary/{'x' * 43}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This diary link does not open"
    )
    check_axe(page, "refusal")
    shot(page, "diary-phone-refused")

    # The clinic, on the tablet.
    clinic = chromium_page
    log_in(clinic, e2e_server)
    clinic.goto(f"{e2e_server.url}/schedule/")
    items = clinic.locator("#diary-items")
    expect(items).to_contain_text("Patient reports a side effect — call")
    expect(items).to_contain_text("It is hard to swallow")
    expect(items).to_contain_text("Urgent")
    expect(items).to_contain_text("Patient reports wear-off — book")
    # The proposed re-treatment has moved by the personalised rule.
    expect(clinic.locator("main")).to_contain_text("15, 14 weeks (median 14.5)")
    items.scroll_into_view_if_needed()
    clinic.screenshot(path=str(ARTIFACTS / "diary-worklist.png"), full_page=True)

    patient_id = diary_cycle["patient_id"]
    clinic.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    section = clinic.locator("#diary-entries")
    expect(section).to_contain_text("patient-entered")
    expect(section).to_contain_text("First noticed the effect")
    expect(section).to_contain_text("The effect wore off on")
    section.scroll_into_view_if_needed()
    clinic.screenshot(path=str(ARTIFACTS / "diary-cycles.png"))

    clinic.goto(f"{e2e_server.url}/patients/{patient_id}")
    links = clinic.locator("#diary")
    expect(links).to_contain_text("Cycle 2")
    expect(links).to_contain_text("Open until")
    expect(links.get_by_role("button", name="Revoke link for cycle 2")).to_be_visible()
    links.scroll_into_view_if_needed()
    clinic.screenshot(path=str(ARTIFACTS / "diary-patient-links.png"))

    # The re-treatment proposal moved: median of 15 and 14 weeks, 14.5 weeks.
    with live_session(e2e_server) as session:
        proposal = session.get(Appointment, diary_cycle["proposal_id"])
        assert proposal is not None
        assert diary_cycle["due_before"] == treated_on + timedelta(weeks=12)
        assert proposal.due_date == treated_on + timedelta(days=102)
        assert "median 14.5" in (proposal.notes or "")
    assert page_problems.all() == []
