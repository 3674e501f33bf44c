"""Issue 22 in real Chromium on a tablet: a therapy course and a procedure are
recorded on the patient page and seen on its timeline, on the chart (the excised
muscle hatched, a tap there refused) and on the cycles page's trend chart."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import refused_400
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_chart_e2e import face_map  # noqa: F401
from tests.factories import make_patient
from tests.services.test_cycle_response import THREE_CYCLES
from tests.services.test_cycle_response import seed_cycles

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def seed(server: LiveServer) -> int:
    """Register a patient with three scored Botox cycles; return the patient's id."""
    with live_session(server) as session:
        actor = injector(session, server)
        patient = make_patient(session, actor, "E2E-SURGERY-1", affected_side="left")
        assert patient.id is not None
        seed_cycles(session, actor, patient.id, THREE_CYCLES)
        return patient.id


def test_therapy_and_surgery_on_the_timeline_chart_and_trend(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,  # noqa: F811
) -> None:
    page = chromium_page
    patient_id = seed(e2e_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{patient_id}")

    therapy = page.locator("#therapy")
    therapy.get_by_label("Kind of therapy").select_option(
        label="Neuromuscular retraining (NMRT)"
    )
    therapy.get_by_label(re.compile("^Started")).fill("2026-05-04")
    therapy.get_by_label("Ended", exact=True).fill("2026-06-15")
    therapy.get_by_label("Therapist").fill("Ann Therapist")
    therapy.get_by_label("Sessions attended").fill("6")
    therapy.get_by_label("Home programme").fill("Small smiles in the mirror.")
    therapy.get_by_role("button", name="Record therapy course").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text(
        "therapy course is recorded"
    )

    procedures = page.locator("#procedures")
    # A neurolysis naming no muscle is refused beside its field.
    procedures.get_by_label(re.compile("^Procedure")).select_option(
        label="Selective neurolysis"
    )
    procedures.get_by_label(re.compile("^Side")).select_option(label="Left")
    procedures.get_by_label(re.compile("^Date")).fill("2026-05-20")
    procedures.get_by_label("Surgeon").fill("Ms Surgeon")
    procedures.get_by_role("button", name="Record procedure").click()
    expect(page.locator("#procedure_muscles-error")).to_contain_text("name the muscles")
    procedures = page.locator("#procedures")
    procedures.get_by_label(re.compile("^Procedure")).select_option(
        label="DAO excision (myectomy)"
    )
    procedures.get_by_role("button", name="Record procedure").click()
    expect(page.locator("#procedures tbody")).to_contain_text("Depressor anguli oris")

    # The plan's own list, not the "Cancelled" disclosure's beneath it.
    timeline = page.locator("#timeline-title ~ ol.timeline")
    expect(timeline.locator("li.entry-therapy")).to_contain_text(
        "Neuromuscular retraining (NMRT)"
    )
    expect(timeline.locator("li.entry-procedure")).to_contain_text(
        "DAO excision (myectomy)"
    )
    page.locator("#therapy").screenshot(
        path=str(ARTIFACTS / "therapy-patient-page.png")
    )
    timeline.screenshot(path=str(ARTIFACTS / "therapy-timeline.png"))

    # The chart: the left DAO hatched with its procedure and date; a tap refused.
    session_id = open_session(page, e2e_server, patient_id, lot="SURG1")
    hatched = page.locator(
        "#chart-map path.treated[data-muscle='depressor_anguli_oris'][data-side='left']"
    )
    expect(hatched).to_have_count(1)
    expect(page.locator("#chart-map text.treated-label")).to_have_text(
        "DAO excision (myectomy), 20 May 2026"
    )
    touch(page, *reference(face_map, "depressor_anguli_oris", "left"))
    expect(status(page)).to_contain_text(
        "Nothing placed: the left depressor anguli oris was excised"
    )
    expect(page.locator("#chart-map g.site")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "therapy-chart-hatched.png"))
    # Confirmed, the site is placed and carries a warning that needs a reason.
    page.get_by_role("button", name="Place it anyway (needs a reason to sign)").click()
    expect(page.locator("#chart-map g.site")).to_have_count(1)
    expect(page.locator("#warning-list")).to_contain_text(
        "is on the left depressor anguli oris, excised"
    )
    expect(page.locator("#treated-confirm")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "therapy-chart-confirmed.png"))
    assert session_id > 0

    # The cycles page: the course is a band over cycle 2, the excision a mark.
    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    trend = page.locator("#trend-saq")
    expect(trend.locator("g.band")).to_have_count(1)
    expect(trend.locator("g.band text")).to_have_text("NMRT 4 May 2026 – 15 Jun 2026")
    expect(trend.locator("g.mark text")).to_contain_text(re.compile("DAO excision"))
    trend.scroll_into_view_if_needed()
    trend.screenshot(path=str(ARTIFACTS / "therapy-cycles-trend.png"))
    ledger = page.locator("section[aria-labelledby='ledger-title']")
    expect(ledger.locator("tr[data-cycle='2']")).to_contain_text(
        "Therapy: NMRT 4 May 2026 – 15 Jun 2026, Ann Therapist"
    )
    ledger.screenshot(path=str(ARTIFACTS / "therapy-cycles-ledger.png"))

    # The patient page's procedure form on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    page.locator("#procedures").screenshot(
        path=str(ARTIFACTS / "therapy-procedures-phone.png")
    )

    assert expected(page_problems.all(), *refused_400("sites")) == []
