"""Every route against an explicit role table: each role gets exactly its share.

Anonymous requests are covered by ``tests/views/test_access.py``
(``test_every_route_needs_a_login_except_the_public_ones``): nothing but
login, /healthz, static files and the token-keyed calendar feed answers them.
This file checks the logged-in roles.
"""

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask import g
from sqlmodel import Session

from planner.access import PUBLIC_ENDPOINTS
from planner.access import allowed_roles
from planner.access import can
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from tests.conftest import Browser

ADMIN = frozenset({Role.ADMIN})
INJECTOR = frozenset({Role.INJECTOR})
EVERYONE = frozenset(Role)
PUBLIC = None  # no login needed (see PUBLIC_ENDPOINTS and test_access.py)

# What each endpoint SHOULD allow. Adding a route means classifying it here.
# Admins manage users and clinic settings; injectors chart, sign and record
# scores; staff handle patients and scheduling. Reading is open to every role.
ROLE_TABLE: dict[str, frozenset[Role] | None] = {
    # Public.
    "auth.login": PUBLIC,
    "health.healthz": PUBLIC,
    "static": PUBLIC,
    "schedule.feed": PUBLIC,  # calendar apps cannot log in: the token is the key
    # The patient's diary: no account, the link's token is the key (issue 20).
    "diary.home": PUBLIC,
    "diary.step": PUBLIC,
    "diary.revoke": frozenset({Role.ADMIN, Role.INJECTOR}),
    "diary.give_new": frozenset({Role.ADMIN, Role.INJECTOR}),
    "diary.handled": EVERYONE,
    # Recording a diary side effect as an adverse event is an injector's, as
    # recording any adverse event is.
    "diary.adverse_event_form": INJECTOR,
    # Every logged-in role.
    "auth.logout": EVERYONE,
    # The idle warning: asking is not activity, staying is (static/js/idle-warning.js).
    "auth.time_left": PUBLIC,
    "auth.stay_signed_in": EVERYONE,
    "home.index": EVERYONE,
    "api_docs.openapi_document": EVERYONE,
    "api.me": EVERYONE,
    # Patients: registration and demographics belong to everyone, staff included.
    "patients.index": EVERYONE,
    "patients.new": EVERYONE,
    "patients.create": EVERYONE,
    "patients.detail": EVERYONE,
    "patients.edit": EVERYONE,
    "patients.update": EVERYONE,
    # Toxin given elsewhere is a clinical flag the chair's checks read: injectors
    # and admins record it (issue 13 finding 12); everyone sees it.
    "patients.add_outside_toxin": frozenset({Role.ADMIN, Role.INJECTOR}),
    "patients.remove_outside_toxin": frozenset({Role.ADMIN, Role.INJECTOR}),
    # Therapy courses and procedures (issue 22): read by all on the patient page.
    "therapy.add_course": frozenset({Role.ADMIN, Role.INJECTOR}),
    "therapy.remove_course": frozenset({Role.ADMIN, Role.INJECTOR}),
    "therapy.update_course": frozenset({Role.ADMIN, Role.INJECTOR}),
    "therapy.add_procedure": frozenset({Role.ADMIN, Role.INJECTOR}),
    "therapy.remove_procedure": frozenset({Role.ADMIN, Role.INJECTOR}),
    "api.list_patients": EVERYONE,
    "api.create_patient": EVERYONE,
    "api.get_patient": EVERYONE,
    "api.update_patient": EVERYONE,
    # Scheduling.
    "schedule.worklist": EVERYONE,
    "schedule.week": EVERYONE,
    "schedule.book_form": EVERYONE,
    "schedule.book": EVERYONE,
    "schedule.set_status": EVERYONE,
    # Whoever may cancel may say a cancellation needs no rebooking.
    "schedule.no_rebooking": EVERYONE,
    "schedule.appointment_ics": EVERYONE,
    "schedule.reminder_outbox": EVERYONE,
    "schedule.reminder_sent": EVERYONE,
    "schedule.renew_feed": INJECTOR,  # the feed is the clinician's own calendar
    "schedule.revoke_feed": INJECTOR,
    # Charts: everyone may read; only injectors write, sign and amend.
    "sessions.chart": EVERYONE,
    "sessions.panels": EVERYONE,
    "chart_api.get_chart": EVERYONE,
    "sessions.new": INJECTOR,
    "sessions.create": INJECTOR,
    "sessions.hold_for_consent": INJECTOR,
    "sessions.amend": INJECTOR,
    "sessions.save_as_template": INJECTOR,
    "sessions.set_time": INJECTOR,
    "sessions.switch_vial": INJECTOR,
    "sessions.discard_form": INJECTOR,
    "sessions.discard": INJECTOR,
    "chart_api.add_site": INJECTOR,
    "chart_api.update_site": INJECTOR,
    "chart_api.delete_site": INJECTOR,
    "chart_api.copy_last": INJECTOR,
    "chart_api.apply_template": INJECTOR,
    "chart_api.preview_copy_last": INJECTOR,
    "chart_api.preview_template": INJECTOR,
    "chart_api.sign": INJECTOR,
    "chart_api.amend": INJECTOR,
    # Printing records is reading them (and is audited as PRINT).
    "reports.record_pdf": EVERYONE,
    "reports.handout_pdf": EVERYONE,
    "reports.comparison_pdf": EVERYONE,
    "reports_api.record_pdf": EVERYONE,
    "reports_api.handout_pdf": EVERYONE,
    "reports_api.comparison_pdf": EVERYONE,
    # Outcomes: reading for all, recording scores and adverse events for injectors.
    "outcomes.cycles": EVERYONE,
    "outcomes_api.cycles": EVERYONE,
    "outcomes.response_form": EVERYONE,
    "outcomes_api.preview_score": EVERYONE,  # computes a score, stores nothing
    "outcomes.new_assessment": INJECTOR,
    "outcomes.create_assessment": INJECTOR,
    "outcomes_api.record_assessment": INJECTOR,
    "outcomes.save_response": INJECTOR,
    "outcomes.add_adverse_event": INJECTOR,
    "outcomes.start_self_entry": INJECTOR,
    "outcomes.new_self_entry": INJECTOR,
    # The patient's kiosk: only reachable with kiosk state an injector started;
    # leaving it needs the injector's password.
    "outcomes.self_entry": EVERYONE,
    "outcomes.self_entry_answer": EVERYONE,
    "outcomes.self_entry_exit": EVERYONE,
    # Clinic settings.
    "settings.index": ADMIN,
    "settings.update": ADMIN,
    "settings.calendar": ADMIN,
    "settings.add_hours": ADMIN,
    "settings.delete_hours": ADMIN,
    "settings.add_closed_day": ADMIN,
    "settings.delete_closed_day": ADMIN,
    "settings.new_template": ADMIN,
    "settings.create_template": ADMIN,
    "settings.edit_template": ADMIN,
    "settings.update_template": ADMIN,
    "settings.delete_template": ADMIN,
    "settings.limits": ADMIN,
    "settings.limits_save": ADMIN,
    # Logins and roles: admins only.
    "users.index": ADMIN,
    "users.new": ADMIN,
    "users.create": ADMIN,
    "users.edit": ADMIN,
    "users.update": ADMIN,
    "users.deactivate": ADMIN,
    "users.reactivate": ADMIN,
    "users.reset_password": ADMIN,
    "users.unlock": ADMIN,
    "users.end_sessions": ADMIN,
    "users.end_session": ADMIN,
    "users.revoke_feed": ADMIN,
    "users.set_registration": ADMIN,
    # The research export: admins only; each download is audited as EXPORT.
    "exports.index": ADMIN,
    "exports.download": ADMIN,
    # FHIR: clinicians export one patient; only admins export everyone.
    "fhir.patient_bundle": frozenset({Role.ADMIN, Role.INJECTOR}),
    "fhir.all_bundles": ADMIN,
    # Photographs are clinical records: clinicians see them, injectors take and
    # mark them, staff never see them; only admins take the archive (hidden
    # photos included) or edit the clinic's standard views.
    "photos.index": frozenset({Role.ADMIN, Role.INJECTOR}),
    "photos.image": frozenset({Role.ADMIN, Role.INJECTOR}),
    "photos.compare": frozenset({Role.ADMIN, Role.INJECTOR}),
    "photos.record_consent": INJECTOR,
    "photos.capture": INJECTOR,
    "photos.upload": INJECTOR,
    "photos.mark": INJECTOR,
    "photos.save_marks": INJECTOR,
    "photos.archive": ADMIN,
    "photo_settings.index": ADMIN,
    "photo_settings.update": ADMIN,
    "photo_settings.create": ADMIN,
    # Consent: clinicians witness and record it; staff do not. Admins edit the forms.
    "consent.index": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.sign_form": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.sign": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.elsewhere": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.show": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.withdraw": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent.pdf": frozenset({Role.ADMIN, Role.INJECTOR}),
    "consent_settings.index": ADMIN,
    "consent_settings.update": ADMIN,
    # The audit trail: admins search it; no route changes it.
    "audit.index": ADMIN,
    # Vial stock: staff receive deliveries, injectors record waste; everyone reads
    # the stock and the report. A recall names patients: injectors and admins.
    "stock.index": EVERYONE,
    "stock.receive_form": frozenset({Role.STAFF}),
    "stock.receive": frozenset({Role.STAFF}),
    "stock.record_waste": INJECTOR,
    "stock.close_vial": INJECTOR,
    "stock.discard": INJECTOR,
    "stock.report": EVERYONE,
    "stock.report_csv": EVERYONE,
    "stock.recall": frozenset({Role.ADMIN, Role.INJECTOR}),
    "stock.recall_csv": frozenset({Role.ADMIN, Role.INJECTOR}),
    "stock.recall_letters": frozenset({Role.ADMIN, Role.INJECTOR}),
}

