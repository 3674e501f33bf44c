"""The cycles ledger with the patient's own reports, at 1024 and 1440 (review rW2).

Each patient (Botox, Dysport) had one cycle: SAQ 80 before; at the review SAQ
40 entered by the clinician, 100 by the patient on the clinic's tablet and 60
through the diary; FDI before and at review; and an eyelid droop reported in
the diary. The ledger shows the droop as the patient's report (V2-1), every
SAQ at the review with who entered it and the one the response uses (V2-2),
and both FDI subscales by name (V2-3). Screenshots go to test-artifacts/.
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
from tests.factories import make_assessment
from tests.factories import make_patient
from tests.services.test_cycle_response import saq
from tests.views.test_cycles_diary_side_effects import DOSES
from tests.views.test_cycles_diary_side_effects import chin_on_day_0
from tests.views.test_cycles_diary_side_effects import diary_saq
from tests.views.test_cycles_fdi_subscales import AT_REVIEW
from tests.views.test_cycles_fdi_subscales import BEFORE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TREATED = datetime(2026, 9, 7, 10, 0, tzinfo=UTC)
REVIEW = TREATED + timedelta(days=14)


@pytest.fixture(scope="module")
def patients(e2e_server: LiveServer) -> dict[str, int]:
    found = {}
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        for product in DOSES:
            patient = make_patient(
                session,
                actor,
                f"E2E-V2-{product[:2]}",
                given_name="Dora" if product == "dysport" else "Bob",
                family_name="Reports",
                affected_side="left",
            )
            before = TREATED - timedelta(hours=1)
            make_assessment(
                session,
                actor,
                patient.id,
                "saq",
                saq(36),
                when=before,
                timepoint="pre_treatment",
            )
            make_assessment(
                session,
                actor,
                patient.id,
                "fdi",
                BEFORE,
                when=before,
                timepoint="pre_treatment",
            )
            treatment = chin_on_day_0(session, actor, patient, product, when=TREATED)
            make_assessment(session, actor, patient.id, "saq", saq(18), when=REVIEW)
            make_assessment(session, actor, patient.id, "fdi", AT_REVIEW, when=REVIEW)
            make_assessment(
                session,
                actor,
                patient.id,
                "saq",
                saq(45),
                when=REVIEW + timedelta(minutes=20),
                self_entered=True,
            )
            later = REVIEW + timedelta(hours=6)
            diary = diary_saq(session, actor, treatment.id, later, 27)
            entries.record_side_effect(
                session,
                diary,
                {"effects": ["eyelid_droop"], "day": later.date().isoformat()},
                client="203.0.113.7",
                now=later,
            )
            assert patient.id is not None
            found[product] = patient.id
    return found


@pytest.mark.parametrize("product", list(DOSES))
def test_the_ledger_shows_the_patients_reports_at_1024_and_1440(
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
        row = page.locator('table.ledger tr[data-cycle="1"]')
        effects = row.locator("td.side-effects")
        expect(effects).to_contain_text("My eyelid droops, since 21 Sep 2026")
        expect(effects).to_contain_text(
            "patient-reported (diary), not yet reviewed by the clinic"
        )
        scores = row.locator("td.scores")
        expect(scores).to_contain_text(
            "All SAQ at review: 40 (clinician-entered) · 100 (patient-entered) · "
            "60 (patient-entered, diary). The response uses 40, clinician-entered."
        )
        expect(scores).to_contain_text("FDI physical")
        expect(scores).to_contain_text("FDI social")
        expect(
            page.locator("#events-title + p, #events-title ~ p.empty")
        ).to_contain_text("No adverse events recorded by the clinic")
        for width, height in ((1440, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            ledger = page.get_by_role("region", name="Ledger: one row per cycle")
            assert ledger.evaluate("e => e.scrollWidth <= e.clientWidth")
            page.locator("#ledger-title").scroll_into_view_if_needed()
            page.screenshot(
                path=str(ARTIFACTS / f"cycles-v2-{product}-ledger-{width}.png")
            )
        check_axe(page, f"cycles, patient reports, {product}")
    finally:
        context.close()
    assert page_problems.all() == []
