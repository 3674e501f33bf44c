"""The diary link: issued when a treatment is signed, opened by its token alone.

The token has 256 bits (``planner.services.diary_tokens``: derived from a stored
random nonce and the app's key, so the app can print it again) and only its
SHA-256 is stored, as for login sessions. It is found by its hash (an indexed,
unique column, so the lookup's time says nothing about the token) and then
compared in constant time. Every refusal (no such token, expired, ended by the
next treatment, revoked, malformed) is the same ``None``, so the page cannot
tell a caller which it was. Failed tokens are counted per client in the login
throttle table (scope ``diary``): after ``FREE_FAILURES`` a client waits,
doubling up to ``LONGEST_WAIT``, before any diary token is checked again.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy import select as select_core
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import last_open_day
from planner.clinic_time import local_day
from planner.clinic_time import open_through
from planner.models import AuditAction
from planner.models import DiaryEntry
from planner.models import DiaryLink
from planner.models import LoginThrottle
from planner.models import Patient
from planner.models import SessionKind
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import write_event
from planner.services.diary_tokens import fresh_token
from planner.services.diary_tokens import token_digest
from planner.services.login_throttle import RESET_AFTER
from planner.services.login_throttle import count_failure
from planner.services.login_throttle import delay_after
from planner.services.login_throttle import digest
from planner.services.lookup import get_patients_row
from planner.services.schedule_settings import clinic_settings

# token_urlsafe(32) is 43 characters; anything not shaped like one is refused
# before the database is asked.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
# A labelled clinic setting (catalogue), UNSOURCED: a cycle lasts 3-4 months and
# the next treatment ends the link sooner.
EXPIRY_SETTING = ("diary_link_weeks", 26)
FREE_FAILURES = 10
LONGEST_WAIT = timedelta(minutes=15)
_THROTTLE: Table = LoginThrottle.__table__  # type: ignore[attr-defined]  # set by SQLModel


def diary_actor(link_id: int, client: str | None) -> Actor:
    """Name the diary link, not a user, as the actor of what the patient does."""
    return Actor(
        user_id=None, email=f"patient diary link {link_id}", remote_addr=client
    )


def link_weeks(session: Session) -> int:
    key, default = EXPIRY_SETTING
    return int(clinic_settings(session).get(key, default))


def link_expiry(signed_at: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    """Return when a link signed at ``signed_at`` closes: it stays open through
    the whole clinic day ``weeks`` after the signing's clinic day (the day the
    handout and the diary name), until that day's clinic midnight."""
    return open_through(local_day(signed_at, zone) + timedelta(weeks=weeks), zone)


def record_link_update(
    session: Session, actor: Actor, link: DiaryLink, after: dict[str, Any]
) -> None:
    """Audit a change to a diary link (ended, revoked, new token, emailed)."""
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "diary_link",
        link.id,
        patient_id=link.patient_id,
        after=after,
    )


def mark_entry_handled(
    session: Session,
    actor: Actor,
    entry: DiaryEntry,
    now: datetime,
    *,
    reason: str | None = None,
) -> None:
    """Mark a diary entry dealt with, and audit it; the caller commits."""
    entry.handled_at = now
    entry.handled_by_id = actor.user_id
    session.add(entry)
    after = {"handled_at": now.isoformat()}
    if reason is not None:
        after["reason"] = reason
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "diary_entry",
        entry.id,
        patient_id=entry.patient_id,
        after=after,
    )