# In the table before the app registers them (the lead wires the audit blueprint).
NOT_YET_REGISTERED = {"audit.index"}

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def enforced_roles(app: Flask, endpoint: str) -> frozenset[Role] | None:
    """The roles the app lets through, read from the view (through any wrappers)."""
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    with app.app_context():
        return allowed_roles(endpoint)


def concrete_path(rule: Any, **values: int) -> str:
    def fill(match: re.Match[str]) -> str:
        return str(values.get(match.group(1), 1))

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", fill, rule.rule)


def methods(rule: Any) -> set[str]:
    return set(rule.methods or ()) - {"HEAD", "OPTIONS"}


def show(roles: frozenset[Role] | None) -> str:
    return "PUBLIC" if roles is None else "{" + ",".join(sorted(roles)) + "}"


def test_every_route_is_in_the_role_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ROLE_TABLE.keys())
    assert not missing, f"classify these routes in ROLE_TABLE: {missing}"
    stale = sorted(ROLE_TABLE.keys() - endpoints - NOT_YET_REGISTERED)
    assert not stale, f"ROLE_TABLE names routes that no longer exist: {stale}"


def test_public_endpoints_match_the_table(app: Flask) -> None:
    assert {e for e, roles in ROLE_TABLE.items() if roles is PUBLIC} == set(
        PUBLIC_ENDPOINTS
    )


