"""Toxin given elsewhere recorded on the patient page, and a staff login's read-only
clinical flags, in real Chromium on a tablet (issue 13 findings 8 and 12)."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services.audit import SYSTEM
from planner.services.patients import create_patient
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import add_login
from tests.e2e.live_db import live_session

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STAFF_EMAIL = "e2e.staff.flags@example.org"
STAFF_PASSWORD = "front desk password 2024"


def seed(server: LiveServer) -> int:
    """Register a flagged patient and a staff login; return the patient's id."""
    add_login(
        server,
        email=STAFF_EMAIL,
        name="Sam Staff",
        role="staff",
        password=STAFF_PASSWORD,
    )
    with live_session(server) as session:
        patient = create_patient(
            session,
            SYSTEM,
            {
                "mrn": "E2E-FLAGS-1",
                "given_name": "Oona",
                "family_name": "Flagg",
                "date_of_birth": "1980-03-03",
                "cause": "bells",
                "affected_side": "right",
                "toxin_allergy": True,
            },
        )
        assert patient.id is not None
        return patient.id


def test_toxin_given_elsewhere_and_read_only_flags_for_staff(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    patient_id = seed(e2e_server)
    log_in(page, e2e_server, e2e_server.user.email, e2e_server.user.password)
    page.goto(f"{e2e_server.url}/patients/{patient_id}")

    card = page.locator("#outside-toxin")
    expect(
        card.get_by_role("heading", name="Botulinum toxin given elsewhere")
    ).to_be_visible()
    expect(card.get_by_text("None recorded.")).to_be_visible()

    # A unit slip is refused beside its field, and what was typed stays.
    card.get_by_label("Date given").fill("2026-11-03")
    card.get_by_label("Product").select_option(label="Dysport, U (Speywood)")
    card.get_by_label("Units").fill("0")
    card.get_by_label("Indication").fill("Glabellar lines")
    card.get_by_label("Where").fill("City Skin Clinic")
    card.get_by_role("button", name="Record toxin given elsewhere").click()
    expect(page.locator("#units-error")).to_contain_text("greater than 0")
    expect(page.get_by_label("Indication")).to_have_value("Glabellar lines")

    page.get_by_label("Units").fill("300")
    page.get_by_role("button", name="Record toxin given elsewhere").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Toxin given elsewhere is recorded"
    )
    row = page.locator("#outside-toxin").get_by_role("row").filter(has_text="Dysport")
    expect(row).to_contain_text("3 Nov 2026")
    expect(row).to_contain_text("300 U (Speywood)")
    expect(row).to_contain_text("City Skin Clinic")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-outside-toxin.png"), full_page=True)

    # Staff see the record and the flags, and can change neither.
    page.context.clear_cookies()
    log_in(page, e2e_server, STAFF_EMAIL, STAFF_PASSWORD)
    page.goto(f"{e2e_server.url}/patients/{patient_id}")
    expect(page.locator("#outside-toxin")).to_contain_text("300 U (Speywood)")
    expect(
        page.get_by_role("button", name="Record toxin given elsewhere")
    ).to_have_count(0)
    page.goto(f"{e2e_server.url}/patients/{patient_id}/edit")
    flags = page.locator("#clinical-flags")
    expect(flags).to_contain_text("Only an injector or an admin can change them.")
    expect(flags).to_contain_text("Allergy to botulinum toxin")
    expect(flags.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    page.get_by_label("Phone").fill("+44 20 7946 0003")
    page.screenshot(path=str(ARTIFACTS / "e2e-flags-staff.png"), full_page=True)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes saved")
    expect(page.get_by_text("Allergy to botulinum toxin")).to_be_visible()
    assert page_problems.all() == []
