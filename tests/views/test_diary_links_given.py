"""Over HTTP: the handout prints without side effects, a new link is a POST, email."""

import re
import smtplib
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import DiaryLink
from planner.models import Reminder
from planner.models import Role
from planner.services.chart_state import chart_state
from planner.services.diary_reprint import printable_link
from tests.browser_steps import post_sign
from tests.factories import DIARY_KEY
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import ensure_consent
from tests.factories import make_treatment
from tests.factories import sign_chin
from tests.services.test_reports import page_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TOKEN_IN_TEXT = re.compile(r"/diary/([A-Za-z0-9_-]{43})")


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``: keeps what would have been sent."""

    sent: list = []
    fail = False

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, username, password):
        pass

    def send_message(self, message):
        if FakeSMTP.fail:
            raise smtplib.SMTPRecipientsRefused({})
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(FakeSMTP, "fail", False)
    app.config.update(SMTP_HOST="mail.clinic.example", SMTP_FROM="clinic@example.org")
    return FakeSMTP


def now():
    return datetime.now(UTC)


@pytest.fixture
def treated(session, injector, make_patient):
    def treated(product="botox", **names):
        patient = make_patient(**names)
        treatment = sign_chin(
            session,
            injector,
            patient.id,
            when=now() - timedelta(days=5),
            product=product,
            lot_number=f"G{product[:2]}{patient.id}",
        )
        return patient, treatment

    return treated


def printed_token(client, session_id, artifact=None):
    pdf = client.get(f"/sessions/{session_id}/handout.pdf").get_data()
    if artifact:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / artifact).write_bytes(pdf)  # for pdftoppm, by eye
    texts = page_texts(pdf)
    found = TOKEN_IN_TEXT.search(texts[-1].replace(" ", ""))
    return found.group(1) if found else None, texts


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_two_prints_of_the_handout_leave_the_first_link_working(
    session, client, login_as, treated, product
):
    _, treatment = treated(product)
    staff = login_as(Role.STAFF)
    first, _ = printed_token(staff, treatment.id)
    second, _ = printed_token(staff, treatment.id)
    assert first is not None
    assert first == second
    assert client.get(f"/diary/{first}").status_code == 200


def test_a_link_the_app_cannot_print_again_says_ask_the_clinic(
    session, login_as, treated, app
):
    _, treatment = treated()
    app.config["SECRET_KEY"] = "a rotated secret key"
    token, texts = printed_token(
        login_as(Role.STAFF), treatment.id, "diary-handout-ask.pdf"
    )
    assert token is None
    assert "Ask the clinic for your diary link" in " ".join(texts)


def test_injectors_give_a_new_link_and_the_old_one_stops(
    session, client, login_as, treated
):
    patient, treatment = treated()
    link = session.exec(select(DiaryLink)).one()
    injector = login_as(Role.INJECTOR)
    old, _ = printed_token(injector, treatment.id)
    detail = injector.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Give a new diary link" in detail
    assert "the old one stops working" in detail
    path = f"/patients/{patient.id}/diary-links/{link.id}/new"
    staff = login_as(Role.STAFF)
    assert "Give a new diary link" not in staff.get(f"/patients/{patient.id}").get_data(
        as_text=True
    )
    assert staff.post_form(path, {}).status_code == 403
    # No CSRF token, no new link.
    assert injector.client.post(path).status_code == 400
    assert client.get(f"/diary/{old}").status_code == 200
    given = injector.post_form(path, {}, follow_redirects=True)
    assert "the old one no longer opens" in given.get_data(as_text=True)
    assert client.get(f"/diary/{old}").status_code == 404
    new, _ = printed_token(injector, treatment.id)
    assert new not in (None, old)
    assert client.get(f"/diary/{new}").status_code == 200
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "diary_link")
    ).all()
    assert any("new link given" in str(event.after) for event in trail)


def test_a_closed_link_gets_no_new_one(session, login_as, treated):
    patient, _ = treated()
    link = session.exec(select(DiaryLink)).one()
    injector = login_as(Role.INJECTOR)
    injector.post_form(f"/patients/{patient.id}/diary-links/{link.id}/revoke", {})
    refused = injector.post_form(
        f"/patients/{patient.id}/diary-links/{link.id}/new", {}
    )
    assert refused.status_code == 409


def _sign_over_http(session, browser, injector, patient_id):
    when = now()
    treatment = make_treatment(
        session, injector, patient_id, [("mentalis", "left", 4)], when=when
    )
    ensure_consent(session, injector, treatment.id, when=when)
    warnings = chart_state(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=when
    ).warnings
    return treatment, post_sign(
        browser,
        treatment.id,
        version=treatment.version,
        reasons={w.key: "Agreed with the patient." for w in warnings},
    )


def test_signing_emails_the_link_when_smtp_is_set_up(
    session, client, injector, login_as, make_patient, smtp
):
    patient = make_patient(
        given_name="Nia", family_name="Quist", email="nia@example.org"
    )
    browser = login_as(Role.INJECTOR)
    treatment, signed = _sign_over_http(session, browser, injector, patient.id)
    assert signed.status_code == 200, signed.json
    (message,) = smtp.sent
    assert message["To"] == "nia@example.org"
    body = message.get_content()
    assert "Hello Nia" in body
    assert "Quist" not in body
    token = TOKEN_IN_TEXT.search(body).group(1)
    assert client.get(f"/diary/{token}").status_code == 200
    # The email is the handout's link, and nothing keeps it at rest.
    printed = printable_link(
        session, treatment.id, key=DIARY_KEY, now=now(), zone=ZONE
    ).printed
    assert printed.token == token
    assert session.exec(select(Reminder)).all() == []
    trail = session.exec(select(AuditEvent)).all()
    assert token not in str([(e.before, e.after) for e in trail])
    assert "nia@example.org" not in str(
        [e.after for e in trail if e.entity_type == "diary_link"]
    )
    assert any(e.after == {"emailed": "diary link"} for e in trail)


def test_no_smtp_or_no_address_sends_nothing_and_a_failure_keeps_the_signing(
    session, injector, login_as, make_patient, smtp, app
):
    browser = login_as(Role.INJECTOR)
    nameless = make_patient(email=None)
    _, signed = _sign_over_http(session, browser, injector, nameless.id)
    assert signed.status_code == 200
    assert smtp.sent == []
    smtp.fail = True
    patient = make_patient(email="ola@example.org")
    _, signed = _sign_over_http(session, browser, injector, patient.id)
    assert signed.status_code == 200
    assert signed.json["session"]["status"] == "signed"
    failed = audit_events(session, "diary_link")[-1]
    assert failed.after["error"] == "SMTPRecipientsRefused"
    smtp.fail = False
    app.config["SMTP_HOST"] = ""
    other = make_patient(email="ben@example.org")
    _, signed = _sign_over_http(session, browser, injector, other.id)
    assert signed.status_code == 200
    assert smtp.sent == []


def test_a_new_link_is_emailed_too(session, injector, login_as, treated, smtp):
    patient, _ = treated(email="kai@example.org")
    link = session.exec(select(DiaryLink)).one()
    given = login_as(Role.INJECTOR).post_form(
        f"/patients/{patient.id}/diary-links/{link.id}/new", {}, follow_redirects=True
    )
    assert "It is emailed to the patient too." in given.get_data(as_text=True)
    (message,) = smtp.sent
    assert message["Subject"] == "Your diary between visits"
