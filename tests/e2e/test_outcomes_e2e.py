"""Outcomes: real Chromium on a touch tablet, the live server.

The first test works one cycle through the pages: the patient answers the SAQ
on the tablet before treatment (its time point suggested on the hand-over
page), the cycle is signed, the clinician records the SAQ at the review on the
form, then the response and a side effect; the cycles page shows the cycle's
response in its ledger row. The second seeds three past cycles through the
services and, on the cycles page, picks a muscle and reads its dose against
the response.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlmodel import select

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from planner.models import Assessment
from planner.models import TreatmentSession
from planner.scoring import saq
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import sign_with_reasons
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import make_patient
from tests.services.test_cycle_response import THREE_CYCLES
from tests.services.test_cycle_response import seed_cycles

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The questions and answers as the product words them: the test taps what it shows.
SAQ_QUESTIONS = saq.QUESTIONS
SAQ_LABELS = {choice.value: choice.label for choice in saq.RESPONSES}

# SAQ, worked by hand (sum / 45 x 100, 20-100, lower is better).
# Before treatment: 4+4+3+5+4+3+4+2+3 = 32 -> 71.11; at the review:
# 2+2+1+3+2+2+2+1+2 = 17 -> 37.78. Response 37.78 - 71.11 = -33.33: better.
SAQ_BEFORE = (4, 4, 3, 5, 4, 3, 4, 2, 3)
SAQ_REVIEW = (2, 2, 1, 3, 2, 2, 2, 1, 2)
SAQ_RESPONSE = "71.1 → 37.8 −33.3 better"
TWO_WEEKS = timedelta(days=14)


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def sign_cycle(
    page: Page,
    server: LiveServer,
    face_map: FaceMap,
    patient_id: int,
    sites: tuple[tuple[str, str], ...],
    *,
    lot: str,
    new: bool,
) -> int:
    """Open a full treatment, tap its sites on the map and sign it."""
    session_id = open_session(page, server, patient_id, lot=lot, new=new)
    tap_sites(page, face_map, sites)
    sign_with_reasons(page)
    return session_id


def choose(page: Page, key: str, value: object) -> None:
    """Tap an answer card on the scoring form, as a finger would."""
    option = page.locator(f'label.option:has(input[name="{key}"][value="{value}"])')
    option.tap()
    expect(option.locator("input")).to_be_checked()


def two_weeks_pass(server: LiveServer, patient_id: int) -> None:
    """Move the patient's treatment and the score before it 14 days back.

    A review is scored two weeks after the treatment; the form refuses one on
    the treatment day (review rO, rO4). The live server keeps real time, so the
    records go back instead.
    """
    with live_session(server) as session:
        treatments = session.exec(
            select(TreatmentSession).where(TreatmentSession.patient_id == patient_id)
        ).all()
        scores = session.exec(
            select(Assessment).where(Assessment.patient_id == patient_id)
        ).all()
        for treatment in treatments:
            treatment.performed_at -= TWO_WEEKS
            if treatment.signed_at is not None:
                treatment.signed_at -= TWO_WEEKS
        for score in scores:
            score.assessed_at -= TWO_WEEKS
        session.add_all([*treatments, *scores])
        session.commit()


def record_saq_review(page: Page, server: LiveServer, patient_id: int) -> None:
    """Record the SAQ at the review on the clinician's form."""
    page.goto(f"{server.url}/patients/{patient_id}")
    page.get_by_role("link", name="Record scores").click()
    page.get_by_role("navigation", name="Instruments").get_by_role(
        "link", name="Synkinesis Assessment Questionnaire"
    ).click()
    expect(
        page.get_by_role(
            "heading",
            level=1,
            name="Synkinesis Assessment Questionnaire for Maren Olsen",
        )
    ).to_be_visible()
    # Treated 14 days ago: the form suggests the review.
    expect(page.get_by_label(re.compile("^Time point"))).to_have_value("review")
    for number, value in enumerate(SAQ_REVIEW, start=1):
        choose(page, f"q{number}", value)
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assessment-form.png"))
    page.get_by_role("button", name="Save scores").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/cycles$"))
    expect(page.locator(".flash-success")).to_have_text(
        "Synkinesis Assessment Questionnaire saved: 37.8."
    )


