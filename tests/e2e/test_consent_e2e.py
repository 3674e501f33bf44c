"""Consent at the chair, in Chromium at tablet size (1024×768, touch).

A chart cannot be signed without consent, and the chart says why; the patient
then reads the form and signs with a finger (touch events through the DevTools
protocol, so the page sees real touch pointers); the PDF copy reads back with
the version, the name and the time; the chart then signs. axe-core finds no
violations on the consent pages.
"""

import io
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import col
from sqlmodel import select

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from planner.models import ConsentRecord
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import expected
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import refused_400
from tests.e2e.chart_helpers import register
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import add_login
from tests.e2e.live_db import live_session

ADMIN_EMAIL = "e2e.admin@example.org"
ADMIN_PASSWORD = "clinic settings 2024 admin"


@pytest.fixture(scope="module")
def chart_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


STROKES_UNIT = """async () => {
  const { createStrokes } = await import("/static/js/signature.js");
  const state = createStrokes(600, 200);
  state.start(-5, 10);
  state.extend(0.5, 10.4);
  state.extend(700, 250);
  const result = { strokes: JSON.parse(JSON.stringify(state.strokes)),
                   points: state.points, json: state.toJSON() };
  state.clear();
  result.cleared = state.toJSON();
  return result;
}"""


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is; name each violation and its nodes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def draw_with_finger(page: Page, points: list[tuple[float, float]]) -> None:
    """Drag one finger through ``points`` (fractions of the signature box)."""
    box = page.locator("canvas.signature-pad").bounding_box()
    assert box is not None
    screen = [
        (box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        for fx, fy in points
    ]
    cdp = page.context.new_cdp_session(page)
    x, y = screen[0]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]},
    )
    for x, y in screen[1:]:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_sign_consent_with_a_finger_then_the_chart(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    chart_map: FaceMap,
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    patient_id = register(
        page, e2e_server, consent=False, mrn="E2E-CONSENT-1", given_name="Maya"
    )

    # Signing the chart without consent is refused, and the chart says why.
    session_id = open_session(page, e2e_server, patient_id, lot="K7001")
    touch(page, *reference(chart_map, "mentalis", "left"))
    expect(page.locator("#site-list > li.site-row")).to_have_count(1)
    page.get_by_role("button", name="Review and sign").click()
    for reason in page.locator("[data-reason-for]:visible").all():
        reason.fill("Discussed with the patient.")
    page.get_by_role("button", name="Sign session").click()
    error = page.locator("#sign-error")
    expect(error).to_contain_text("has not signed the treatment consent form")
    expect(page.locator("#status-badge")).to_have_text("Draft")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "consent-chart-refused.png"))

    # The consent overview, then the form handed to the patient.
    page.goto(f"{e2e_server.url}/patients/{patient_id}/consent")
    expect(page.locator("#state-treatment")).to_contain_text("Needed")
    assert axe_violations(page) == []
    page.get_by_role(
        "link", name="Hand the tablet to the patient to sign"
    ).first.click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("botulinum toxin"))
    ).to_be_visible()
    expect(page.locator(".consent-text")).to_contain_text("difficulty swallowing")
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "consent-sign-top.png"))
    name = page.get_by_role("textbox", name=re.compile("^Your name"))
    expect(name).to_have_value("Maya Lindqvist")
    page.locator("canvas.signature-pad").scroll_into_view_if_needed()
    draw_with_finger(
        page,
        [
            (0.1, 0.7),
            (0.2, 0.3),
            (0.3, 0.7),
            (0.4, 0.3),
            (0.5, 0.7),
            (0.7, 0.5),
            (0.9, 0.6),
        ],
    )
    expect(page.locator("[data-signature-status]")).to_contain_text("Signature drawn")
    strokes = page.locator("input[name=strokes]").input_value()
    assert strokes.startswith("[[[")
    page.screenshot(path=str(ARTIFACTS / "consent-sign-drawn.png"))
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", name="Signed")).to_be_visible()
    expect(page.locator(".signature-box svg path")).to_have_count(1)
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "consent-signed.png"), full_page=True)

    # The PDF copy: version, name and time (the clinic's clock) read back.
    with live_session(e2e_server) as session:
        record = session.exec(
            select(ConsentRecord).order_by(col(ConsentRecord.id).desc())
        ).first()
        assert record is not None
        assert record.method == "drawn"
        assert record.strokes
        record_id, signed_at = record.id, record.signed_at
    pdf = page.request.get(f"{e2e_server.url}/consent/{record_id}/consent.pdf")
    assert pdf.status == 200
    target = ARTIFACTS / "consent-copy.pdf"
    target.write_bytes(pdf.body())
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Form version 1" in text.replace("\n", " ")
    assert "Maya Lindqvist" in text
    local = signed_at.astimezone(ZoneInfo("Europe/London"))
    assert f"{local.day} {local:%b %Y, %H:%M}" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(target), str(ARTIFACTS / "consent-copy")],
        check=True,
    )

    # Now the chart signs.
    page.goto(f"{e2e_server.url}/sessions/{session_id}")
    page.get_by_role("button", name="Review and sign").click()
    for reason in page.locator("[data-reason-for]:visible").all():
        reason.fill("Discussed with the patient.")
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")

    # The overview: valid, with the signature in the history; on a phone too.
    page.goto(f"{e2e_server.url}/patients/{patient_id}/consent")
    expect(page.locator("#state-treatment")).to_contain_text("Valid")
    page.screenshot(path=str(ARTIFACTS / "consent-overview.png"), full_page=True)
    # The pad's state on its own: points clamped to the box, near repeats dropped.
    state = page.evaluate(STROKES_UNIT)
    assert state == {
        "strokes": [[[0, 10], [600, 200]]],
        "points": 2,
        "json": "[[[0,10],[600,200]]]",
        "cleared": "",
    }
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "consent-overview-phone.png"))

    assert expected(page_problems.all(), *refused_400("sign")) == []


def test_consent_forms_settings_have_no_axe_violations(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    add_login(
        e2e_server,
        email=ADMIN_EMAIL,
        name="Ada Admin",
        role="admin",
        password=ADMIN_PASSWORD,
    )
    page = chromium_page
    log_in(page, e2e_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{e2e_server.url}/settings/consent-forms/")
    expect(page.get_by_role("heading", level=1, name="Consent forms")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "consent-settings.png"))
    body = page.locator("#body-photography")
    body.fill(body.input_value() + "\n\nWe never use photographs in adverts.")
    page.get_by_role("button", name="Save as version 2").nth(1).click()
    expect(page.locator(".flash-success")).to_contain_text("version 2")
    expect(page.locator("#form-photography")).to_contain_text("Version 1")
    assert page_problems.all() == []