def _end_open_links(
    session: Session, actor: Actor, patient_id: int, now: datetime
) -> None:
    """The next signed treatment ends the patient's earlier links."""
    open_links = session.exec(
        select(DiaryLink).where(
            DiaryLink.patient_id == patient_id,
            col(DiaryLink.ended_at).is_(None),
            col(DiaryLink.revoked_at).is_(None),
            col(DiaryLink.expires_at) > now,
        )
    ).all()
    # A wear-off waiting to be booked is settled by this treatment.
    waiting = session.exec(
        select(DiaryEntry).where(
            DiaryEntry.patient_id == patient_id,
            DiaryEntry.kind == "wear_off",
            col(DiaryEntry.handled_at).is_(None),
        )
    ).all()
    for entry in waiting:
        mark_entry_handled(session, actor, entry, now, reason="next treatment signed")
    for link in open_links:
        link.ended_at = now
        session.add(link)
        record_link_update(
            session,
            actor,
            link,
            {"ended_at": now.isoformat(), "reason": "next treatment signed"},
        )


def issue_diary_link(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    *,
    now: datetime,
    zone: ZoneInfo,
    key: bytes | None = None,
) -> str | None:
    """Issue the diary link of a just-signed full treatment; return its token.

    Runs inside the signing's unit of work. Earlier links of the patient end.
    Only the token's hash and its nonce are kept: with the app's ``key`` the
    handout re-derives the same token each time it is printed; with none (the
    CLI, some tests) the token is a one-off no print can show again.
    """
    if record.kind != SessionKind.FULL or record.id is None or actor.user_id is None:
        return None
    _end_open_links(session, actor, record.patient_id, now)
    nonce, token = fresh_token(key)
    link = DiaryLink(
        session_id=record.id,
        patient_id=record.patient_id,
        token_hash=token_digest(token),
        token_nonce=nonce,
        issued_by_id=actor.user_id,
        issued_at=now,
        expires_at=link_expiry(now, link_weeks(session), zone),
    )
    session.add(link)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "diary_link",
        link.id,
        patient_id=record.patient_id,
        after={"session_id": record.id, "expires_at": link.expires_at.isoformat()},
    )
    return token


def is_open(link: DiaryLink, now: datetime) -> bool:
    return link.revoked_at is None and link.ended_at is None and link.expires_at > now


def patient_link(session: Session, patient_id: int, link_id: int) -> DiaryLink:
    """Return the patient's diary link, or raise NotFound if it is not theirs."""
    return get_patients_row(
        session,
        DiaryLink,
        link_id,
        patient_id,
        "There is no such diary link for this patient.",
    )


def revoke_diary_link(
    session: Session, actor: Actor, patient_id: int, link_id: int, *, now: datetime
) -> DiaryLink:
    """Stop a diary link for good (a lost handout, a patient's wish)."""
    link = patient_link(session, patient_id, link_id)
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_by_id = actor.user_id
        session.add(link)
        record_link_update(session, actor, link, {"revoked_at": now.isoformat()})
        session.commit()
    return link


@dataclass(frozen=True)
class LinkRow:
    """One diary link on the patient page."""

    id: int
    cycle: int
    treated_on: date
    state: str
    until: date
    entries: int
    session_id: int


def links_for_patient(
    session: Session, patient_id: int, *, now: datetime, zone: ZoneInfo
) -> list[LinkRow]:
    """Return the patient's diary links, newest cycle first, with their state."""
    rows = session.exec(
        select(DiaryLink, TreatmentSession.cycle_number, TreatmentSession.performed_at)
        .join(TreatmentSession, col(TreatmentSession.id) == col(DiaryLink.session_id))
        .where(DiaryLink.patient_id == patient_id)
        .order_by(col(TreatmentSession.performed_at).desc())
    ).all()
    counts = _entry_counts(session, patient_id)
    found = []
    for link, cycle, performed_at in rows:
        if link.revoked_at is not None:
            state, until = "revoked", local_day(link.revoked_at, zone)
        elif link.ended_at is not None:
            state = "ended by the next treatment"
            until = local_day(link.ended_at, zone)
        else:
            # Open or expired, the day named is the last the link opens on,
            # as its handout printed it.
            state = "expired" if link.expires_at <= now else "open"
            until = last_open_day(link.expires_at, zone)
        assert link.id is not None
        found.append(
            LinkRow(
                link.id,
                cycle,
                local_day(performed_at, zone),
                state,
                until,
                counts.get(link.id, 0),
                link.session_id,
            )
        )
    return found


