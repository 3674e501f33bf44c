"""Reminders can invite the weekly check: a clinic setting, off by default."""

import re
import smtplib
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import DiaryLink
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services.audit import Actor
from planner.services.catalogue import DEFAULT_SETTINGS
from planner.services.diary_links import open_diary
from planner.services.diary_links import revoke_diary_link
from planner.services.diary_mail import ClinicWords
from planner.services.diary_mail import invite_weekly_checks
from planner.services.settings import update_setting
from tests.factories import CHIN_DOSES
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
CLINIC = ClinicWords("Face Clinic", "020 7946 0000", "999")
BASE = "https://planner.clinic.example"


class RecordingMailer:
    """The mailer double: keeps each message, or fails like a refused address."""

    def __init__(self, fail=False):
        self.sent = []
        self.fail = fail

    def send(self, to, subject, body):
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
        self.sent.append((to, subject, body))


@pytest.fixture
def every(session, make_user):
    """Set the invitation interval, as an admin does on the settings page."""

    def every(days):
        admin = make_user(Role.ADMIN)
        update_setting(
            session,
            Actor(admin.id, admin.email),
            "diary_weekly_invite_days",
            str(days),
            version=1,
        )

    return every


@pytest.fixture
def treated(session, injector, make_patient):
    def treated(product="botox", when=NOW - timedelta(days=8), **names):
        patient = make_patient(**names)
        sign_chin(
            session,
            injector,
            patient.id,
            when=when,
            product=product,
            lot_number=f"W{product[:2]}{patient.id}",
        )
        return patient

    return treated


def invite(session, mailer, now=NOW):
    return invite_weekly_checks(
        session,
        mailer,
        key=DIARY_KEY,
        address_of=lambda token: f"{BASE}/diary/{token}",
        clinic=CLINIC,
        now=now,
    )


def test_the_setting_is_labelled_and_off_by_default(session, treated):
    (setting,) = [s for s in DEFAULT_SETTINGS if s[0] == "diary_weekly_invite_days"]
    assert setting[1] == 0
    assert "weekly check" in setting[2]
    assert setting[4] is True  # unsourced: the clinic's choice
    treated(email="nia@example.org")
    mailer = RecordingMailer()
    assert invite(session, mailer) == 0
    assert mailer.sent == []


@pytest.mark.parametrize("product", sorted(CHIN_DOSES))
def test_an_open_diary_is_invited_once_per_interval(session, every, treated, product):
    every(7)
    treated(product, given_name="Nia", family_name="Quist", email="nia@example.org")
    mailer = RecordingMailer()
    assert invite(session, mailer) == 1
    ((to, subject, body),) = mailer.sent
    assert to == "nia@example.org"
    assert subject == "How is your face this week?"
    assert "Hello Nia" in body
    assert "Quist" not in body
    assert "call 999 now" in body
    token = re.search(rf"{BASE}/diary/([A-Za-z0-9_-]{{43}})/weekly", body).group(1)
    assert open_diary(session, token, client=None, now=NOW, zone=ZONE) is not None
    link = session.exec(select(DiaryLink)).one()
    assert link.invited_at == NOW
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "diary_link")
    ).all()
    assert any(e.after == {"emailed": "weekly check invitation"} for e in trail)
    assert token not in str([e.after for e in trail])
    assert invite(session, mailer, NOW + timedelta(days=6)) == 0
    assert invite(session, mailer, NOW + timedelta(days=7, hours=1)) == 1


def test_a_weekly_check_done_this_week_needs_no_invitation(session, every, treated):
    every(7)
    treated(email="nia@example.org")
    mailer = RecordingMailer()
    invite(session, mailer)
    token = re.search(r"/diary/([A-Za-z0-9_-]{43})/", mailer.sent[0][2]).group(1)
    later = NOW + timedelta(days=8)
    diary = open_diary(session, token, client=None, now=later, zone=ZONE)
    entries.record_weekly(session, diary, {"face": "same"}, client=None, now=later)
    assert invite(session, mailer, later + timedelta(hours=1)) == 0


def test_no_address_a_new_link_or_a_closed_link_gets_no_invitation(
    session, every, treated, injector
):
    every(7)
    treated(email=None)
    treated(email="new@example.org", when=NOW - timedelta(days=2))
    revoked = treated(email="gone@example.org")
    link = session.exec(
        select(DiaryLink).where(DiaryLink.patient_id == revoked.id)
    ).one()
    revoke_diary_link(session, injector, revoked.id, link.id, now=NOW)
    mailer = RecordingMailer()
    assert invite(session, mailer) == 0


def test_a_failed_invitation_is_audited_and_tried_again(session, every, treated):
    every(7)
    treated(email="nia@example.org")
    assert invite(session, RecordingMailer(fail=True)) == 0
    link = session.exec(select(DiaryLink)).one()
    assert link.invited_at is None
    failed = audit_events(session, "diary_link")[-1]
    assert failed.after["error"] == "SMTPRecipientsRefused"
    assert "nia@example.org" not in str(failed.after)
    assert invite(session, RecordingMailer()) == 1


def test_the_scheduled_command_sends_them_with_smtp_and_the_public_url(
    app, session, every, treated, monkeypatch
):
    from tests.views.test_diary_links_given import FakeSMTP

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    every(7)
    treated(email="nia@example.org", when=datetime.now(UTC) - timedelta(days=8))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert "weekly check" not in result.output  # no SMTP, no public address
    app.config.update(SMTP_HOST="mail.clinic.example", PUBLIC_URL=BASE + "/")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 patients invited to their diary's weekly check." in result.output
    (message,) = FakeSMTP.sent
    assert f"{BASE}/diary/" in message.get_content()
