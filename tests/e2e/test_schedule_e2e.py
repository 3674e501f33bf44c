"""Follow-up at the desk: real Chromium on a tablet, the live server.

A signed treatment proposes a 2-week review and a re-treatment window; the review
is found on the worklist, booked, a double booking is refused with a message, a
back-to-back booking is accepted, and the review is marked attended.
"""

import os
import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import FACE_MAPS
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import register
from tests.e2e.chart_helpers import sign_with_reasons
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_patients_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The live app's zone: the built-in default unless the environment overrides it.
ZONE = ZoneInfo(os.environ.get("PLANNER_CLINIC_TIMEZONE", "Europe/London"))
OPEN_WINDOWS = re.compile(r"^Windows open or opening in 2 weeks, not booked")
DUE_THIS_WEEK = re.compile(r"^Due this week")


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def day(value: date) -> str:
    """A date as the app shows it: '5 Dec 2026'."""
    return f"{value.day} {value:%b %Y}"


def short_window(start: date, end: date) -> str:
    """A window as the worklist shows it: '13–19 Mar' or '28 Feb – 6 Mar'."""
    if start.year != end.year:
        return f"{day(start)} – {day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b}"
    return f"{start.day}–{end.day} {end:%b}"


def sign_a_treatment(
    page: Page, server: LiveServer, face_map: FaceMap, *, lot: str, **patient: str
) -> int:
    """Register a patient, chart one frontalis site and sign the session."""
    patient_id = register(page, server, **patient)
    open_session(page, server, patient_id, lot=lot)
    tap_sites(page, face_map, [("frontalis", "left")])
    sign_with_reasons(page)
    return patient_id


def section(page: Page, title: re.Pattern[str]) -> Locator:
    return page.locator("section.worklist-section").filter(
        has=page.get_by_role("heading", level=2, name=title)
    )


def worklist_row(page: Page, title: re.Pattern[str], mrn: str) -> Locator:
    return section(page, title).get_by_role("row").filter(has_text=f"MRN {mrn}")


def coming_up(page: Page, kind: str) -> Locator:
    card = page.locator("section.card").filter(
        has=page.get_by_role("heading", level=2, name="Coming up")
    )
    return card.get_by_role("listitem").filter(has_text=re.compile(f"^{kind}:"))


