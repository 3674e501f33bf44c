"""Issue 22: therapy courses and procedures on the patient page and its timeline."""

from sqlmodel import select

from planner.models import AuditEvent
from planner.models import Role
from planner.models.therapy import Procedure
from planner.models.therapy import TherapyCourse
from tests.browser_steps import open_draft
from tests.browser_steps import post_tap
from tests.conftest import assert_shows


def test_an_injector_records_a_course_and_a_procedure_and_sees_them(
    session, login_as, make_patient
):
    patient = make_patient(affected_side="left")
    browser = login_as(Role.INJECTOR)
    page = f"/patients/{patient.id}"
    answer = browser.post_form(
        f"{page}/therapy",
        {
            "course_kind": "nmrt",
            "course_started_on": "2026-03-01",
            "course_therapist": "Ann Therapist",
            "course_home_programme": "Small smiles in the mirror, twice a day.",
            "course_sessions_attended": "4",
        },
    )
    assert answer.status_code == 302
    answer = browser.post_form(
        f"{page}/procedures",
        {
            "procedure_kind": "selective_myectomy",
            "procedure_side": "left",
            "procedure_performed_on": "2026-02-02",
            "procedure_surgeon": "Ms Surgeon",
            "procedure_muscles": ["orbicularis_oculi_orbital"],
        },
    )
    assert answer.status_code == 302
    text = browser.get(page).get_data(as_text=True)
    assert_shows(
        text,
        "Neuromuscular retraining (NMRT)",
        "from 1 Mar 2026, ongoing",
        "Small smiles in the mirror",
        "Selective myectomy",
        "Orbicularis oculi, lateral orbital part",
        'class="entry entry-therapy"',
        'class="entry entry-procedure"',
    )
    events = session.exec(
        select(AuditEvent.entity_type).where(
            AuditEvent.entity_type.in_(["therapy_course", "procedure"])  # type: ignore[attr-defined]
        )
    ).all()
    assert sorted(events) == ["procedure", "therapy_course"]


def test_bad_input_is_named_field_by_field_and_nothing_is_saved(
    session, login_as, make_patient
):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    answer = browser.post_form(
        f"/patients/{patient.id}/therapy",
        {
            "course_kind": "nmrt",
            "course_started_on": "2026-03-01",
            "course_ended_on": "2026-02-01",
            "course_therapist": "",
            "course_sessions_attended": "-1",
        },
    )
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert_shows(
        text, 'id="course_therapist-error"', 'id="course_sessions_attended-error"'
    )
    answer = browser.post_form(
        f"/patients/{patient.id}/procedures",
        {
            "procedure_kind": "selective_neurolysis",
            "procedure_side": "left",
            "procedure_performed_on": "2999-01-01",
            "procedure_surgeon": "Ms Surgeon",
        },
    )
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert_shows(text, 'id="procedure_muscles-error"')
    answer = browser.post_form(
        f"/patients/{patient.id}/procedures",
        {
            "procedure_kind": "dao_excision",
            "procedure_side": "left",
            "procedure_performed_on": "2999-01-01",
            "procedure_surgeon": "Ms Surgeon",
            "procedure_muscles": ["not_a_muscle"],
        },
    )
    assert answer.status_code == 400
    assert session.exec(select(TherapyCourse)).all() == []
    assert session.exec(select(Procedure)).all() == []


def test_staff_read_but_do_not_record(login_as, make_patient):
    patient = make_patient()
    browser = login_as(Role.STAFF)
    text = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Facial therapy" in text
    assert "Record a procedure" not in text
    answer = browser.post_form(
        f"/patients/{patient.id}/therapy",
        {"course_kind": "nmrt", "course_started_on": "2026-03-01"},
    )
    assert answer.status_code == 403


def test_the_chart_api_refuses_an_excised_muscle_by_name_then_places_it_confirmed(
    login_as, make_patient
):
    patient = make_patient(affected_side="left")
    browser = login_as(Role.INJECTOR)
    browser.post_form(
        f"/patients/{patient.id}/procedures",
        {
            "procedure_kind": "dao_excision",
            "procedure_side": "left",
            "procedure_performed_on": "2026-02-02",
            "procedure_surgeon": "Ms Surgeon",
        },
    )
    session_id = open_draft(browser, patient.id)
    refused = post_tap(browser, session_id, "depressor_anguli_oris", "left", version=1)
    assert refused.status_code == 400
    assert "confirm_treated_muscle" in refused.json["fields"]
    assert refused.json["error"].startswith(
        "Nothing placed: the left depressor anguli oris was excised"
    )
    placed = post_tap(
        browser,
        session_id,
        "depressor_anguli_oris",
        "left",
        version=1,
        confirm_treated_muscle=True,
    )
    assert placed.status_code == 201
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    assert "site_on_treated_muscle" in {w["code"] for w in state["warnings"]}
    assert state["treated_muscles"][0]["muscle"] == "depressor_anguli_oris"


def test_an_ongoing_course_is_ended_from_the_page_and_audited(
    session, login_as, make_patient
):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    browser.post_form(
        f"/patients/{patient.id}/therapy",
        {
            "course_kind": "physiotherapy",
            "course_started_on": "2026-03-01",
            "course_therapist": "Ann Therapist",
        },
    )
    course = session.exec(select(TherapyCourse)).one()
    page = f"/patients/{patient.id}/therapy/{course.id}"
    refused = browser.post_form(page, {f"course_{course.id}_ended_on": "2026-01-01"})
    assert refused.status_code == 302
    session.refresh(course)
    assert course.ended_on is None
    browser.post_form(
        page,
        {
            f"course_{course.id}_ended_on": "2026-04-01",
            f"course_{course.id}_sessions_attended": "5",
        },
    )
    session.refresh(course)
    assert (course.ended_on.isoformat(), course.sessions_attended) == ("2026-04-01", 5)
    text = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "1 Mar 2026 – 1 Apr 2026" in text
    updates = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "therapy_course",
            AuditEvent.action == "update",
        )
    ).all()
    assert len(updates) == 1
    assert updates[0].before["ended_on"] is None
