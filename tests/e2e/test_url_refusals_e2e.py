"""Refusals of a bad URL, and of a session in a product planner cannot chart,
as the tablet shows them at 1024x768 (screenshots under test-artifacts/)."""

from datetime import UTC
from datetime import datetime

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.models import Product
from planner.models import TreatmentSession
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.audit_exempt(
        "a clinic-added product row, and a chart moved into it: no page does either",
        tables=["product", "treatment_session"],
    ),
]

DAY0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def unlisted(e2e_server: LiveServer) -> tuple[int, int]:
    """A patient, and a draft of theirs moved into Relfydess: (patient, draft)."""
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(session, actor, "E2E-URL-1", given_name="Ines")
        product = Product(
            code="relfydess",
            brand="Relfydess",
            inn="relabotulinumtoxinA",
            unit_name="U",
            vial_sizes=[50],
            dilutions=[],
            in_use_hours=24,
            in_use_source="clinic",
            interval_source="clinic",
        )
        session.add(product)
        session.commit()
        treatment = make_treatment(
            session, actor, patient.id, [("mentalis", "left", 2)], when=DAY0
        )
        record = session.get(TreatmentSession, treatment.id)
        assert record is not None
        record.product_id = product.id
        session.add(record)
        session.commit()
        return patient.id, treatment.id


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_the_refusals_read_clearly_on_the_tablet(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    unlisted: tuple[int, int],
) -> None:
    page = chromium_page
    patient_id, draft_id = unlisted
    log_in(page, e2e_server)

    page.goto(f"{e2e_server.url}/patients/{patient_id}/self-entry/new?instrument=sap")
    expect(page.locator("main li")).to_contain_text(
        "instrument: must be one of saq, fdi: the questionnaires patients answer "
        "themselves"
    )
    shot(page, "url-refusal-self-entry-instrument")

    page.goto(f"{e2e_server.url}/sessions/{draft_id}/record.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This record cannot be printed"
    )
    discard = page.get_by_role("link", name="Discard this draft")
    expect(discard).to_have_attribute("href", f"/sessions/{draft_id}/discard")
    shot(page, "no-reference-record-pdf")

    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles?muscle=mentalis:up")
    expect(page.locator("main li")).to_contain_text("muscle: must be a muscle")
    shot(page, "url-refusal-cycles-muscle")

    page.goto(f"{e2e_server.url}/schedule/?clinician=abc")
    expect(page.locator("main li")).to_contain_text("clinician: must be a clinician")
    shot(page, "url-refusal-worklist-clinician")

    assert page_problems.all() == []
