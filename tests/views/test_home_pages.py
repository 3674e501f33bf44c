"""Each role's landing page (issue 15, item 6): injectors and admins see today's
clinic, staff their worklist; every role reaches the patient list from the nav."""

import re
from datetime import timedelta

import pytest

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.models import Appointment
from planner.models import Role
from tests.browser_steps import open_draft
from tests.conftest import assert_shows
from tests.factories import ZONE

pytestmark = pytest.mark.audit_exempt("raw booking rows", tables=["appointment"])

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)", re.IGNORECASE)


def text(response):
    return response.get_data(as_text=True)


def _book_today(session, patient, kind="treatment"):
    now = utc_now()
    session.add(
        Appointment(
            patient_id=patient.id,
            kind=kind,
            status="booked",
            due_date=clinic_today(ZONE, now),
            starts_at=now,
            ends_at=now + timedelta(minutes=15),
        )
    )
    session.commit()


@pytest.fixture
def booked(session, make_patient, app):
    app.config["CLINIC_TIMEZONE"] = "Europe/London"
    waiting = make_patient(family_name="Waiting", given_name="Wendy")
    drafting = make_patient(family_name="Drafting", given_name="Dan")
    for patient in (waiting, drafting):
        _book_today(session, patient)
    return waiting, drafting


def test_an_injector_lands_on_todays_clinic_with_one_tap_into_each_chart(
    login_as, booked
):
    waiting, drafting = booked
    injector = login_as(Role.INJECTOR)
    session_id = open_draft(injector, drafting.id)
    response = injector.get("/")
    assert response.status_code == 200
    page = text(response)
    assert_shows(
        page,
        "<h1>Today's clinic</h1>",
        "Waiting, Wendy",
        "Drafting, Dan",
        "Not started",
        "chart-state-draft",
        f'href="/patients/{waiting.id}/sessions/new">Start chart',
        f'href="/sessions/{session_id}">Resume chart',
        'href="/patients/"',  # the patient list, from the nav and the page
        'aria-current="page">Today',
    )
    assert not INLINE_SCRIPT.search(page)


def test_staff_land_on_the_worklist_and_keep_the_patient_list(login_as, booked):
    staff = login_as(Role.STAFF)
    response = staff.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schedule/")
    page = text(staff.get("/schedule/"))
    assert 'href="/patients/"' in page
    assert ">Today<" not in page


def test_an_admin_sees_todays_clinic_without_charting(login_as, booked):
    waiting, _ = booked
    admin = login_as(Role.ADMIN)
    page = text(admin.get("/"))
    assert_shows(
        page,
        "<h1>Today's clinic</h1>",
        f'href="/patients/{waiting.id}">Open patient',
        'href="/patients/"',
    )
    assert "Start chart" not in page


def test_only_my_bookings_filters_by_the_signed_in_clinician(login_as, booked):
    injector = login_as(Role.INJECTOR)
    page = text(injector.get("/?mine=1"))
    assert_shows(page, "Nobody is booked today.", "Everyone's bookings")