def _entry_counts(session: Session, patient_id: int) -> dict[int, int]:
    links = session.exec(
        select(DiaryEntry.link_id).where(DiaryEntry.patient_id == patient_id)
    ).all()
    counts: dict[int, int] = {}
    for link_id in links:
        counts[link_id] = counts.get(link_id, 0) + 1
    return counts


@dataclass(frozen=True)
class OpenDiary:
    """What the diary page may know: this cycle, and the patient's first name only."""

    link_id: int
    session_id: int
    patient_id: int
    first_name: str
    treated_on: date
    today: date
    open_until: date
    # The clinic's zone: "today" for the patient is the clinic's day.
    zone: tzinfo

    @property
    def days_since(self) -> int:
        return (self.today - self.treated_on).days


class DiaryThrottled(Exception):
    """This client failed too many diary tokens lately and must wait."""


def _client_key(client: str | None) -> str:
    return digest(f"diary:{client or 'unknown'}")


def _wait(session: Session, client: str | None, now: datetime) -> timedelta:
    row = (
        session.connection()
        .execute(
            select_core(_THROTTLE.c.failures, _THROTTLE.c.last_failure_at).where(
                _THROTTLE.c.key == _client_key(client),
                _THROTTLE.c.last_failure_at > now - RESET_AFTER,
            )
        )
        .first()
    )
    if row is None:
        return timedelta(0)
    delay = delay_after(row.failures, FREE_FAILURES, LONGEST_WAIT)
    return max(timedelta(0), row.last_failure_at + delay - now) if delay else delay


def _note_failure(session: Session, client: str | None, now: datetime) -> None:
    """Count one refused token for this client, atomically (an upsert)."""
    count_failure(
        session, key=_client_key(client), scope="diary", account=None, now=now
    )
    # Which token was tried, and whether it ever existed, is not said here either.
    write_event(
        session,
        Actor(user_id=None, email="patient diary", remote_addr=client),
        AuditAction.LOGIN_FAILED,
        "diary_link",
        None,
        at=now,
        after={"refused": "diary link did not open"},
    )
    session.commit()


def open_diary(
    session: Session, token: str, *, client: str | None, now: datetime, zone: ZoneInfo
) -> OpenDiary | None:
    """Return the diary this token opens, or None, saying nothing about why.

    :raises DiaryThrottled: this client has failed too many tokens lately.
    """
    if _wait(session, client, now) > timedelta(0):
        raise DiaryThrottled
    link = None
    if TOKEN_SHAPE.match(token):
        wanted = token_digest(token)
        link = session.exec(
            select(DiaryLink).where(DiaryLink.token_hash == wanted)
        ).first()
        if link is not None and not hmac.compare_digest(link.token_hash, wanted):
            link = None
    if link is None or not is_open(link, now):
        _note_failure(session, client, now)
        return None
    record = session.get(TreatmentSession, link.session_id)
    patient = session.get(Patient, link.patient_id)
    assert record is not None
    assert patient is not None
    assert link.id is not None
    return OpenDiary(
        link_id=link.id,
        session_id=link.session_id,
        patient_id=link.patient_id,
        first_name=patient.given_name,
        treated_on=local_day(record.performed_at, zone),
        today=local_day(now, zone),
        open_until=last_open_day(link.expires_at, zone),
        zone=zone,
    )


def record_diary_read(
    session: Session, diary: OpenDiary, page: str, *, client: str | None, now: datetime
) -> None:
    """Audit one diary page shown to the holder of the link, and commit."""
    write_event(
        session,
        diary_actor(diary.link_id, client),
        AuditAction.VIEW,
        "diary_link",
        diary.link_id,
        at=now,
        patient_id=diary.patient_id,
        after={"read": page, "source": "patient_diary"},
    )
    session.commit()