def book(page: Page, clinician: str, when: datetime, reason: str = "") -> None:
    """Fill the booking form and submit it."""
    page.get_by_role("combobox", name=re.compile("^Clinician")).select_option(
        label=clinician
    )
    page.get_by_label(re.compile("^Date and time")).fill(
        when.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label(re.compile("^Reason to book it anyway")).fill(reason)
    page.get_by_role("button", name="Book this time").click()


def test_sign_find_book_refuse_a_double_booking_and_mark_attended(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
) -> None:
    page = chromium_page
    clinician = e2e_server.user.name
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # Signing a treatment proposes the review (day 14 ± 3) and the next window.
    first_id = sign_a_treatment(
        page,
        e2e_server,
        face_map,
        lot="S1001",
        mrn="E2E-SCHED-1",
        given_name="Ingrid",
        family_name="Sandberg",
    )
    today = datetime.now(ZONE).date()
    due = today + timedelta(days=14)
    review_window = (today + timedelta(days=11), today + timedelta(days=17))

    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name="Follow-up worklist")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Schedule", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    review = worklist_row(page, OPEN_WINDOWS, "E2E-SCHED-1")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("Sandberg, Ingrid")
    expect(review).to_contain_text("Review")
    expect(review).to_contain_text(
        f"due {day(due)}, window {short_window(*review_window)}"
    )
    expect(review).to_contain_text("Not booked")

    # The re-treatment is further off: on the patient's page with its window.
    page.goto(f"{e2e_server.url}/patients/{first_id}")
    retreatment = coming_up(page, "Treatment")
    expect(retreatment).to_contain_text(
        f"window {day(today + timedelta(weeks=12))} – "
        f"{day(today + timedelta(weeks=16))}), not booked yet"
    )
    expect(retreatment.get_by_role("link", name=re.compile("^Book"))).to_be_visible()

    # One tap from the worklist to the booking page; a time inside the window.
    page.get_by_role("link", name="Schedule", exact=True).click()
    worklist_row(page, OPEN_WINDOWS, "E2E-SCHED-1").get_by_role(
        "link", name=re.compile(r"^Book\b")
    ).tap()
    expect(
        page.get_by_role("heading", level=1, name="Book: review for Ingrid Sandberg")
    ).to_be_visible()
    expect(page.locator(".subtitle")).to_contain_text(
        f"due {day(due)} · window {day(review_window[0])} – {day(review_window[1])}"
    )
    match = re.search(r"/appointments/(\d+)/book", page.url)
    assert match
    first_review = int(match.group(1))
    at_ten = datetime.combine(due, datetime.min.time()).replace(hour=10)
    book(page, clinician, at_ten)
    expect(page).to_have_url(re.compile(rf"/patients/{first_id}$"))
    expect(page.get_by_role("status")).to_contain_text("Booked.")
    booked = coming_up(page, "Review")
    expect(booked).to_contain_text(f"booked for {day(due)}, 10:00")
    expect(booked.get_by_role("link", name=re.compile("^Reschedule"))).to_be_visible()
    expect(
        booked.get_by_role("link", name=re.compile("^Add to calendar"))
    ).to_have_attribute("href", f"/appointments/{first_review}/calendar.ics")

    # The calendar file names the patient by MRN and initials, never by name.
    ics = page.request.get(f"{e2e_server.url}/appointments/{first_review}/calendar.ics")
    assert ics.ok, ics.text()
    assert ics.headers["content-type"].startswith("text/calendar")
    body = ics.text()
    assert "BEGIN:VEVENT" in body
    assert "E2E-SCHED-1" in body
    assert "Sandberg" not in body
    assert "Ingrid" not in body

    # A second patient's review at the same clinician and time is refused.
    second_id = sign_a_treatment(
        page,
        e2e_server,
        face_map,
        lot="S1002",
        mrn="E2E-SCHED-2",
        given_name="Oskar",
        family_name="Holm",
    )
    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(worklist_row(page, OPEN_WINDOWS, "E2E-SCHED-1")).to_have_count(0)
    second = worklist_row(page, OPEN_WINDOWS, "E2E-SCHED-2")
    expect(second).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "worklist-open.png"), full_page=True)
    second.get_by_role("link", name=re.compile(r"^Book\b")).tap()
    expect(
        page.get_by_role("heading", level=1, name="Book: review for Oskar Holm")
    ).to_be_visible()
    book(page, clinician, at_ten)
    expect(page.locator("#booking-message")).to_contain_text(
        f"Double booking: {clinician} already has an appointment at 10:00 "
        f"on {day(due)}."
    )
    when_field = page.get_by_label(re.compile("^Date and time"))
    expect(when_field).to_have_attribute("aria-invalid", "true")
    expect(when_field).to_have_value(at_ten.strftime("%Y-%m-%dT%H:%M"))
    expect(page.locator("#starts_at-error")).to_have_text(
        "Error: Date and time overlaps another booking"
    )
    expect(page.locator("#error-summary")).to_contain_text(
        "Date and time overlaps another booking"
    )
    page.screenshot(path=str(ARTIFACTS / "double-booking.png"), full_page=True)
    # Nothing changed: the second review is still unbooked.
    patient_page = page.request.get(f"{e2e_server.url}/patients/{second_id}")
    assert "not booked yet" in patient_page.text()

    # Back to back, fifteen minutes later, is fine.
    book(page, clinician, at_ten + timedelta(minutes=15))
    expect(page).to_have_url(re.compile(rf"/patients/{second_id}$"))
    expect(coming_up(page, "Review")).to_contain_text(f"booked for {day(due)}, 10:15")

    # The clinician's week shows both, in clinic time, in the right day.
    page.goto(f"{e2e_server.url}/schedule/week?start={due.isoformat()}")
    expect(
        page.get_by_role("heading", level=1, name=re.compile(f"{clinician}$"))
    ).to_be_visible()
    due_day = page.locator("li.week-day").filter(
        has=page.get_by_role("heading", level=2, name=re.compile(day(due)))
    )
    expect(due_day.locator("li.week-row")).to_have_count(2)
    expect(due_day.locator("li.week-row").first).to_contain_text("10:00")
    expect(due_day.locator("li.week-row").first).to_contain_text("Sandberg, Ingrid")
    expect(due_day.locator("li.week-row").last).to_contain_text("10:15")
    expect(due_day.locator("li.week-row").last).to_contain_text("Holm, Oskar")
    page.screenshot(path=str(ARTIFACTS / "week.png"), full_page=True)

    # The clinician's private feed holds the bookings, by MRN.
    page.get_by_role("button", name="Get my calendar feed address").click()
    address = re.search(r"https?://\S+\.ics", page.get_by_role("status").inner_text())
    assert address, page.get_by_role("status").inner_text()
    feed = page.request.get(address.group(0))
    assert feed.ok, feed.text()
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "E2E-SCHED-1" in feed.text()
    assert "E2E-SCHED-2" in feed.text()
    assert "Holm" not in feed.text()

    # The patient is seen early: moving the review into this week, outside its
    # window, needs a reason; then it is on the worklist, due this week.
    page.goto(f"{e2e_server.url}/patients/{first_id}")
    coming_up(page, "Review").get_by_role("link", name=re.compile("^Reschedule")).tap()
    expect(page.locator(".current-booking")).to_contain_text(
        f"Currently booked for {day(due)}, 10:00 with {clinician}"
    )
    now = datetime.now(ZONE).replace(tzinfo=None, second=0, microsecond=0)
    early = now.replace(minute=now.minute // 15 * 15)
    book(page, clinician, early)
    expect(page.get_by_role("alert").first).to_contain_text("This time needs a reason.")
    expect(page.locator("#starts_at-error")).to_contain_text(
        f"it is outside the window {day(review_window[0])} – {day(review_window[1])}"
    )
    book(page, clinician, early, reason="Patient asked to be seen early.")
    expect(page).to_have_url(re.compile(rf"/patients/{first_id}$"))

    # Filtered by the clinician, the review is due this week; mark it attended.
    page.get_by_role("link", name="Schedule", exact=True).click()
    page.get_by_label("Clinician").select_option(label=clinician)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]clinician=\d+"))
    for mrn in ("E2E-SCHED-1", "E2E-SCHED-2"):
        expect(worklist_row(page, OPEN_WINDOWS, mrn)).to_have_count(0)
    due_now = worklist_row(page, DUE_THIS_WEEK, "E2E-SCHED-1")
    expect(due_now).to_have_count(1)
    expect(due_now).to_contain_text(f"{day(today)}, {early:%H:%M}")
    expect(due_now).to_contain_text(f"with {clinician}")
    page.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)
    filtered = page.url
    due_now.get_by_role("button", name=re.compile("^Attended")).tap()
    expect(page.get_by_role("status")).to_contain_text("Marked attended.")
    assert page.url == filtered
    for title in (DUE_THIS_WEEK, OPEN_WINDOWS, re.compile("^Overdue")):
        expect(worklist_row(page, title, "E2E-SCHED-1")).to_have_count(0)
    page.goto(f"{e2e_server.url}/patients/{first_id}")
    expect(coming_up(page, "Review")).to_have_count(0)

    # The refused bookings were whole pages answered 400 and 409 on purpose; the
    # fixture expects a document's 4xx, so anything left is a real fault.
    assert page_problems.all() == []
