from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import func
from sqlmodel import select

from planner.models import Appointment
from planner.models import Patient
from planner.models import Role
from tests.conftest import assert_shows

FORM = {
    "mrn": "NEW-001",
    "given_name": "Mei",
    "family_name": "Tanaka",
    "date_of_birth": "1984-02-29",
    "sex": "female",
    "cause": "ramsay_hunt",
    "affected_side": "right",
    "onset_date": "2019-06-01",
    "breastfeeding": "true",
}

JULY_15 = date(2026, 7, 15)


def count(session):
    session.expire_all()
    return session.exec(select(func.count()).select_from(Patient)).one()


def test_register_a_patient_and_see_their_page(login_as, session):
    browser = login_as(Role.STAFF)
    response = browser.post_form("/patients/", FORM)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert_shows(
        page,
        "Mei Tanaka",
        "Ramsay Hunt syndrome",
        "Breastfeeding",
        "No treatments, appointments or assessments yet",
    )
    assert count(session) == 1


def test_bad_fields_are_shown_beside_each_field_and_nothing_is_saved(login_as, session):
    browser = login_as(Role.STAFF)
    response = browser.post_form(
        "/patients/", {**FORM, "mrn": "bad mrn", "date_of_birth": "2999-01-01"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_shows(
        page,
        'id="mrn-error"',
        'id="date_of_birth-error"',
        "Please correct 2 fields",
        'aria-invalid="true"',
    )
    # What was typed is kept so only the bad fields need retyping.
    assert 'value="Tanaka"' in page
    assert count(session) == 0


def test_edit_saves_and_a_stale_edit_is_refused(login_as, make_patient, session):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    form = browser.get(f"/patients/{patient.id}/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in form
    data = {**FORM, "mrn": patient.mrn, "version": "1", "notes": "first"}
    assert browser.post_form(f"/patients/{patient.id}", data).status_code == 302
    stale = browser.post_form(f"/patients/{patient.id}", {**data, "notes": "second"})
    assert stale.status_code == 409
    assert "Someone else saved this patient" in stale.get_data(as_text=True)
    session.expire_all()
    assert session.get(Patient, patient.id).notes == "first"


def test_list_searches_and_pages(login_as, make_patient, app):
    app.config["PAGE_SIZE"] = 2
    for name in ["Abbott", "Baker", "Carter"]:
        make_patient(family_name=name)
    browser = login_as(Role.STAFF)
    first = browser.get("/patients/").get_data(as_text=True)
    assert "Showing 1–2 of 3 patients" in first
    assert "Next page" in first
    second = browser.get("/patients/?page=2").get_data(as_text=True)
    assert "Carter" in second
    assert "Abbott" not in second
    found = browser.get("/patients/?q=bak").get_data(as_text=True)
    assert "Baker" in found
    assert "Carter" not in found
    none = browser.get("/patients/?q=zzz").get_data(as_text=True)
    assert "No patients match" in none
    # Not a page number: refused naming it (tests/views/test_query_choices.py).
    assert browser.get("/patients/?q=zzz&page=abc").status_code == 400


def test_missing_patient_is_a_404_page(login_as):
    response = login_as(Role.STAFF).get("/patients/424242")
    assert response.status_code == 404
    assert "There is no patient 424242" in response.get_data(as_text=True)


def test_markup_in_fields_is_shown_as_text(login_as, make_patient):
    patient = make_patient(notes="<script>alert(1)</script>", given_name="<b>Bo</b>")
    page = login_as(Role.STAFF).get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bo&lt;/b&gt;" in page


def test_ids_beyond_any_table_are_404_not_500(login_as):
    browser = login_as(Role.STAFF)
    for path in [
        "/patients/2147483648",
        "/patients/99999999999999999999",
        "/patients/0",
    ]:
        assert browser.get(path).status_code == 404, path
    assert browser.api("GET", "/api/v1/patients/9223372036854775808").status_code == 404


def test_head_of_login_page_is_not_a_login_attempt(client, session):
    from planner.models import AuditEvent

    assert client.head("/login").status_code == 200
    assert session.exec(select(AuditEvent)).all() == []


@pytest.mark.audit_exempt("stores an attended visit directly", tables=["appointment"])
def test_patient_page_dates_a_summer_night_by_the_clinic_calendar(
    login_as, make_patient, session
):
    patient = make_patient()
    visit = Appointment(
        patient_id=patient.id, kind="review", status="attended", due_date=JULY_15
    )
    # 00:30 on 15 July in London (BST) is 23:30 on 14 July in UTC.
    visit.starts_at = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    visit.ends_at = visit.starts_at + timedelta(minutes=20)
    session.add(visit)
    session.commit()
    page = login_as(Role.STAFF).get(f"/patients/{patient.id}").get_data(as_text=True)
    assert '<time datetime="2026-07-15">15 Jul 2026</time>' in page
