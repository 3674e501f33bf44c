"""The cycles page on the 1024 x 768 tablet and at the desk (review rW, W4, W6).

Dora had three Dysport cycles, her mentalis raised in the third, scored on the
SAQ at each review but never before treatment, and a side effect in cycle 2:
on the tablet the ledger fits the screen, side effects in view, each score
says which way is better, and the mentalis panel lists each review beside its
dose as "no baseline: not a response". Carl went Botox -> Dysport -> Botox:
"Doses by muscle" shows each product in its own tables, never side by side.
Screenshots at 1024 x 768 and 1440 x 900 go to test-artifacts/.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services.adverse_events import add_adverse_event
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import check_axe
from tests.factories import ZONE
from tests.factories import make_assessment
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.views.test_review_beside_dose import saq

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DAY0 = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
VIALS = {"botox": 100, "dysport": 300}
DESK = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture(scope="module")
def histories(e2e_server: LiveServer) -> tuple[int, int]:
    """Dora (Dysport, reviews only, a side effect) and Carl (Botox, Dysport, Botox)."""
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        dora = make_patient(
            session, actor, "E2E-W6-D", given_name="Dora", family_name="Dysport"
        )
        carl = make_patient(
            session, actor, "E2E-W4-C", given_name="Carl", family_name="Switcher"
        )
        plans = {
            dora.id: [
                ("dysport", {"mentalis": 10, "frontalis": 10, "platysma": 20}, 36),
                ("dysport", {"mentalis": 10, "frontalis": 10, "platysma": 20}, 36),
                ("dysport", {"mentalis": 20, "frontalis": 10, "platysma": 20}, 18),
            ],
            carl.id: [
                ("botox", {"mentalis": 4, "orbicularis_oculi_orbital": 4}, 27),
                ("dysport", {"mentalis": 15, "orbicularis_oculi_orbital": 15}, 27),
                ("botox", {"mentalis": 4, "orbicularis_oculi_orbital": 3}, 27),
            ],
        }
        for patient_id, plan in plans.items():
            for number, (product, doses, review) in enumerate(plan):
                when = DAY0 + timedelta(weeks=13 * number)
                treatment = make_treatment(
                    session,
                    actor,
                    patient_id,
                    [(muscle, "left", units) for muscle, units in doses.items()],
                    when=when,
                    sign=True,
                    product=product,
                    vial_units=VIALS[product],
                    lot_number=f"W{patient_id}{number}",
                )
                make_assessment(
                    session,
                    actor,
                    patient_id,
                    "saq",
                    saq(review),
                    when=when + timedelta(days=14),
                )
                if patient_id == dora.id and number == 1:
                    add_adverse_event(
                        session,
                        actor,
                        treatment.id,
                        {
                            "kind": "lip_weakness",
                            "severity": "mild",
                            "onset_date": (when + timedelta(days=3)).date(),
                        },
                        today=(when + timedelta(days=20)).date(),
                        zone=ZONE,
                    )
        assert dora.id is not None
        assert carl.id is not None
        return dora.id, carl.id


def test_the_ledger_and_the_mentalis_panel_answer_on_the_tablet(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    histories: tuple[int, int],
) -> None:
    page = chromium_page
    dora, _ = histories
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{dora}/cycles?muscle=mentalis:left")
    ledger = page.get_by_role("region", name="Ledger: one row per cycle")
    # Nothing of the ledger is off the 1024 px screen: side effects in view.
    assert ledger.evaluate("e => e.scrollWidth <= e.clientWidth")
    effects = page.locator("table.ledger").get_by_role("columnheader").last
    expect(effects).to_have_text("Side effects")
    box = effects.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1024
    row = page.locator('table.ledger tr[data-cycle="2"]')
    expect(row.locator("td").last).to_have_text("Lip weakness (mild)")
    expect(row.locator("td.scores")).to_have_text(
        "SAQ, lower is better 80 at review; no baseline: not a response"
    )
    page.locator("#ledger-title").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "cycles-ledger-1024.png"))

    view = page.locator(".muscle-view")
    table = view.get_by_role("table", name="Dysport")
    expect(table.get_by_role("columnheader").nth(3)).to_have_text(
        "SAQ at reviewlower is better"
    )
    rows = table.locator("tbody tr")
    for index, (dose, review) in enumerate((("10", "80"), ("10", "80"), ("20", "40"))):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(f"{dose} U (Speywood)")
        expect(cells.nth(2)).to_have_text(review)
        expect(cells.nth(3)).to_have_text("no baseline: not a response")
    assert table.evaluate("e => e.getBoundingClientRect().right <= 1024")
    view.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "cycles-mentalis-1024.png"))
    page.screenshot(path=str(ARTIFACTS / "cycles-dora-1024-full.png"), full_page=True)
    check_axe(page, "cycles, reviews without a baseline")
    assert page_problems.all() == []


def test_doses_by_muscle_keep_each_product_apart_at_the_desk(
    e2e_chromium: Browser,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    histories: tuple[int, int],
) -> None:
    _, carl = histories
    context = e2e_chromium.new_context(**DESK)
    try:
        page = context.new_page()
        page.goto(e2e_server.url)
        log_in(page, e2e_server)
        page.goto(f"{e2e_server.url}/patients/{carl}/cycles")
        section = page.locator('section[aria-labelledby="doses-title"]')
        blocks = section.locator(".dose-block")
        expect(blocks).to_have_count(2)
        expect(blocks.nth(0).locator("h3")).to_have_text("Botox, cycles 1, 3 in U")
        expect(blocks.nth(1).locator(".product-break")).to_contain_text(
            "Product changed: not comparable."
        )
        expect(blocks.nth(1).locator("h3")).to_have_text(
            "Dysport, cycle 2 in U (Speywood)"
        )
        botox = blocks.nth(0).get_by_role("table")
        expect(botox.locator("tfoot th")).to_have_text("Total, in U")
        expect(botox.locator("tfoot td")).to_have_text(["8", "7"])
        mentalis = botox.locator("tbody tr").first
        expect(mentalis.locator("th")).to_have_text("Mentalis")
        expect(mentalis.locator("td")).to_have_text(["4", "4"])
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "cycles-doses-by-product-1440.png"))
        page.screenshot(
            path=str(ARTIFACTS / "cycles-carl-1440-full.png"), full_page=True
        )
        check_axe(page, "cycles, doses of two products")
        page.set_viewport_size({"width": 1024, "height": 768})
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "cycles-doses-by-product-1024.png"))
    finally:
        context.close()
    assert page_problems.all() == []
