"""Errors answer briefly and by field: double submits, huge bodies (issue 18, 8, 13)."""

from datetime import UTC
from datetime import datetime
from datetime import time

import pytest
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy.orm import Session as OrmSession
from werkzeug.datastructures import MultiDict

from planner.models import CycleResponse
from planner.models import Role
from planner.models import WorkingHours
from tests.views.test_read_audit import signed_cycle


@pytest.fixture
def twin_submit():
    """Make the next flush of a new row find its twin already saved.

    Stands in for the other of two identical submits, which passed the same
    checks a moment earlier and committed first.
    """
    armed = []

    def arm(model, values):
        table = model.__table__

        done = []

        def insert_twin(session, _context, _instances):
            if not done and any(isinstance(item, model) for item in session.new):
                done.append(True)
                session.connection().execute(insert(table).values(**values))

        event.listen(OrmSession, "before_flush", insert_twin)
        armed.append(insert_twin)

    yield arm
    for listener in armed:
        if event.contains(OrmSession, "before_flush", listener):
            event.remove(OrmSession, "before_flush", listener)


def page(response):
    return response.get_data(as_text=True)


@pytest.mark.audit_exempt(
    "the twin row stands in for another request's", tables=["working_hours"]
)
def test_a_double_submit_of_working_hours_is_a_409_naming_the_fields(
    app, login_as, make_user, twin_submit
):
    app.config["PROPAGATE_UNEXPECTED"] = False  # today's 500, as a client sees it
    clinician = make_user(Role.INJECTOR)
    admin = login_as(Role.ADMIN)
    twin_submit(
        WorkingHours,
        {
            "clinician_id": clinician.id,
            "weekday": 2,
            "starts": time(9),
            "ends": time(12),
            "version": 1,
        },
    )
    answer = admin.post_form(
        "/settings/calendar/hours",
        {
            "clinician_id": str(clinician.id),
            "weekday": "2",
            "starts": "09:00",
            "ends": "12:00",
        },
    )
    assert answer.status_code == 409
    body = page(answer)
    for name in ("clinician_id", "weekday", "starts"):
        assert f"<strong>{name}</strong>: is already saved" in body


@pytest.mark.audit_exempt(
    "the twin row stands in for another request's", tables=["cycle_response"]
)
def test_a_double_submit_of_a_cycles_first_response_is_a_409(
    app, login_as, session, make_patient, injector, twin_submit
):
    app.config["PROPAGATE_UNEXPECTED"] = False
    record = signed_cycle(session, make_patient().id, injector)
    browser = login_as(Role.INJECTOR)
    twin_submit(
        CycleResponse,
        {
            "session_id": record.id,
            "onset_days": 3,
            "recorded_by_id": injector.user_id,
            "recorded_at": datetime(2026, 11, 20, tzinfo=UTC),
            "version": 1,
        },
    )
    answer = browser.post_form(f"/sessions/{record.id}/response", {"onset_days": "3"})
    assert answer.status_code == 409
    assert "<strong>session_id</strong>: is already saved" in page(answer)


def test_an_answer_never_repeats_a_huge_field_name(login_as):
    browser = login_as(Role.STAFF)
    name = "n" * 1_000_000
    answer = browser.post_form("/patients/", {name: "x"})
    assert answer.status_code == 400
    assert len(answer.get_data()) < 100_000
    api = browser.api("POST", "/api/v1/patients", json={name: "x"})
    assert api.status_code == 400
    assert len(api.get_data()) < 10_000


def test_a_form_with_too_many_fields_is_refused_before_any_view(app, login_as):
    browser = login_as(Role.ADMIN)
    rows = [("muscle", "frontalis")] * (app.config["MAX_FORM_PARTS"] + 1)
    answer = browser.client.post(
        "/settings/templates/",
        data=MultiDict([*rows, ("csrf_token", browser.token)]),
    )
    assert answer.status_code == 413
    assert len(answer.get_data()) < 10_000
    assert "at most" in page(answer)


def test_a_body_past_the_size_limit_is_refused(app, login_as):
    browser = login_as(Role.STAFF)
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    answer = browser.post_form("/patients/", {"notes": too_big})
    assert answer.status_code == 413
    assert len(answer.get_data()) < 10_000
