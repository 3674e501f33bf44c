"""Reads of a patient's record are audited; the audit page says who read it (18, 15)."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner.db import get_engine
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import SYSTEM
from planner.services.calendar_files import renew_feed_token
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from planner.views import read_audit
from tests import factories
from tests.conftest import PASSWORD
from tests.conftest import Browser


def views(session, **where):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == "view")
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return session.exec(query.order_by(AuditEvent.id)).all()


def signed_cycle(session, patient_id, injector):
    """A signed full treatment of the patient, one site: a cycle to read."""
    return factories.make_treatment(
        session,
        injector,
        patient_id,
        [("mentalis", "left", 2.0)],
        when=datetime(2026, 11, 2, 10, tzinfo=UTC),
        sign=True,
    ).record


@pytest.fixture
def treated(session, make_patient, injector):
    patient = make_patient()
    return patient, signed_cycle(session, patient.id, injector)


@pytest.mark.parametrize(
    ("path", "entity_type", "what"),
    [
        ("/patients/{patient}", "patient", "patient page"),
        ("/patients/{patient}/edit", "patient", "patient edit form"),
        ("/patients/{patient}/cycles", "patient", "cycles page"),
        ("/api/v1/patients/{patient}", "patient", "API: patient"),
        ("/api/v1/patients/{patient}/cycles", "patient", "API: cycles"),
        ("/sessions/{session}", "treatment_session", "chart page"),
        ("/api/v1/sessions/{session}", "treatment_session", "API: chart"),
        ("/sessions/{session}/response", "treatment_session", "response page"),
    ],
)
def test_each_read_of_a_record_names_the_reader_and_the_patient(
    login_as, session, treated, path, entity_type, what
):
    patient, record = treated
    browser = login_as(Role.STAFF)
    read_by(browser, session, patient, record, path, entity_type, what)


@pytest.mark.parametrize(
    ("path", "entity_type", "what"),
    [
        ("/patients/{patient}/sessions/new", "patient", "new treatment form"),
        ("/patients/{patient}/assessments/new", "patient", "assessment form"),
        ("/patients/{patient}/consent", "patient", "consent page"),
        ("/patients/{patient}/photos", "patient", "photos page"),
        ("/patients/{patient}/photos/compare", "patient", "photo comparison"),
    ],
)
def test_an_injectors_pages_of_a_record_are_reads_too(
    login_as, session, treated, path, entity_type, what
):
    # These pages showed the patient's record without a VIEW event.
    patient, record = treated
    browser = login_as(Role.INJECTOR)
    read_by(browser, session, patient, record, path, entity_type, what)


def read_by(browser, session, patient, record, path, entity_type, what):
    answer = browser.get(path.format(patient=patient.id, session=record.id))
    assert answer.status_code == 200
    (event,) = views(session, patient_id=patient.id)
    assert (event.entity_type, event.after) == (entity_type, {"read": what})
    assert event.actor_email.startswith("user")
    assert event.remote_addr == "127.0.0.1"


def test_every_get_route_naming_a_record_is_read_audited_or_says_why_not(app):
    # A new page that shows a record cannot be added without deciding this.
    named = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.arguments
    }
    assert named - set(read_audit.RULES) - set(read_audit.NOT_READS) == set()
    assert set(read_audit.RULES) & set(read_audit.NOT_READS) == set()
    assert set(read_audit.RULES) <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_a_patient_list_and_the_schedule_pages_are_reads(login_as, session):
    # The HTML list and search showed names and birth dates unaudited, while the
    # API's search was audited.
    browser = login_as(Role.STAFF)
    for path, what in (
        ("/patients/?q=Smith", "patient list"),
        ("/schedule/", "worklist"),
        ("/schedule/week", "week of appointments"),
        ("/schedule/outbox", "reminder outbox"),
    ):
        assert browser.get(path).status_code == 200, path
        event = views(session)[-1]
        assert event.after == {"read": what}
        assert event.patient_id is None
        assert "Smith" not in repr(event)


def test_a_refused_or_missing_read_is_not_a_read(login_as, session):
    browser = login_as(Role.STAFF)
    before = views(session)
    assert browser.get("/patients/999999").status_code == 404
    assert views(session) == before


def test_a_patient_search_is_audited_without_what_was_searched(login_as, session):
    browser = login_as(Role.STAFF)
    browser.get("/api/v1/patients", query_string={"q": "Smith"})
    event = views(session)[-1]
    assert event.after == {"read": "API: patient search"}
    assert "Smith" not in repr(event)


@pytest.mark.audit_exempt("the booked appointment is a raw row", tables=["appointment"])
def test_calendar_files_and_the_feed_are_audited(
    client, login_as, session, make_patient, make_user
):
    patient = make_patient()
    clinician = make_user(Role.INJECTOR)
    appointment = factories.make_appointment(
        session,
        patient.id,
        datetime.now(UTC) + timedelta(days=2),
        clinician_id=clinician.id,
    )
    browser = login_as(Role.STAFF)
    assert (
        browser.get(f"/appointments/{appointment.id}/calendar.ics").status_code == 200
    )
    (ics,) = views(session, entity_type="appointment")
    assert (ics.entity_id, ics.patient_id) == (appointment.id, patient.id)
    token = renew_feed_token(session, SYSTEM, clinician.id)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    (feed,) = views(session, entity_type="calendar_feed")
    assert (feed.actor_id, feed.actor_email) == (clinician.id, clinician.email)
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert len(views(session, entity_type="calendar_feed")) == 1


def test_the_patients_audit_view_lists_who_read_the_record(
    app, login_as, session, treated
):
    patient, record = treated
    staff = login_as(Role.STAFF)
    staff.get(f"/patients/{patient.id}")
    staff.get(f"/sessions/{record.id}")
    injector = login_as(Role.INJECTOR)
    injector.get(f"/sessions/{record.id}/record.pdf")
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/audit/?patient_id={patient.id}").get_data(as_text=True)
    section = page[page.index('id="readers-title"') : page.index("result-count")]
    staff_email = views(session)[0].actor_email
    assert staff_email in section
    assert "<td>2</td>" in section  # the staff member's page and chart
    printed = session.exec(select(AuditEvent).where(AuditEvent.action == "print")).one()
    assert printed.actor_email in section
    other = admin.get("/audit/?patient_id=999").get_data(as_text=True)
    assert "Nobody has viewed, printed or exported this record." in other


def test_a_read_leaves_every_pooled_connection_waiting_for_the_disk(tmp_path):
    """Reads commit without fsync; the connection goes back at synchronous=FULL."""
    app = factories.make_app(f"sqlite:///{tmp_path / 'reads.db'}", check_schema=False)
    engine = get_engine(app)
    try:
        SQLModel.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            load_catalogue(session)
            user = create_user(
                session,
                SYSTEM,
                email="reader@example.org",
                name="Reader",
                role="staff",
                password=PASSWORD,
            )
            patient = factories.make_patient(session, SYSTEM, "READ1")
        browser = Browser(app.test_client())
        browser.login(user.email)
        for _ in range(3):
            assert browser.get(f"/patients/{patient.id}").status_code == 200
        pooled = [engine.connect() for _ in range(engine.pool.checkedin())]
        try:
            levels = {c.exec_driver_sql("PRAGMA synchronous").scalar() for c in pooled}
        finally:
            for connection in pooled:
                connection.close()
        assert levels == {2}  # FULL
        with Session(engine) as session:
            assert len(views(session, patient_id=patient.id)) == 3
    finally:
        engine.dispose()
