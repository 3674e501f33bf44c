"""Outcomes across two cycles: real Chromium on a touch tablet, the live server.

The clinician signs cycle 1, grades a Sunnybrook on the form and hands the tablet
to the patient for the SAQ (one question a screen, locked until the clinician's
password), then does the same after signing cycle 2. The cycles page must show
both scores of each instrument, their change and the trend charts.

An assessment is filed under the latest full treatment on or before today, so
cycle 1's scores are entered before cycle 2 is opened.
"""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_chart_e2e import FACE_MAPS
from tests.e2e.test_chart_e2e import open_session
from tests.e2e.test_chart_e2e import reference
from tests.e2e.test_chart_e2e import register
from tests.e2e.test_chart_e2e import row
from tests.e2e.test_chart_e2e import touch
from tests.e2e.test_patients_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SAQ_QUESTIONS = (
    "When I smile, my eye closes.",
    "When I speak, my eye closes.",
    "When I whistle or pucker my lips, my eye closes.",
    "When I smile, my neck tightens.",
    "When I close my eyes, my face gets tight.",
    "When I close my eyes, the corner of my mouth moves.",
    "When I close my eyes, my neck tightens.",
    "When I eat, my eye waters.",
    "When I move my face, my chin develops a dimpled area.",
)
SAQ_LABELS = {
    1: "Seldom or not at all",
    2: "Occasionally",
    3: "Sometimes",
    4: "Most of the time",
    5: "All the time",
}

# Sunnybrook, worked by hand (composite = voluntary x 4 - resting x 5 - synkinesis).
# Cycle 1: resting eye narrow 1 + cheek absent 2 + mouth normal 0 = 3 -> 15;
#   voluntary 3 + 2 + 3 + 2 + 2 = 12 -> 48; synkinesis 2 + 1 + 2 + 1 + 2 = 8;
#   composite 48 - 15 - 8 = 25.
# Cycle 2: resting all normal -> 0; voluntary 5 + 4 + 4 + 4 + 3 = 20 -> 80;
#   synkinesis 1 + 0 + 1 + 0 + 1 = 3; composite 80 - 0 - 3 = 77. Change +52.
EXPRESSIONS = (
    "brow_lift",
    "gentle_eye_closure",
    "open_mouth_smile",
    "snarl",
    "lip_pucker",
)
SUNNYBROOK = {
    1: {
        "resting": {"eye": "narrow", "cheek": "absent", "mouth": "normal"},
        "voluntary": (3, 2, 3, 2, 2),
        "synkinesis": (2, 1, 2, 1, 2),
    },
    2: {
        "resting": {"eye": "normal", "cheek": "normal", "mouth": "normal"},
        "voluntary": (5, 4, 4, 4, 3),
        "synkinesis": (1, 0, 1, 0, 1),
    },
}
SUNNYBROOK_SCORES = {1: "25", 2: "77"}
SUNNYBROOK_CHANGE = "+52"
# SAQ, worked by hand (sum / 45 x 100, 20-100, lower is better).
# Cycle 1: 4+4+3+5+4+3+4+2+3 = 32 -> 71.11; cycle 2: 2+2+1+3+2+2+2+1+2 = 17 -> 37.78.
# Change 37.78 - 71.11 = -33.33: better, since lower is better.
SAQ = {1: (4, 4, 3, 5, 4, 3, 4, 2, 3), 2: (2, 2, 1, 3, 2, 2, 2, 1, 2)}
SAQ_SCORES = {1: "71.1", 2: "37.8"}
SAQ_CHANGE = "−33.3"


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
    for number, (muscle, side) in enumerate(sites, start=1):
        touch(page, *reference(face_map, muscle, side))
        expect(row(page, number)).to_have_attribute("data-muscle", muscle)
    for reason in page.locator("[data-reason-for]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    return session_id


def choose(page: Page, key: str, value: object) -> None:
    """Tap an answer card on the scoring form, as a finger would."""
    option = page.locator(f'label.option:has(input[name="{key}"][value="{value}"])')
    option.tap()
    expect(option.locator("input")).to_be_checked()


def grade_sunnybrook(
    page: Page, server: LiveServer, patient_id: int, cycle: int
) -> None:
    """Grade a Sunnybrook on the form, from the patient's page."""
    page.goto(f"{server.url}/patients/{patient_id}")
    page.get_by_role("link", name="Record scores").click()
    expect(
        page.get_by_role(
            "heading", level=1, name="Sunnybrook Facial Grading System for Maren Olsen"
        )
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Instruments").get_by_role(
            "link", name="Sunnybrook Facial Grading System"
        )
    ).to_have_attribute("aria-current", "page")
    page.get_by_label(re.compile("^Time point")).select_option(label="2-week review")
    answers = SUNNYBROOK[cycle]
    for feature, value in answers["resting"].items():
        choose(page, f"resting.{feature}", value)
    for part in ("voluntary", "synkinesis"):
        for expression, value in zip(EXPRESSIONS, answers[part], strict=True):
            choose(page, f"{part}.{expression}", value)
    # The answers are reachable by role: section, then item, then choice.
    resting = page.get_by_role("group", name="Resting symmetry")
    eye = resting.get_by_role("group", name="Eye (palpebral fissure)")
    expect(
        eye.get_by_role("radio", name=answers["resting"]["eye"].capitalize())
    ).to_be_checked()
    expect(
        page.get_by_role("complementary", name="How this is scored")
    ).to_contain_text("composite")
    if cycle == 1:
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "assessment-form.png"))
    page.get_by_role("button", name="Save scores").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/cycles$"))
    expect(page.locator(".flash-success")).to_have_text(
        f"Sunnybrook Facial Grading System saved: {SUNNYBROOK_SCORES[cycle]}."
    )


