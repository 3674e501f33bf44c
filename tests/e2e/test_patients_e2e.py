"""Register, correct, find and open a patient in real Chromium on a tablet."""

import re
from datetime import date
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LOGIN_PAGE
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import enter_logged_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GIVEN = "Ingrid"
FAMILY = "Quistgaard"
MRN = "E2E-0001/A"
BORN = date(1971, 5, 14)
# What has keyboard focus, as "TAG text".
FOCUSED = "(e => e.tagName + ' ' + e.textContent.trim())(document.activeElement)"


def log_in(page: Page, server: LiveServer) -> None:
    page.get_by_label("Email").fill(server.user.email)
    page.get_by_label("Password").fill(server.user.password)
    page.get_by_role("button", name="Log in").click()
    # Wait for the app's answer, so the caller's next navigation cannot abort it.
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))


def test_register_correct_find_and_open_a_patient(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page

    # Anyone not logged in lands on the login page, under the strict CSP.
    response = page.goto(e2e_server.url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()

    log_in(page, e2e_server)
    # An injector's home is today's clinic (issue 15); the patient list is a tap away.
    expect(page.get_by_role("heading", level=1, name="Today's clinic")).to_be_visible()
    expect(page.get_by_text(e2e_server.user.name)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Patients"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()

    page.get_by_role("link", name="Register a patient", exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name="Register a patient")
    ).to_be_visible()

    # Everything valid except a date of birth in the future.
    future = date.today() + timedelta(days=400)
    page.get_by_label("MRN").fill(MRN)
    page.get_by_label("Given name").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_label("Date of birth").fill(future.isoformat())
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Phone").fill("+44 (0)20 7946 0000")
    page.get_by_label("Cause of palsy").select_option(label="Bell's palsy")
    side = page.get_by_role("group", name="Affected side")
    side.get_by_label("Left", exact=True).check()
    page.get_by_label("Allergy to botulinum toxin").check()
    page.get_by_role("button", name="Register patient").click()

    # The error sits next to the field, is tied to it, and is summarised on top.
    birth = page.get_by_label("Date of birth")
    error = page.locator("#date_of_birth-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("cannot be in the future")
    expect(birth).to_have_attribute("aria-invalid", "true")
    expect(birth).to_have_attribute(
        "aria-describedby", re.compile("date_of_birth-error")
    )
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Please correct 1 field")
    expect(
        summary.get_by_role("link", name=re.compile("Date of birth"))
    ).to_have_attribute("href", "#date_of_birth")
    # Nothing typed is lost.
    expect(page.get_by_label("MRN")).to_have_value(MRN)
    expect(page.get_by_label("Family name")).to_have_value(FAMILY)
    expect(page.get_by_label("Cause of palsy")).to_have_value("bells")
    expect(side.get_by_label("Left", exact=True)).to_be_checked()
    expect(page.get_by_label("Allergy to botulinum toxin")).to_be_checked()
    # Other fields are not marked.
    expect(page.get_by_label("MRN")).not_to_have_attribute("aria-invalid", "true")

    birth.fill(BORN.isoformat())
    page.get_by_role("button", name="Register patient").click()

    expect(
        page.get_by_role("heading", level=1, name=f"{GIVEN} {FAMILY}")
    ).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The patient is registered")
    expect(page.get_by_text(f"MRN {MRN}")).to_be_visible()
    expect(page.get_by_text("Allergy to botulinum toxin")).to_be_visible()
    patient_url = page.url
    assert re.search(r"/patients/\d+$", patient_url), patient_url

    # Find the patient again from the list, by family name and by MRN.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Patients"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()
    search = page.get_by_role("searchbox", name="Search by name, MRN or date of birth")
    row_link = page.get_by_role("link", name=f"{FAMILY}, {GIVEN}")

    for term in (FAMILY, MRN.lower(), BORN.strftime("%d/%m/%Y")):
        search.fill(term)
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("of 1 patient matching")
        expect(search).to_have_value(term)
        rows = page.get_by_role("row").filter(has=row_link)
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(MRN)
        expect(rows).to_contain_text("Bell's palsy, left")

    search.fill(FAMILY)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(row_link).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-patients.png"), full_page=True)

    # A search that matches nobody says so and offers registration.
    search.fill("Zzyzx")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("No patients match")
    expect(row_link).to_have_count(0)

    page.go_back()
    expect(row_link).to_be_visible()
    row_link.click()
    expect(page).to_have_url(patient_url)
    expect(
        page.get_by_role("heading", level=1, name=f"{GIVEN} {FAMILY}")
    ).to_be_visible()

    assert page_problems.all() == []


def test_login_page_keyboard_order(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    page.goto(f"{e2e_server.url}/login")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()

    # The first Tab reaches the skip link, which then shows on screen.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Following it moves focus to the main content; the next Tab is the email.
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()

    # Without the skip link, only the header's links come before the email field.
    page.goto(f"{e2e_server.url}/login")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    passed: list[str] = []
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
        passed.append(page.evaluate(FOCUSED))
    expect(page.get_by_label("Email")).to_be_focused()
    assert passed[0] == "A Skip to main content", passed
    assert all(item.startswith("A ") for item in passed), passed

    # The whole login works from the keyboard.
    page.keyboard.type(e2e_server.user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(e2e_server.user.password)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()

    assert page_problems.all() == []


def test_a_login_that_has_ended_is_made_again_through_the_form(
    chromium_page: Page, e2e_server: LiveServer
) -> None:
    """The chart modules' tests enter with an earlier test's login cookies; one
    that no longer opens the app (logged out, ended by an admin) is replaced."""
    page = chromium_page
    ended = [{"name": "session", "value": "ended", "url": e2e_server.url}]
    e2e_server.login_cookies = ended
    enter_logged_in(page, e2e_server)
    assert not LOGIN_PAGE.search(page.url)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert e2e_server.login_cookies not in ([], ended)
