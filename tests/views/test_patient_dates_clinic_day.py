"""A patient's birth and palsy onset are checked against the clinic's day.

A clinic east of UTC, a quarter of an hour after its midnight: the server's
(UTC) date is still yesterday. "Today" as the clinic knows it is accepted on
every path that registers or edits a patient (the form and the API); the day
after is refused as in the future. Dates of a patient concern no product.
"""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.db_types import utc_now
from planner.models import Patient
from planner.models import Role

# UTC+14 all year: at 10:15 UTC it is 00:15 on the next day there.
ZONE = "Pacific/Kiritimati"
FORM = {
    "given_name": "Mei",
    "family_name": "Tanaka",
    "date_of_birth": "1984-02-29",
    "sex": "female",
    "cause": "bells",
    "affected_side": "right",
}


@pytest.fixture
def clinic_day(app, monkeypatch):
    """Put the clinic in UTC+14 just after its midnight; return its day.

    The moment is on the server's own date (UTC), so the server's calendar
    says yesterday while the clinic's says today.
    """
    server_day = utc_now().date()
    moment = datetime.combine(server_day, time(10, 15), tzinfo=UTC)
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", ZONE)
    monkeypatch.setattr("planner.views.context.utc_now", lambda: moment)
    return server_day + timedelta(days=1)


def stored(session, mrn):
    session.expire_all()
    return session.exec(select(Patient).where(Patient.mrn == mrn)).one_or_none()


def test_the_form_accepts_the_clinics_today_and_refuses_tomorrow(
    login_as, session, clinic_day
):
    browser = login_as(Role.INJECTOR)
    today, tomorrow = clinic_day.isoformat(), (clinic_day + timedelta(1)).isoformat()
    created = browser.post_form(
        "/patients/", {**FORM, "mrn": "KI-1", "onset_date": today}
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    patient = stored(session, "KI-1")
    assert patient.onset_date == clinic_day

    # Edited: a baby born today, its palsy noticed today.
    edit = {**FORM, "mrn": "KI-1", "version": "1", "onset_date": today}
    edited = browser.post_form(
        f"/patients/{patient.id}", {**edit, "date_of_birth": today}
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)
    assert stored(session, "KI-1").date_of_birth == clinic_day

    refused = browser.post_form(
        "/patients/",
        {**FORM, "mrn": "KI-2", "date_of_birth": tomorrow, "onset_date": tomorrow},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="date_of_birth-error"' in page
    assert "cannot be in the future" in page
    assert stored(session, "KI-2") is None
    refused = browser.post_form(
        f"/patients/{patient.id}", {**edit, "version": "2", "onset_date": tomorrow}
    )
    assert refused.status_code == 400
    assert 'id="onset_date-error"' in refused.get_data(as_text=True)


def test_the_api_accepts_the_clinics_today_and_refuses_tomorrow(login_as, clinic_day):
    browser = login_as(Role.INJECTOR)
    today, tomorrow = clinic_day.isoformat(), (clinic_day + timedelta(1)).isoformat()
    body = {**FORM, "mrn": "KI-3", "onset_date": today}
    created = browser.api("POST", "/api/v1/patients", body)
    assert created.status_code == 201, created.json
    assert created.json["onset_date"] == today
    patient_id = created.json["id"]
    update = {**body, "version": 1, "date_of_birth": today}
    updated = browser.api("PUT", f"/api/v1/patients/{patient_id}", update)
    assert updated.status_code == 200, updated.json
    assert updated.json["date_of_birth"] == today

    refused = browser.api(
        "POST", "/api/v1/patients", {**FORM, "mrn": "KI-4", "onset_date": tomorrow}
    )
    assert refused.status_code == 400
    assert refused.json["fields"] == {"onset_date": "cannot be in the future"}
    refused = browser.api(
        "PUT",
        f"/api/v1/patients/{patient_id}",
        {**update, "version": 2, "date_of_birth": tomorrow, "onset_date": tomorrow},
    )
    assert refused.status_code == 400
    assert refused.json["fields"]["date_of_birth"] == "cannot be in the future"
