"""A diary side effect that began after a top-up, recorded on the top-up.

Tess (Botox, with a Dysport top-up) and Tom (Dysport, with a Botox top-up)
each reported an eyelid droop that began the day after the top-up. The
injector opens the top-up's page, clicks "Record as adverse event" there, and
the form says it is filed against that top-up; saving records it there.
Screenshots go to test-artifacts/.
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
from tests.factories import CHIN_DOSES
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.factories import sign_chin
from tests.services.test_diary import opened

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TREATED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TOPPED_UP = TREATED + timedelta(days=2)  # 4 Nov
REPORTED = TREATED + timedelta(days=4)
# The cycle's product and its top-up's, each in its own units.
PAIRS = {"botox": "dysport", "dysport": "botox"}
BRANDS = {"botox": "Botox", "dysport": "Dysport"}


@pytest.fixture(scope="module")
def top_ups(e2e_server: LiveServer) -> dict[str, int]:
    found = {}
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        for product, other in PAIRS.items():
            patient = make_patient(
                session,
                actor,
                f"E2E-TU-{product[:2]}",
                given_name="Tess" if product == "botox" else "Tom",
                family_name="Topup",
            )
            full = sign_chin(
                session,
                actor,
                patient.id,
                when=TREATED,
                product=product,
                lot_number=f"F{product[:2]}",
            )
            dose, vial = CHIN_DOSES[other]
            top_up = make_treatment(
                session,
                actor,
                patient.id,
                [("mentalis", "left", dose)],
                when=TOPPED_UP,
                sign=True,
                product=other,
                vial_units=vial,
                lot_number=f"T{other[:2]}",
                kind="top_up",
            )
            _, diary = opened(session, actor, full.id, at=REPORTED, now=REPORTED)
            entries.record_side_effect(
                session,
                diary,
                {"effects": ["eyelid_droop"], "day": "2026-11-05"},
                client="203.0.113.7",
                now=REPORTED,
            )
            found[product] = top_up.id
    return found


@pytest.mark.parametrize("product", list(PAIRS))
def test_the_top_up_page_records_the_diary_effect_against_the_top_up(
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    top_ups: dict[str, int],
    product: str,
) -> None:
    brand = BRANDS[PAIRS[product]]
    context = e2e_chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(e2e_server.url)
        log_in(page, e2e_server)
        page.goto(f"{e2e_server.url}/sessions/{top_ups[product]}/response")
        offers = page.locator("ul.diary-offers")
        expect(offers).to_contain_text("Began 5 Nov 2026: My eyelid droops")
        offers.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-top-up-{product}-1-offer.png"))

        offers.get_by_role("link", name="Record as adverse event").click()
        form = page.locator("form.add-event")
        expect(form).to_contain_text(
            f"Filed against the {brand} top-up of 4 Nov 2026 "
            f"(session {top_ups[product]})"
        )
        expect(page.get_by_label("Began on")).to_have_value("2026-11-05")
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-top-up-{product}-2-form.png"))
        check_axe(page, "adverse-event form on a top-up, filled from the diary")
        form.get_by_label("Moderate").check()
        form.get_by_role("button", name="Add adverse event").click()

        events = page.get_by_role("table", name="Adverse events after this treatment")
        expect(events).to_contain_text(
            "Reported by the patient in the diary on 6 Nov 2026"
        )
        expect(page.locator("ul.diary-offers")).to_have_count(0)
        events.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"diary-top-up-{product}-3-event.png"))
    finally:
        context.close()
    assert page_problems.all() == []
