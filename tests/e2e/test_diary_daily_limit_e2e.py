"""The diary's daily-limit refusal on a phone: named, explained, answer kept."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services import diary_entries as entries
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_full_day_is_refused_by_name_and_keeps_the_answer(
    phone: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    now = datetime.now(UTC)
    with live_session(e2e_server, expire_on_commit=False) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(session, actor, "E2E-LIMIT-1", given_name="Ines")
        treated = now - timedelta(days=20)
        treatment = make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 4.0)],
            when=treated,
            sign=True,
            lot_number="LIMITE2E",
        )
        printed = printable_link(
            session, treatment.id, key=DIARY_KEY, now=treated, zone=ZONE
        )
        assert printed is not None
        token = printed.printed.token
        diary = open_diary(session, token, client=None, now=now, zone=ZONE)
        assert diary is not None
        for _ in range(entries.MAX_ENTRIES_PER_DAY):
            entries.record_weekly(
                session, diary, {"face": "same"}, client=None, now=now
            )
    page = phone
    page.goto(f"{e2e_server.url}/diary/{token}/weekly")
    page.get_by_label("More relaxed than last week").check()
    page.get_by_role("button", name="Save").tap()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "Today's entries: you have sent 40 entries today, the most we take in one "
        "day. Your earlier entries are saved; please send this one tomorrow."
    )
    expect(page.get_by_label("More relaxed than last week")).to_be_checked()
    check_axe(page, "weekly refused for the day")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "diary-phone-daily-limit.png"), full_page=True)
    assert page_problems.all() == []