def kiosk_check(page: Page) -> None:
    """The kiosk: big type and big targets, and no way to anything else."""
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


def answer_saq(
    page: Page, server: LiveServer, patient_id: int, cycle: int, *, screenshot: bool
) -> None:
    """Hand the tablet to the patient, who answers the SAQ one question a screen."""
    page.goto(f"{server.url}/patients/{patient_id}")
    page.get_by_role("button", name="Hand to patient: SAQ").click()
    expect(page).to_have_url(re.compile(r"/self-entry$"))
    kiosk_check(page)
    # The tablet cannot leave the questionnaire while the patient holds it.
    page.goto(f"{server.url}/patients/")
    expect(page).to_have_url(re.compile(r"/self-entry$"))
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()

    # Pressing Next without an answer asks for one.
    page.get_by_role("button", name="Next").tap()
    expect(page.get_by_role("alert")).to_have_text("Please choose one answer.")

    answers = SAQ[cycle]
    for number, (question, answer) in enumerate(
        zip(SAQ_QUESTIONS, answers, strict=True), start=1
    ):
        expect(page.get_by_text(f"Question {number} of 9")).to_be_visible()
        expect(page.get_by_role("heading", level=1, name=question)).to_be_visible()
        page.locator("label.kiosk-choice", has_text=SAQ_LABELS[answer]).tap()
        expect(page.get_by_role("radio", name=SAQ_LABELS[answer])).to_be_checked()
        if screenshot and number == 3:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "self-entry.png"))
        if number == 2:
            # Back to the first question: its answer is kept; then on again.
            page.get_by_role("button", name="Back").tap()
            expect(page.get_by_text("Question 1 of 9")).to_be_visible()
            expect(
                page.get_by_role("radio", name=SAQ_LABELS[answers[0]])
            ).to_be_checked()
            page.get_by_role("button", name="Next").tap()
            expect(page.get_by_text("Question 2 of 9")).to_be_visible()
            page.locator("label.kiosk-choice", has_text=SAQ_LABELS[answer]).tap()
        page.get_by_role("button", name="Finish" if number == 9 else "Next").tap()
    expect(
        page.get_by_role("heading", level=1, name="Thank you, Maren.")
    ).to_be_visible()
    expect(page.locator(".kiosk-done")).to_contain_text("Please hand the tablet back.")
    if screenshot:
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


def check_trend(
    page: Page, code: str, scores: dict[int, str], change: str, better: str
) -> None:
    """A trend: its chart with both values, and its table with the change."""
    trend = page.locator(f"#trend-{code}")
    expect(trend.locator("h3")).to_contain_text(f"{better} is better")
    chart = trend.locator("svg.line-chart")
    expect(chart).to_have_count(1)
    expect(chart).to_have_attribute("role", "img")
    for cycle, score in scores.items():
        point = chart.locator(f'g.point[data-cycle="{cycle}"]')
        expect(point).to_have_attribute("data-value", score)
        expect(point.locator("text.value")).to_have_text(score)
    rows = trend.locator("tbody tr")
    expect(rows).to_have_count(2)
    for index, (cycle, score) in enumerate(scores.items()):
        expect(rows.nth(index).locator("th")).to_have_text(f"Cycle {cycle}")
        expect(rows.nth(index).locator("td.score")).to_have_text(score)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("baseline")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text(f"{change} better")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text(f"{change} better")


