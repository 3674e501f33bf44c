"""A diary side effect recorded as an adverse event, in Chromium at the desk.

Bob (Botox) and Dora (Dysport) each reported an eyelid droop in the diary four
days after treatment. The injector clicks "Record as adverse event" on the
cycles page, finds the form filled from the entry, chooses the severity and
saves: the event says the patient reported it, and the diary entry says it
was recorded, with no second button. Dora's is clicked through (the pages
for both products: tests/views/test_diary_adverse_pages.py). Screenshots go to
test-artifacts/.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from planner.services import diary_entries as entries
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.factories import make_patient
from tests.services.test_diary import opened
from tests.views.test_cycles_diary_side_effects import DOSES
from tests.views.test_cycles_diary_side_effects import chin_on_day_0

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TREATED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
REPORTED = TREATED + timedelta(days=4)


@pytest.fixture(scope="module")
def patients(e2e_server: LiveServer) -> dict[str, int]:
    found = {}
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        for product in DOSES:
            patient = make_patient(
                session,
                actor,
                f"E2E-AE-{product[:2]}",
                given_name="Dora" if product == "dysport" else "Bob",
                family_name="Droop",
            )
            treatment = chin_on_day_0(session, actor, patient, product, when=TREATED)
            _, diary = opened(session, actor, treatment.id, at=REPORTED, now=REPORTED)
            entries.record_side_effect(
                session,
                diary,
                {"effects": ["eyelid_droop"], "day": "2026-11-05"},
                client="203.0.113.7",
                now=REPORTED,
            )
            assert patient.id is not None
            found[product] = patient.id
    return found


# One product: nothing shown depends on it (per product in
# tests/views/test_diary_adverse_pages.py); the diary top-up e2e runs both.
@pytest.mark.parametrize("product", ["dysport"])
def test_the_diary_droop_becomes_an_event_that_names_its_source(
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    patients: dict[str, int],
    product: str,
) -> None:
    context = e2e_chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(e2e_server.url)
        log_in(page, e2e_server)
        page.goto(f"{e2e_server.url}/patients/{patients[product]}/cycles")
        diary = page.locator("#diary-entries")
        row = diary.locator(".diary-row").first
        expect(row).to_contain_text("Side effect: My eyelid droops, since 5 Nov 2026")
        button = row.get_by_role("link", name="Record as adverse event")
        expect(button).to_be_visible()
        diary.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-ae-{product}-1-before.png"))

        button.click()
        form = page.locator("form.add-event")
        expect(form).to_contain_text(
            "From the patient’s diary, entered 6 Nov 2026: My eyelid droops."
        )
        expect(page.get_by_label("Kind of adverse event")).to_have_value("eyelid_droop")
        expect(page.get_by_label("Began on")).to_have_value("2026-11-05")
        expect(page.get_by_label("What happened")).to_have_value(
            "Patient reported in the diary: My eyelid droops"
        )
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-ae-{product}-2-form.png"))
        check_axe(page, "adverse-event form filled from the diary")
        form.get_by_label("Moderate").check()
        form.get_by_role("button", name="Add adverse event").click()

        expect(page.locator(".flash, [role=status]").first).to_contain_text(
            "Adverse event recorded from the patient's diary."
        )
        events = page.get_by_role("table", name="Adverse events after this treatment")
        expect(events).to_contain_text(
            "Reported by the patient in the diary on 6 Nov 2026"
        )
        events.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-ae-{product}-3-event.png"))

        page.goto(f"{e2e_server.url}/patients/{patients[product]}/cycles")
        row = page.locator("#diary-entries .diary-row").first
        expect(row).to_contain_text("Recorded as an adverse event on")
        expect(row.get_by_role("link", name="Record as adverse event")).to_have_count(0)
        page.locator("#diary-entries").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-ae-{product}-4-after.png"))
        timeline = page.locator(".event-timeline").last
        expect(timeline).to_contain_text(
            "Reported by the patient in the diary on 6 Nov 2026"
        )
        timeline.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-ae-{product}-5-cycles-event.png"))
    finally:
        context.close()
    assert page_problems.all() == []