def test_enforced_roles_match_the_table(app: Flask) -> None:
    wrong = {
        endpoint: f"table {show(ROLE_TABLE[endpoint])}, app {show(enforced)}"
        for endpoint in sorted(app.view_functions)
        if endpoint in ROLE_TABLE
        and (enforced := enforced_roles(app, endpoint)) != ROLE_TABLE[endpoint]
    }
    assert not wrong, wrong


@pytest.mark.parametrize("role", [*Role, None], ids=lambda r: r or "anonymous")
def test_can_agrees_with_the_table_and_the_decorators(
    app: Flask, role: Role | None
) -> None:
    """The templates' can() answers exactly as each view's decorator does."""
    user = (
        SimpleNamespace(is_authenticated=True, role=role)
        if role is not None
        else SimpleNamespace(is_authenticated=False)
    )
    wrong = {}
    with app.test_request_context():
        g._login_user = user
        for endpoint in sorted(app.view_functions):
            table = ROLE_TABLE[endpoint]
            enforced = enforced_roles(app, endpoint)
            if role is None:  # the login gate turns anonymous users away
                expected = table is PUBLIC
            else:
                expected = table is PUBLIC or role in table
                assert expected == (enforced is PUBLIC or role in enforced), endpoint
            if can(endpoint) != expected:
                wrong[endpoint] = f"table {show(table)}, can() {can(endpoint)}"
    assert not wrong, wrong


@pytest.fixture
def browsers(login_as: Callable[..., Browser]) -> dict[Role, Browser]:
    return {role: login_as(role) for role in Role}


