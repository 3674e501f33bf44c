"""A cancelled review marked "No rebooking needed" at the desk, in real Chromium.

Cancelled from the worklist, the review waits under "Cancelled, to rebook";
staff open "No rebooking needed…", give the reason (a 44 px target each), and
the row leaves the list; the patient's timeline shows it cancelled with the note.
"""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_patients_e2e import log_in
from tests.e2e.test_schedule_e2e import OPEN_WINDOWS
from tests.e2e.test_schedule_e2e import face_map  # noqa: F401  (module fixture)
from tests.e2e.test_schedule_e2e import sign_a_treatment
from tests.e2e.test_schedule_e2e import worklist_row

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CANCELLED = re.compile(r"^Cancelled, to rebook")
MRN = "E2E-NOREBOOK-1"
TARGET_PX = 44


def test_a_cancelled_review_marked_no_rebooking_leaves_the_worklist(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,  # noqa: F811
) -> None:
    page = chromium_page
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    patient_id = sign_a_treatment(
        page,
        e2e_server,
        face_map,
        lot="N1001",
        mrn=MRN,
        given_name="Maren",
        family_name="Lund",
    )

    page.get_by_role("link", name="Schedule", exact=True).click()
    review = worklist_row(page, OPEN_WINDOWS, MRN).filter(has_text="Review")
    review.locator("summary", has_text="Cancel").tap()
    review.get_by_label("Reason for cancelling").fill("Patient unwell")
    review.get_by_role("button", name="Cancel appointment").tap()
    expect(page.get_by_role("status")).to_contain_text("Marked cancelled.")

    row = worklist_row(page, CANCELLED, MRN)
    expect(row).to_have_count(1)
    summary = row.locator("summary", has_text="No rebooking needed")
    summary.tap()
    reason = row.get_by_label("Why no rebooking is needed")
    button = row.get_by_role("button", name="No rebooking needed")
    for target in (summary, reason, button):
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= TARGET_PX, (target, box)
    reason.fill("Reviewed by phone: no concerns.")
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "worklist-no-rebooking.png"), full_page=True)

    button.tap()
    expect(page.get_by_role("status")).to_contain_text("Marked: no rebooking needed.")
    expect(worklist_row(page, CANCELLED, MRN)).to_have_count(0)

    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    history = page.locator("details.cancelled-history")
    history.locator("summary").tap()
    expect(history).to_contain_text(
        "No rebooking needed: Reviewed by phone: no concerns."
    )
    expect(history.locator(".badge-cancelled")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "timeline-no-rebooking.png"), full_page=True)
