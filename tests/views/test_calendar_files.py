"""The .ics download and the private feed parse back with the right times."""

import re
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select

from planner.models import Appointment
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models import User
from planner.services.audit import Actor
from planner.services.calendar_files import renew_feed_token
from tests.factories import make_appointment

# The audit guard (tests/audit_guard.py) still checks every other table here.
pytestmark = pytest.mark.audit_exempt(
    "stores booked and proposed appointments directly",
    tables=["appointment"],
)


@pytest.fixture
def booked(session, make_patient, make_user):
    clinician = make_user(Role.INJECTOR, name="Dr Feed")
    patient = make_patient(given_name="Harriet", family_name="Quill", mrn="Q-77")
    summer = make_appointment(
        session,
        patient.id,
        datetime(2099, 7, 14, 8, 30, tzinfo=UTC),  # 09:30 in London (BST)
        clinician_id=clinician.id,
    )
    winter = make_appointment(
        session,
        patient.id,
        datetime(2099, 12, 1, 9, 30, tzinfo=UTC),  # 09:30 in London (GMT)
        minutes=30,
        clinician_id=clinician.id,
        kind="treatment",
    )
    return clinician, summer, winter


def events(body):
    calendar = Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def test_one_appointment_downloads_with_zone_and_utc_right(booked, login_as):
    _, summer, _ = booked
    response = login_as(Role.STAFF).get(f"/appointments/{summer.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = events(response.data)
    start = event.decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2099, 7, 14, 8, 30, tzinfo=UTC)
    assert start.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "09:30"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert "Q-77" in str(event["SUMMARY"])
    assert "Quill" not in response.get_data(as_text=True)
    assert "Harriet" not in response.get_data(as_text=True)


def test_feed_needs_its_token_and_holds_both_seasons(booked, session, client):
    clinician, summer, winter = booked
    token = renew_feed_token(
        session, Actor(clinician.id, clinician.email), clinician.id
    )
    assert client.get("/calendar/not-the-token.ics").status_code == 404
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    found = {str(e["UID"]): e for e in events(response.data)}
    assert set(found) == {
        f"appointment-{summer.id}@localhost",
        f"appointment-{winter.id}@localhost",
    }
    for appointment in (summer, winter):
        start = found[f"appointment-{appointment.id}@localhost"].decoded("DTSTART")
        assert start.astimezone(UTC) == appointment.starts_at
        assert start.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "09:30"
    # Renewing revokes the old address.
    renew_feed_token(session, Actor(clinician.id, clinician.email), clinician.id)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_renewing_the_feed_is_for_injectors_and_audited(login_as, session):
    injector = login_as(Role.INJECTOR)
    response = injector.post_form("/schedule/feed", {})
    assert response.status_code == 302
    users = session.exec(select(User).where(User.feed_token_hash.is_not(None))).all()
    assert len(users) == 1
    assert login_as(Role.STAFF).post_form("/schedule/feed", {}).status_code == 403


def test_unbooked_appointment_has_no_calendar_file(login_as, session, make_patient):
    patient = make_patient()
    proposed = Appointment(
        patient_id=patient.id,
        kind="review",
        status="proposed",
        due_date=datetime(2099, 1, 1).date(),
    )
    session.add(proposed)
    session.commit()
    assert (
        login_as(Role.STAFF)
        .get(f"/appointments/{proposed.id}/calendar.ics")
        .status_code
        == 404
    )


def revoked_events(session, user_id):
    return session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "user", AuditEvent.entity_id == user_id
        )
    ).all()


def test_an_injector_revokes_their_feed_and_it_is_audited(login_as, session, client):
    injector = login_as(Role.INJECTOR)
    injector.post_form("/schedule/feed", {})
    # Only its digest is stored: the token is read off the message shown once.
    shown = injector.get("/schedule/week").get_data(as_text=True)
    (token,) = re.findall(r"/calendar/([\w-]+)\.ics", shown)
    user = session.exec(select(User).where(User.feed_token_hash.is_not(None))).one()
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    page = injector.get("/schedule/week").get_data(as_text=True)
    assert "Revoke calendar feed" in page
    response = injector.post_form("/schedule/feed/revoke", {})
    assert response.status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    session.expire_all()
    assert session.get(User, user.id).feed_token_hash is None
    (revoked,) = [
        e
        for e in revoked_events(session, user.id)
        if e.after == {"feed_token": "revoked"}
    ]
    assert revoked.action == AuditAction.UPDATE
    assert revoked.actor_id == user.id
    staff = login_as(Role.STAFF)
    assert "Revoke calendar feed" not in staff.get("/schedule/week").get_data(
        as_text=True
    )
    assert staff.post_form("/schedule/feed/revoke", {}).status_code == 403


def test_an_admin_revokes_a_clinicians_feed(login_as, make_user, session, client):
    clinician = make_user(Role.INJECTOR)
    token = renew_feed_token(
        session, Actor(clinician.id, clinician.email), clinician.id
    )
    admin = login_as(Role.ADMIN)
    edit = f"/settings/users/{clinician.id}/edit"
    assert "Revoke calendar feed" in admin.get(edit).get_data(as_text=True)
    response = admin.post_form(f"/settings/users/{clinician.id}/feed/revoke", {})
    assert response.status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert "Revoke calendar feed" not in admin.get(edit).get_data(as_text=True)
    (revoked,) = [
        e
        for e in revoked_events(session, clinician.id)
        if e.after == {"feed_token": "revoked"}
    ]
    assert session.get(User, revoked.actor_id).role == Role.ADMIN
    injector = login_as(Role.INJECTOR)
    assert (
        injector.post_form(
            f"/settings/users/{clinician.id}/feed/revoke", {}
        ).status_code
        == 403
    )