def test_each_role_gets_exactly_its_pages(
    app: Flask,
    browsers: dict[Role, Browser],
    make_patient: Callable[..., Any],
) -> None:
    """GET every page without URL values, and the patient pages for a real patient."""
    patient = make_patient()
    checked = 0
    for rule in app.url_map.iter_rules():
        allowed = ROLE_TABLE.get(rule.endpoint)
        if allowed is PUBLIC or "GET" not in methods(rule):
            continue
        if rule.arguments and rule.arguments != {"patient_id"}:
            continue
        if rule.endpoint.endswith("pdf"):
            continue  # rendering a PDF per role is slow; the table check covers it
        path = concrete_path(rule, patient_id=patient.id)
        for role, browser in browsers.items():
            response = browser.get(path)
            status = response.status_code
            if role in allowed:
                assert status in (200, 302), (path, role.value, status)
            else:
                assert status == 403, (path, role.value, status)
            checked += 1
    assert checked >= 3 * 15


def test_disallowed_roles_cannot_change_anything(
    app: Flask, browsers: dict[Role, Browser]
) -> None:
    """Each role-restricted write, sent with a valid CSRF token, answers 403."""
    checked = 0
    for rule in app.url_map.iter_rules():
        allowed = ROLE_TABLE.get(rule.endpoint)
        if allowed is PUBLIC or allowed == EVERYONE:
            continue
        path = concrete_path(rule)
        for method in sorted(methods(rule) & STATE_CHANGING):
            for role, browser in browsers.items():
                if role in allowed:
                    continue
                if path.startswith("/api/"):
                    response = browser.api(method, path, json={})
                else:
                    response = browser.client.open(
                        path, method=method, data={"csrf_token": browser.token}
                    )
                assert response.status_code == 403, (path, method, role.value)
                checked += 1
    assert checked >= 40


# --- the audit page -------------------------------------------------------------


@pytest.fixture
def audit_app(app: Flask) -> Flask:
    """The app with the audit blueprint, registered here until the app does it."""
    if "audit.index" not in app.view_functions:
        from planner.views import audit

        app.register_blueprint(audit.bp)
    return app


def add_event(session: Session, **values: Any) -> AuditEvent:
    event = AuditEvent(
        **{
            "action": AuditAction.UPDATE,
            "entity_type": "patient",
            "actor_email": "a@example.org",
            **values,
        }
    )
    session.add(event)
    session.commit()
    return event


def test_audit_page_is_for_admins_only(
    audit_app: Flask, login_as: Callable[..., Browser]
) -> None:
    assert login_as(Role.ADMIN).get("/audit/").status_code == 200
    assert login_as(Role.INJECTOR).get("/audit/").status_code == 403
    assert login_as(Role.STAFF).get("/audit/").status_code == 403
    assert enforced_roles(audit_app, "audit.index") == ROLE_TABLE["audit.index"]
    rules = [
        r for r in audit_app.url_map.iter_rules() if r.endpoint.startswith("audit.")
    ]
    assert all(methods(r) == {"GET"} for r in rules), "the trail is append-only"


def test_audit_page_filters_and_escapes(
    audit_app: Flask, login_as: Callable[..., Browser], session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    add_event(
        session,
        patient_id=7,
        entity_id=7,
        before={"notes": "<script>alert(1)</script>"},
        after={"notes": "plain"},
        actor_email="Who@Example.org",
    )
    add_event(session, action=AuditAction.SIGN, entity_type="session", entity_id=3)
    page = admin.get("/audit/?actor_email=who@example.org").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "/patients/7" in page
    signed = admin.get("/audit/?action=sign").get_data(as_text=True)
    assert "session" in signed
    assert "Who@Example.org" not in signed


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-13-01", "since"),
        ("until=yesterday", "until"),
        ("patient_id=abc", "patient_id"),
        ("patient_id=-1", "patient_id"),
        ("page=0", "page"),
        ("size=100000", "size"),
        ("action=erase", "action"),
        ("since=2026-03-02&until=2026-03-01", "until"),
    ],
)
def test_audit_page_rejects_bad_filters(
    audit_app: Flask, login_as: Callable[..., Browser], query: str, field: str
) -> None:
    response = login_as(Role.ADMIN).get(f"/audit/?{query}")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)


def test_search_audit_newest_first_and_paged(session: Session) -> None:
    from planner.services.audit_search import search_audit

    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for minutes in range(5):
        add_event(session, at=start + timedelta(minutes=minutes), entity_id=minutes)
    first = search_audit(session, entity_type="patient", page=1, size=2)
    assert first.total >= 5
    assert [e.entity_id for e in first.items] == [4, 3]
    window = search_audit(
        session, since=start + timedelta(minutes=1), until=start + timedelta(minutes=3)
    )
    assert [e.entity_id for e in window.items] == [2, 1]
