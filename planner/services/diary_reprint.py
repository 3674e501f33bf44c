"""Printing a diary link again, and giving the patient a new one.

Printing is read-only: the token is re-derived from the link's nonce and the
app's key (``diary_tokens``), so a second print shows the same working link and
the first printout keeps working. A new link is a deliberate act (a lost
handout, a link seen by someone else): a POST, audited, and the old token stops.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import select

from planner.clinic_time import last_open_day
from planner.clinic_time import open_through
from planner.errors import Conflict
from planner.models import DiaryLink
from planner.services.audit import Actor
from planner.services.diary_links import is_open
from planner.services.diary_links import patient_link
from planner.services.diary_links import record_link_update
from planner.services.diary_tokens import fresh_token
from planner.services.diary_tokens import token_digest
from planner.services.diary_tokens import token_of


@dataclass(frozen=True)
class PrintedLink:
    """The link's token for printing, and the last day it works."""

    link_id: int
    session_id: int
    token: str
    expires_on: date


@dataclass(frozen=True)
class LinkOnPrint:
    """What a handout can say about its cycle's diary.

    ``printed`` is None when the link is open but cannot be shown again (issued
    before tokens could be re-derived, or under another secret key): the
    handout then asks the patient to get their link from the clinic.
    """

    printed: PrintedLink | None


def _printed(link: DiaryLink, token: str, zone: ZoneInfo) -> PrintedLink:
    assert link.id is not None
    expires_on = last_open_day(link.expires_at, zone)
    return PrintedLink(link.id, link.session_id, token, expires_on)


def printable_link(
    session: Session, session_id: int, *, key: bytes, now: datetime, zone: ZoneInfo
) -> LinkOnPrint | None:
    """Return the session's open diary link as it prints; change nothing.

    None when the session has no open link (a draft, a top-up, an ended,
    expired or revoked cycle): the handout then says nothing about a diary.
    """
    link = session.exec(
        select(DiaryLink).where(DiaryLink.session_id == session_id)
    ).first()
    if link is None or not is_open(link, now):
        return None
    token = token_of(key, link.token_nonce, link.token_hash)
    return LinkOnPrint(_printed(link, token, zone) if token else None)


def give_new_link(
    session: Session,
    actor: Actor,
    patient_id: int,
    link_id: int,
    *,
    key: bytes,
    now: datetime,
    zone: ZoneInfo,
) -> PrintedLink:
    """Give an open link a new token; the old one stops opening at once.

    The link keeps its cycle, its entries and its last day; a link issued
    before links closed at a clinic midnight now stays open through that whole
    day, as its handout says. Audited without the token (the trail says a new
    one was given, by whom).

    :raises NotFound: the link is not this patient's.
    :raises Conflict: the link is revoked, ended or expired.
    """
    link = patient_link(session, patient_id, link_id)
    if not is_open(link, now):
        raise Conflict(
            "This diary link is no longer open: a new one is given when the "
            "next treatment is signed."
        )
    nonce, token = fresh_token(key)
    link.token_nonce = nonce
    link.token_hash = token_digest(token)
    link.issued_at = now
    link.issued_by_id = actor.user_id or link.issued_by_id
    after = {"token": "new link given; the old one no longer opens"}
    closes = open_through(last_open_day(link.expires_at, zone), zone)
    if closes != link.expires_at:
        link.expires_at = closes
        after["expires_at"] = closes.isoformat()
    session.add(link)
    record_link_update(session, actor, link, after)
    session.commit()
    return _printed(link, token, zone)