def kiosk_check(page: Page) -> None:
    """The kiosk: big type and big targets, and no way to anything else.

    Measured once the page has loaded: the address changes as soon as the answer
    starts, before its stylesheet applies (a 20 px choice, seen under load).
    """
    page.wait_for_load_state("load")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.locator("a[href]")).to_have_count(1)  # the skip link, nothing else
    choice = page.locator("label.kiosk-choice").first
    box = choice.bounding_box()
    assert box is not None
    assert box["height"] >= 64, box
    size = choice.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24, size
    heading = page.get_by_role("heading", level=1)
    size = heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24, size


def answer_saq_before_treatment(
    page: Page, server: LiveServer, patient_id: int
) -> None:
    """Hand the tablet to the patient, who answers the SAQ one question a screen."""
    page.goto(f"{server.url}/patients/{patient_id}")
    page.get_by_role("link", name="Hand to patient: SAQ").click()
    expect(
        page.get_by_role("heading", level=1, name="Hand the tablet to Maren Olsen")
    ).to_be_visible()
    # No treatment yet: the time point suggested is before treatment (baseline).
    expect(page.get_by_label(re.compile("^Time point"))).to_have_value("pre_treatment")
    expect(page.get_by_label("Synkinesis Assessment Questionnaire")).to_be_checked()
    page.get_by_role("button", name="Hand over the tablet").click()
    expect(page).to_have_url(re.compile(r"/self-entry$"))
    kiosk_check(page)
    # The tablet cannot leave the questionnaire while the patient holds it.
    page.goto(f"{server.url}/patients/")
    expect(page).to_have_url(re.compile(r"/self-entry$"))
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()

    # Pressing Next without an answer asks for one.
    page.get_by_role("button", name="Next").tap()
    expect(page.get_by_role("alert")).to_have_text("Please choose one answer.")

    for number, (question, answer) in enumerate(
        zip(SAQ_QUESTIONS, SAQ_BEFORE, strict=True), start=1
    ):
        expect(page.get_by_text(f"Question {number} of 9")).to_be_visible()
        expect(page.get_by_role("heading", level=1, name=question)).to_be_visible()
        page.locator("label.kiosk-choice", has_text=SAQ_LABELS[answer]).tap()
        expect(page.get_by_role("radio", name=SAQ_LABELS[answer])).to_be_checked()
        if number == 3:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "self-entry.png"))
        if number == 2:
            # Back to the first question: its answer is kept; then on again.
            page.get_by_role("button", name="Back").tap()
            expect(page.get_by_text("Question 1 of 9")).to_be_visible()
            expect(
                page.get_by_role("radio", name=SAQ_LABELS[SAQ_BEFORE[0]])
            ).to_be_checked()
            page.get_by_role("button", name="Next").tap()
            expect(page.get_by_text("Question 2 of 9")).to_be_visible()
            page.locator("label.kiosk-choice", has_text=SAQ_LABELS[answer]).tap()
        page.get_by_role("button", name="Finish" if number == 9 else "Next").tap()
    expect(
        page.get_by_role("heading", level=1, name="Thank you, Maren.")
    ).to_be_visible()
    expect(page.locator(".kiosk-done")).to_contain_text("Please hand the tablet back.")
    page.screenshot(path=str(ARTIFACTS / "self-entry-done.png"))

    # Only the clinician's password unlocks it.
    unlock = page.get_by_label("Clinician password to unlock")
    unlock.fill("not the password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("alert")).to_have_text("That password is not right.")
    expect(page).to_have_url(re.compile(r"/self-entry\?"))
    page.get_by_label("Clinician password to unlock").fill(server.user.password)
    page.get_by_role("button", name="Unlock").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/cycles$"))
    expect(page.locator(".flash-success")).to_have_text(
        "The patient's answers are saved."
    )
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


@pytest.mark.audit_exempt("records moved 14 days back stand for time passing")
def test_a_cycle_scored_before_and_at_review_shows_its_response(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    patient_id = log_in_and_register(
        page,
        e2e_server,
        mrn="E2E-OUT-1",
        given_name="Maren",
        family_name="Olsen",
        affected_side="left",
    )

    # Before any treatment the cycles page says what to do.
    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    page.get_by_role("link", name="Compare cycles").click()
    expect(
        page.get_by_role("heading", level=1, name="Cycles for Maren Olsen")
    ).to_be_visible()
    expect(page.get_by_text("No signed treatments yet")).to_be_visible()

    answer_saq_before_treatment(page, e2e_server, patient_id)
    # The score waits for the treatment it comes before.
    expect(page.get_by_text("1 score taken before treatment will show")).to_be_visible()
    sign_cycle(
        page,
        e2e_server,
        face_map,
        patient_id,
        (("frontalis", "left"), ("mentalis", "left")),
        lot="OUT1001",
        new=True,
    )
    two_weeks_pass(e2e_server, patient_id)
    record_saq_review(page, e2e_server, patient_id)

    # How the cycle worked, and a side effect.
    page.get_by_role("link", name="Response to cycle 1").click()
    page.get_by_label("Effect began after").fill("3")
    page.get_by_label("Strongest effect after").fill("14")
    page.get_by_label("Effect wore off after").fill("11")
    page.locator('label.rating-choice:has(input[value="7"])').tap()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".flash-success")).to_have_text("Response saved.")
    page.get_by_label("Kind of adverse event").select_option(label="Eyelid droop")
    page.get_by_role("group", name=re.compile("^Severity")).get_by_label("Mild").check()
    page.get_by_label("What happened").fill("Left upper lid, about 1 mm, week 2.")
    page.get_by_role("button", name="Add adverse event").click()
    expect(page.locator(".flash-success")).to_have_text("Adverse event recorded.")

    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    ledger = page.locator('table.ledger tbody tr[data-cycle="1"]')
    expect(ledger.locator("th")).to_contain_text("Cycle 1")
    expect(ledger.locator("td.scores")).to_have_text(
        re.compile(rf"SAQ, lower is better\s+{SAQ_RESPONSE}")
    )
    expect(ledger.locator("td.course")).to_have_text("day 3 · day 14 · 11 wk")
    expect(ledger).to_contain_text("Eyelid droop (mild)")
    trend = page.locator("#trend-saq")
    expect(trend.locator("p.baseline-note")).to_have_text(
        "Baseline 71.1, before cycle 1."
    )
    expect(trend.locator("tbody tr td.response")).to_have_text("−33.3 better")
    chart = trend.locator("svg.line-chart")
    expect(chart.locator('g.point[data-cycle="1"]')).to_have_count(2)
    card = page.locator("li.cycle-card")
    expect(card.locator("svg.facemap use")).to_have_count(1)
    expect(card.locator("svg.facemap .site")).to_have_count(2)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "cycles.png"), full_page=True)
    assert page_problems.all() == []