def test_scores_for_two_cycles_show_on_the_cycles_page(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    patient_id = register(
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

    # Cycle 1: sign, then grade and hand over the SAQ.
    sign_cycle(
        page,
        e2e_server,
        face_map,
        patient_id,
        (("frontalis", "left"), ("mentalis", "left")),
        lot="OUT1001",
        new=True,
    )
    grade_sunnybrook(page, e2e_server, patient_id, 1)
    answer_saq(page, e2e_server, patient_id, 1, screenshot=True)

    # Cycle 2, from the same vial, with one site added.
    sign_cycle(
        page,
        e2e_server,
        face_map,
        patient_id,
        (
            ("frontalis", "left"),
            ("mentalis", "left"),
            ("depressor_anguli_oris", "right"),
        ),
        lot="OUT1001",
        new=False,
    )
    grade_sunnybrook(page, e2e_server, patient_id, 2)
    answer_saq(page, e2e_server, patient_id, 2, screenshot=False)

    # How each cycle worked, from its card; and a side effect of cycle 1.
    for cycle, (onset, peak, weeks, rating) in {
        1: ("3", "14", "11", "7"),
        2: ("2", "10", "13.5", "9"),
    }.items():
        page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
        page.get_by_role("link", name=f"Response to cycle {cycle}").click()
        expect(
            page.get_by_role("heading", level=1, name=f"Response to cycle {cycle}")
        ).to_be_visible()
        page.get_by_label("Effect began after").fill(onset)
        page.get_by_label("Strongest effect after").fill(peak)
        page.get_by_label("Effect wore off after").fill(weeks)
        page.locator(f'label.rating-choice:has(input[value="{rating}"])').tap()
        page.get_by_role("button", name="Save response").click()
        expect(page.locator(".flash-success")).to_have_text("Response saved.")
        expect(page.get_by_label("Effect wore off after")).to_have_value(weeks)
        expect(page.get_by_role("radio", name=rating, exact=True)).to_be_checked()
    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    page.get_by_role("link", name="Response to cycle 1").click()
    page.get_by_label("Kind of adverse event").select_option(label="Eyelid droop")
    page.get_by_role("group", name=re.compile("^Severity")).get_by_label("Mild").check()
    page.get_by_label("What happened").fill("Left upper lid, about 1 mm, week 2.")
    page.get_by_role("button", name="Add adverse event").click()
    expect(page.locator(".flash-success")).to_have_text("Adverse event recorded.")
    expect(page.locator("table.events tbody tr")).to_contain_text("Eyelid droop")

    # The cycles page: both cycles, their maps and changes, both trends.
    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    expect(
        page.get_by_role("heading", level=1, name="Cycles for Maren Olsen")
    ).to_be_visible()
    cards = page.locator("li.cycle-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator("h3")).to_have_text("Cycle 1")
    expect(cards.nth(1).locator("h3")).to_have_text("Cycle 2")
    expect(cards.nth(0).locator("svg.facemap")).to_have_count(1)
    expect(cards.nth(1).locator("svg.facemap .ghost")).to_have_count(2)
    expect(cards.nth(1).locator(".count-added")).to_have_text("1 added")
    expect(page.locator("table.matrix")).to_have_count(2)  # left and right sides
    expect(page.locator("table.matrix caption").first).to_have_text("Right side")
    expect(page.locator("table.matrix caption").nth(1)).to_have_text(
        "Left side (affected)"
    )

    check_trend(page, "sunnybrook", SUNNYBROOK_SCORES, SUNNYBROOK_CHANGE, "higher")
    check_trend(page, "saq", SAQ_SCORES, SAQ_CHANGE, "lower")
    expect(page.locator("section.trend")).to_have_count(2)
    expect(cards.nth(0).locator(".cycle-response")).to_contain_text("wore off week 11")
    expect(cards.nth(1).locator(".cycle-response")).to_contain_text("rated 9/10")
    duration = page.locator(".chart-box.duration svg")
    expect(duration).to_have_count(1)
    expect(page.locator(".event-timeline")).to_contain_text("Eyelid droop, mild")

    # Choosing one cycle shows only that one.
    page.locator("#pick-1").uncheck()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cycles\?cycle=2$"))
    expect(page.locator("li.cycle-card")).to_have_count(1)
    expect(page.get_by_role("link", name="Show all cycles")).to_be_visible()
    page.get_by_role("link", name="Show all cycles").click()
    expect(page.locator("li.cycle-card")).to_have_count(2)

    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cycles.png"), full_page=True)

    # No console errors, CSP violations, failed requests or server errors.
    assert page_problems.all() == []
