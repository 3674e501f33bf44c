"""The report routes: PDF downloads named by MRN and date, one audit note each."""

import io
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.views import reports
from tests.services.test_reports import render_pdf_once

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def report_routes(app):
    """Register the report blueprints if create_app does not (yet) do so."""
    for blueprint in (reports.bp, reports.api_bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)


@pytest.fixture(autouse=True)
def each_report_rendered_once(monkeypatch):
    """Serve the PDF of HTML printed before again (as pdf_for does).

    The tests print the same three reports of the same data 18 times, to
    check the routes, their roles and their audit notes; each distinct report
    is rendered for real once.
    """
    monkeypatch.setattr(reports, "render_pdf", render_pdf_once)


@pytest.fixture
def signed(app, session):
    """Seed one demo patient; return them and their latest signed session."""
    seed_demo(get_engine(app), patients=1, cycles=3, seed=4, now=NOW)
    patient = session.exec(select(Patient)).one()
    record = session.exec(
        select(TreatmentSession)
        .where(TreatmentSession.status == SessionStatus.SIGNED)
        .order_by(col(TreatmentSession.performed_at).desc())
    ).first()
    return patient, record


def paths(patient, record):
    return {
        "record": f"/sessions/{record.id}/record.pdf",
        "handout": f"/sessions/{record.id}/handout.pdf",
        "comparison": f"/patients/{patient.id}/comparison.pdf",
    }


@pytest.mark.parametrize("report", ["record", "handout", "comparison"])
def test_each_report_downloads_as_a_pdf_named_by_mrn_and_date(login_as, signed, report):
    patient, record = signed
    response = login_as(Role.STAFF).get(paths(patient, record)[report])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    day = (
        record.performed_at.astimezone(ZONE).date()
        if report != "comparison"
        else datetime.now(UTC).astimezone(ZONE).date()
    )
    kind = "cycles" if report == "comparison" else report
    assert disposition == (
        f'attachment; filename="{kind}-{patient.mrn}-{day.isoformat()}.pdf"'
    )
    assert patient.family_name not in disposition
    assert patient.given_name not in disposition
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.INJECTOR, Role.STAFF])
def test_every_role_can_print_and_each_print_is_audited(
    login_as, signed, session, role
):
    patient, record = signed
    browser = login_as(role)
    for path in paths(patient, record).values():
        assert browser.get(path).status_code == 200
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.PRINT)
        .order_by(col(AuditEvent.id))
    ).all()
    assert [(e.entity_type, e.entity_id, e.after["report"]) for e in events] == [
        ("treatment_session", record.id, "record"),
        ("treatment_session", record.id, "handout"),
        ("patient", patient.id, "comparison"),
    ]
    assert {e.patient_id for e in events} == {patient.id}
    assert {e.actor_email for e in events} == {events[0].actor_email}
    assert events[0].actor_email is not None


def test_the_comparison_prints_the_cycles_asked_for(login_as, signed, session):
    patient, _ = signed
    browser = login_as(Role.STAFF)
    path = f"/patients/{patient.id}/comparison.pdf"
    # Junk is refused naming cycle, and nothing is printed
    # (tests/views/test_query_choices.py).
    assert browser.get(path + "?cycle=1&cycle=abc").status_code == 400
    assert browser.get(path + "?cycle=1&cycle=3").status_code == 200
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.PRINT)
    ).one()
    assert event.after == {"report": "comparison", "cycles": [1, 3]}


def test_the_api_serves_the_same_pdfs_and_documents_them(login_as, signed):
    patient, record = signed
    browser = login_as(Role.STAFF)
    for path in paths(patient, record).values():
        response = browser.get("/api/v1" + path)
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
    document = browser.get("/api/openapi.json").json
    for path in (
        "/api/v1/sessions/{session_id}/record.pdf",
        "/api/v1/sessions/{session_id}/handout.pdf",
        "/api/v1/patients/{patient_id}/comparison.pdf",
    ):
        assert document["paths"][path]["get"]["tags"] == ["reports"]


def test_anonymous_callers_are_sent_to_log_in(client, signed, session):
    patient, record = signed
    for path in paths(patient, record).values():
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert client.get("/api/v1" + path).status_code == 401
    assert (
        session.exec(
            select(AuditEvent).where(AuditEvent.action == AuditAction.PRINT)
        ).all()
        == []
    )


def test_a_missing_session_or_patient_is_not_found(login_as, session):
    browser = login_as(Role.STAFF)
    assert browser.get("/sessions/999/record.pdf").status_code == 404
    assert browser.get("/sessions/999/handout.pdf").status_code == 404
    assert browser.get("/patients/999/comparison.pdf").status_code == 404
    assert browser.get("/api/v1/sessions/999/record.pdf").status_code == 404
    assert (
        session.exec(
            select(AuditEvent).where(AuditEvent.action == AuditAction.PRINT)
        ).all()
        == []
    )


def test_the_handout_is_tagged_the_record_archival_and_each_print_noted(
    login_as, signed, session
):
    patient, record = signed
    browser = login_as(Role.STAFF)
    found = {}
    for report in ("record", "handout"):
        response = browser.get(paths(patient, record)[report])
        with pikepdf.open(io.BytesIO(response.data)) as document:
            assert "/StructTreeRoot" in document.Root
            assert str(document.Root.Lang) == "en-GB"
            with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
                found[report] = (xmp.get("pdfaid:part"), xmp.get("pdfuaid:part"))
    assert found == {"record": ("2", None), "handout": (None, "1")}
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.PRINT)
        .order_by(col(AuditEvent.id))
    ).all()
    assert [e.after for e in events] == [
        {"report": "record", "status": "signed", "amended": False},
        # The demo's session was months ago: printing it now is a reprint.
        {"report": "handout", "status": "signed", "reprint": True},
    ]