@pytest.fixture
def three_past_cycles(e2e_server: LiveServer) -> int:
    """Three Botox cycles, mentalis up from 2.5 to 3.5 U, SAQ before and at review."""
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(
            session,
            actor,
            "E2E-OUT-2",
            given_name="Ines",
            family_name="Duarte",
        )
        # The same three cycles, a year earlier.
        seed_cycles(
            session,
            actor,
            patient.id,
            [
                (when.replace(year=2025), sites, sums)
                for when, sites, sums in THREE_CYCLES
            ],
        )
        assert patient.id is not None
        return patient.id


def test_picking_a_muscle_shows_its_dose_against_the_response(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    three_past_cycles: int,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{three_past_cycles}/cycles")
    section = page.locator("#dose-response")
    expect(section.get_by_text("Choose a muscle to see its dose")).to_be_visible()
    section.get_by_label("Muscle and side").select_option(label="Mentalis, left")
    section.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"muscle=mentalis%3Aleft#dose-response$"))
    view = page.locator(".muscle-view")
    expect(view.locator("h3")).to_have_text("Mentalis, left")
    table = view.get_by_role("table", name="Botox")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    # Each cycle's dose beside its own response (review minus before).
    for index, (dose, response) in enumerate(
        (
            ("2.5 U", "−26.7 better"),
            ("3.5 U", "−26.7 better"),
            ("3.5 U", "−13.3 better"),
        )
    ):
        expect(rows.nth(index).locator("td.dose")).to_have_text(dose)
        expect(rows.nth(index).locator("td").nth(3)).to_have_text(response)
    findings = view.locator(".findings li")
    expect(findings.first).to_contain_text("SAQ response: n = 3")
    expect(view.locator(".caution")).to_contain_text("too few to tell")
    # The ledger names the change that the comparison is about.
    expect(
        page.locator('table.ledger tr[data-cycle="2"] td.dose-changes')
    ).to_contain_text("Mentalis left: 2.5 → 3.5 U (+1)")
    view.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "cycles-dose-response.png"), full_page=True)
    assert page_problems.all() == []
