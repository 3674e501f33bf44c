"""The clinic's mail server as reminders and the diary's emails both send through it."""

import smtplib
from datetime import UTC
from datetime import datetime

import pytest

from planner.models import Reminder
from planner.services import reminders
from planner.services.mail_server import SEND_ERRORS
from planner.services.mail_server import SmtpMailer
from planner.services.mail_server import configured_mailer


class RecordingSMTP:
    """Stands in for ``smtplib.SMTP``: keeps each call, in order."""

    calls: list = []

    def __init__(self, host, port, timeout):
        RecordingSMTP.calls.append(("connect", host, port, timeout))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        RecordingSMTP.calls.append(("starttls",))

    def login(self, username, password):
        RecordingSMTP.calls.append(("login", username, password))

    def send_message(self, message):
        RecordingSMTP.calls.append(
            ("send", message["From"], message["To"], message["Subject"])
        )
        RecordingSMTP.calls.append(("body", message.get_content()))


@pytest.fixture
def smtp(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setattr(RecordingSMTP, "calls", [])
    return RecordingSMTP


def test_no_host_means_no_mailer():
    assert configured_mailer({}, timeout=10) is None
    assert configured_mailer({"SMTP_HOST": ""}, timeout=10) is None


def test_the_settings_name_the_server_with_defaults_for_port_and_sender():
    assert configured_mailer({"SMTP_HOST": "mail.example"}, timeout=20) == SmtpMailer(
        host="mail.example",
        port=587,
        sender="noreply@mail.example",
        username=None,
        password=None,
        timeout=20,
    )
    named = configured_mailer(
        {
            "SMTP_HOST": "mail.example",
            "SMTP_PORT": "2525",
            "SMTP_FROM": "clinic@example.org",
            "SMTP_USERNAME": "clinic",
            "SMTP_PASSWORD": "secret",
        },
        timeout=10,
    )
    assert named == SmtpMailer(
        "mail.example", 2525, "clinic@example.org", "clinic", "secret", 10
    )


def test_a_send_uses_tls_logs_in_only_with_a_username_and_keeps_its_timeout(smtp):
    SmtpMailer("mail.example", 587, "clinic@example.org", None, None, 10).send(
        "nia@example.org", "Subject", "Body"
    )
    assert smtp.calls == [
        ("connect", "mail.example", 587, 10),
        ("starttls",),
        ("send", "clinic@example.org", "nia@example.org", "Subject"),
        ("body", "Body\n"),
    ]
    smtp.calls.clear()
    SmtpMailer("mail.example", 587, "clinic@example.org", "clinic", "pw", 20).send(
        "nia@example.org", "Subject", "Body"
    )
    assert smtp.calls[:3] == [
        ("connect", "mail.example", 587, 20),
        ("starttls",),
        ("login", "clinic", "pw"),
    ]


def test_a_refused_address_is_a_send_error():
    refused = smtplib.SMTPRecipientsRefused({})
    assert isinstance(refused, SEND_ERRORS)
    assert isinstance(ConnectionRefusedError(), SEND_ERRORS)


def test_an_email_reminder_goes_to_its_recipient_with_its_body(smtp):
    mailer = SmtpMailer("mail.example", 587, "clinic@example.org", None, None, 20)
    reminder = Reminder(
        appointment_id=1,
        channel="email",
        recipient="nia@example.org",
        body="Hello Nia, this is a reminder.",
        due_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
    )
    sender = reminders.SmtpSender(mailer)
    assert sender.channels == frozenset({"email"})
    sender.send(reminder)
    assert smtp.calls == [
        ("connect", "mail.example", 587, 20),
        ("starttls",),
        ("send", "clinic@example.org", "nia@example.org", "Appointment reminder"),
        ("body", "Hello Nia, this is a reminder.\n"),
    ]
