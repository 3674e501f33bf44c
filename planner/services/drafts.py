"""Drafts at the chair: finding a patient's open draft, and discarding one.

A discarded draft keeps its row (status "discarded", with when, by whom and why)
so the record shows it was started and set aside; it counts towards nothing
afterwards: no cycle number, no follow-up, no stock use, no comparison, export,
recall or "other unsigned drafts" caution. :func:`live` is the condition every
such query adds.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import SignedSession
from planner.models import AdverseEvent
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import CycleResponse
from planner.models import InjectionSite
from planner.models import Photo
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.lookup import get_or_raise
from planner.validation import parse_input

SIGNED_MESSAGE = (
    "This session is signed and cannot be discarded; "
    "corrections to a signed record are made by amendment."
)


def live() -> ColumnElement[bool]:
    """Return the condition that leaves discarded drafts out of a session query."""
    return col(TreatmentSession.status) != SessionStatus.DISCARDED


@dataclass(frozen=True)
class OpenDraft:
    """A patient's unsigned chart, offered to resume before a new one is opened."""

    id: int
    patient_id: int
    started_on: date
    cycle_number: int
    product: str
    sites: int


def open_draft(session: Session, patient_id: int, zone: ZoneInfo) -> OpenDraft | None:
    """Return the patient's latest open (never signed, not discarded) draft."""
    row = session.exec(
        select(TreatmentSession, Product.brand)
        .join(Product, col(Product.id) == col(TreatmentSession.product_id))
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.status == SessionStatus.DRAFT,
        )
        .order_by(
            col(TreatmentSession.performed_at).desc(),
            col(TreatmentSession.id).desc(),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    return _summary(session, row[0], row[1], zone)


def _summary(
    session: Session, record: TreatmentSession, brand: str, zone: ZoneInfo
) -> OpenDraft:
    assert record.id is not None
    sites = session.exec(
        select(func.count()).where(InjectionSite.session_id == record.id)
    ).one()
    return OpenDraft(
        id=record.id,
        patient_id=record.patient_id,
        started_on=local_day(record.performed_at, zone),
        cycle_number=record.cycle_number,
        product=brand,
        sites=sites,
    )


def draft_to_discard(session: Session, session_id: int, zone: ZoneInfo) -> OpenDraft:
    """Return the draft about to be discarded, or raise Conflict if it cannot be."""
    record = check_discardable(session, session_id)
    product = session.get(Product, record.product_id)
    return _summary(session, record, product.brand if product else "", zone)


def check_reason(data: dict[str, str]) -> str:
    """Return the stripped reason, or raise InvalidInput naming the field."""
    request: DiscardRequest = parse_input(
        DiscardRequest, data, "Say why the draft is discarded."
    )
    return request.reason


def refuse_second_draft(
    session: Session, patient_id: int, zone: ZoneInfo, now: datetime
) -> None:
    """Raise InvalidInput if the patient has a draft of the same day to resume.

    An older draft left unsigned does not block today's chart: the chart then
    shows it as an "other unsigned draft" caution.
    """
    draft = open_draft(session, patient_id, zone)
    if draft is not None and draft.started_on == local_day(now, zone):
        raise InvalidInput(
            "This patient already has an unsigned draft: resume it or discard it "
            "before opening another.",
            fields={
                "draft": f"resume the draft from {draft.started_on:%-d %b %Y} "
                "or discard it first"
            },
        )


class DiscardRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


def get_session_record(session: Session, session_id: int) -> TreatmentSession:
    # populate_existing: the chart's hot paths update sessions with Core
    # statements, which the identity map does not see.
    return get_or_raise(
        session,
        TreatmentSession,
        session_id,
        f"There is no treatment session {session_id}.",
        populate_existing=True,
    )


def patient_of_session(session: Session, session_id: int) -> int | None:
    """Return the patient a treatment session belongs to, or None if there is none."""
    return session.exec(
        select(TreatmentSession.patient_id).where(TreatmentSession.id == session_id)
    ).first()


def _attached(session: Session, session_id: int) -> list[str]:
    """Name what else is recorded against a session (each would lose its cycle)."""
    found = []
    checks: list[tuple[str, Any]] = [
        (
            "a top-up",
            select(func.count()).where(
                TreatmentSession.cycle_session_id == session_id, live()
            ),
        ),
        ("photographs", select(func.count()).where(Photo.session_id == session_id)),
        ("scores", select(func.count()).where(Assessment.session_id == session_id)),
        (
            "adverse events",
            select(func.count()).where(AdverseEvent.session_id == session_id),
        ),
        (
            "a response",
            select(func.count()).where(CycleResponse.session_id == session_id),
        ),
    ]
    for name, query in checks:
        if session.exec(query).one():
            found.append(name)
    return found


def check_discardable(session: Session, session_id: int) -> TreatmentSession:
    """Return the draft, or raise Conflict if it is signed or already discarded.

    A draft something else is recorded against (a top-up of its cycle, photos,
    scores, adverse events, a response) is kept too: discarding it would leave
    them pointing at a cycle that never was.
    """
    record = get_session_record(session, session_id)
    if record.status == SessionStatus.SIGNED:
        raise SignedSession(SIGNED_MESSAGE)
    if record.status == SessionStatus.DISCARDED:
        raise Conflict("This draft has already been discarded.")
    attached = _attached(session, session_id)
    if attached:
        raise Conflict(
            f"This draft cannot be discarded: {', '.join(attached)} "
            "recorded against it would lose their cycle."
        )
    return record


_SESSIONS = TreatmentSession.__table__  # type: ignore[attr-defined]  # set by SQLModel


def discard_draft(
    session: Session,
    actor: Actor,
    session_id: int,
    data: dict[str, str],
    *,
    now: datetime | None = None,
) -> TreatmentSession:
    """Set a never-signed draft aside with its reason; audited, kept, not deleted.

    The status moves from draft in one UPDATE, so a draft signed on another
    tablet a moment before is refused (Conflict), never discarded.
    """
    record = check_discardable(session, session_id)
    reason = check_reason(data)
    now = now or utc_now()
    moved = session.connection().execute(
        update(_SESSIONS)
        .where(
            _SESSIONS.c.id == session_id,
            _SESSIONS.c.status == SessionStatus.DRAFT,
        )
        .values(
            status=SessionStatus.DISCARDED,
            discarded_at=now,
            discarded_by_id=actor.user_id,
            discard_reason=reason,
            version=_SESSIONS.c.version + 1,
            updated_at=now,
        )
    )
    if moved.rowcount != 1:
        session.rollback()
        check_discardable(session, session_id)
        raise Conflict("The draft changed while it was being discarded; try again.")
    sites = session.exec(
        select(func.count()).where(InjectionSite.session_id == session_id)
    ).one()
    record_event(
        session,
        actor,
        AuditAction.DISCARD,
        "treatment_session",
        session_id,
        patient_id=record.patient_id,
        before={"status": SessionStatus.DRAFT.value, "version": record.version},
        after={
            "status": SessionStatus.DISCARDED.value,
            "reason": reason,
            "discarded_at": now.isoformat(),
            "cycle_number": record.cycle_number,
            "sites": sites,
        },
    )
    session.commit()
    return get_session_record(session, session_id)


@dataclass(frozen=True)
class DiscardNote:
    """What the chart of a discarded draft says: when, by whom and why."""

    discarded_at: datetime
    discarded_by: str
    reason: str


def discard_note(session: Session, session_id: int) -> DiscardNote | None:
    """Return how a session was discarded, or None if it was not."""
    record = get_session_record(session, session_id)
    if record.status != SessionStatus.DISCARDED or record.discarded_at is None:
        return None
    user = session.get(User, record.discarded_by_id) if record.discarded_by_id else None
    return DiscardNote(
        discarded_at=record.discarded_at,
        discarded_by=user.name if user else "unknown",
        reason=record.discard_reason or "",
    )
