"""The diary link by email: when signed or given anew, and the weekly invitation.

Sent straight to the clinic's mail server, never through the reminder outbox:
the outbox keeps each message's body, and a body holding the link would keep a
working token at rest in plain text. Nothing here is stored but the audit event
(which names the link, never the address or the token). The token is re-derived
from the link's nonce and the app's key (``diary_tokens``) at the moment of
sending. A failed send is audited and reported; it never undoes the signing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import last_open_day
from planner.models import DiaryEntry
from planner.models import DiaryLink
from planner.models import Patient
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.diary_links import is_open
from planner.services.diary_links import record_link_update
from planner.services.diary_tokens import token_of
from planner.services.mail_server import SEND_ERRORS
from planner.services.schedule_settings import clinic_settings

# A labelled clinic setting (catalogue), UNSOURCED; 0 (the default) sends none.
INVITE_SETTING = ("diary_weekly_invite_days", 0)
# Sent while a page waits (signing, giving the link anew): not for long.
SEND_TIMEOUT_SECONDS = 10


class Mailer(Protocol):
    """Delivers one email; raises ``OSError`` or ``SMTPException`` on failure."""

    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class ClinicWords:
    """What every diary email says about the clinic."""

    name: str
    phone: str
    emergency_number: str


AddressOf = Callable[[str], str]


def link_email(first_name: str, url: str, until: str, clinic: ClinicWords) -> str:
    """Write the diary link's email in plain words, with no clinical details."""
    call = f" If anything worries you, call {clinic.phone}." if clinic.phone else ""
    return (
        f"Hello {first_name},\n\n"
        f"{clinic.name} has made you a private diary for your injections. "
        f"Open it on your phone:\n\n{url}\n\n"
        "Tell us the day it starts to work, any side effect at once, how your "
        "face is once a week, and the day it wears off. You do not need a "
        f"password. The link works until {until}, or until your next "
        "injections. Keep it private.\n\n"
        "If it is hard to swallow, speak or breathe, do not use the diary: "
        f"call {clinic.emergency_number} now.{call}\n"
    )


def invite_email(first_name: str, url: str, clinic: ClinicWords) -> str:
    """Write the weekly invitation: one question, the link, the emergency advice."""
    return (
        f"Hello {first_name},\n\n"
        "How is your face this week? Tell us in your diary. It takes a minute:"
        f"\n\n{url}/weekly\n\n"
        "If it is hard to swallow, speak or breathe, do not use the diary: "
        f"call {clinic.emergency_number} now. To stop these emails, tell "
        f"{clinic.name}.\n"
    )


def _send(
    session: Session,
    actor: Actor,
    mailer: Mailer,
    link: DiaryLink,
    *,
    to: str,
    subject: str,
    body: str,
    purpose: str,
) -> bool:
    """Send one email about a link and audit it (without address or token)."""
    try:
        mailer.send(to, subject, body)
    except SEND_ERRORS as exc:
        # The error's class only: its text may echo the patient's address.
        outcome: dict[str, object] = {"emailed": purpose, "error": type(exc).__name__}
        sent = False
    else:
        outcome, sent = {"emailed": purpose}, True
    record_link_update(session, actor, link, outcome)
    return sent


def email_diary_link(
    session: Session,
    actor: Actor,
    mailer: Mailer | None,
    session_id: int,
    *,
    key: bytes,
    address_of: AddressOf,
    clinic: ClinicWords,
    now: datetime,
    zone: ZoneInfo,
) -> bool | None:
    """Email the cycle's open diary link to the patient, and commit the audit.

    Returns None when there is nothing to send (no mail server, no address, no
    open or printable link), else whether the mail server took it.
    """
    if mailer is None:
        return None
    found = session.exec(
        select(DiaryLink, Patient)
        .join(Patient, col(Patient.id) == col(DiaryLink.patient_id))
        .where(DiaryLink.session_id == session_id)
    ).first()
    if found is None:
        return None
    link, patient = found
    token = token_of(key, link.token_nonce, link.token_hash)
    if not patient.email or token is None or not is_open(link, now):
        return None
    until = f"{last_open_day(link.expires_at, zone):%-d %B %Y}"
    sent = _send(
        session,
        actor,
        mailer,
        link,
        to=patient.email,
        subject="Your diary between visits",
        body=link_email(patient.given_name, address_of(token), until, clinic),
        purpose="diary link",
    )
    session.commit()
    return sent


def invite_weekly_checks(
    session: Session,
    mailer: Mailer,
    *,
    key: bytes,
    address_of: AddressOf,
    clinic: ClinicWords,
    now: datetime,
    actor: Actor = SYSTEM,
) -> int:
    """Email each patient with an open diary an invitation to the weekly check.

    Only when the clinic has set an interval (``diary_weekly_invite_days``), to
    patients with an email address, no more often than that interval since the
    link was given or last invited, and not when they did the weekly check in
    that time. Returns how many were sent. Each email's event (and the link's
    ``invited_at``) is committed straight after its own send.
    """
    key_name, default = INVITE_SETTING
    days = int(clinic_settings(session).get(key_name, default))
    if days <= 0:
        return 0
    since = now - timedelta(days=days)
    rows = session.exec(
        select(DiaryLink, Patient)
        .join(Patient, col(Patient.id) == col(DiaryLink.patient_id))
        .where(
            col(DiaryLink.ended_at).is_(None),
            col(DiaryLink.revoked_at).is_(None),
            col(DiaryLink.expires_at) > now,
            col(DiaryLink.issued_at) <= since,
            col(Patient.email).is_not(None),
        )
        .order_by(col(DiaryLink.id))
    ).all()
    checked = set(
        session.exec(
            select(DiaryEntry.link_id).where(
                DiaryEntry.kind == "weekly", col(DiaryEntry.entered_at) > since
            )
        ).all()
    )
    sent = 0
    for link, patient in rows:
        invited = link.invited_at is not None and link.invited_at > since
        token = token_of(key, link.token_nonce, link.token_hash)
        if invited or link.id in checked or token is None or not patient.email:
            continue
        if _send(
            session,
            actor,
            mailer,
            link,
            to=patient.email,
            subject="How is your face this week?",
            body=invite_email(patient.given_name, address_of(token), clinic),
            purpose="weekly check invitation",
        ):
            link.invited_at = now
            session.add(link)
            sent += 1
        # Each invitation is recorded as soon as it has gone: a run stopped
        # part-way never invites the same patient twice.
        session.commit()
    return sent
