"""Search the audit trail, newest first. Read-only: the trail is append-only."""

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.paging import Page
from planner.paging import clamp_page

MAX_PAGE_SIZE = 200


def search_audit(
    session: Session,
    *,
    actor_email: str | None = None,
    action: AuditAction | None = None,
    entity_type: str | None = None,
    patient_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[AuditEvent]:
    """Return one page of audit events matching every filter given.

    ``since`` is inclusive and ``until`` exclusive. The email and entity type
    match exactly (case-insensitively for the email), so each filter can use an
    index (``at``, ``entity``, ``patient_id`` + ``at``).
    """
    size = min(max(1, size), MAX_PAGE_SIZE)
    conditions: list[Any] = []
    if actor_email:
        conditions.append(
            func.lower(col(AuditEvent.actor_email)) == actor_email.strip().lower()
        )
    if action is not None:
        conditions.append(col(AuditEvent.action) == action)
    if entity_type:
        conditions.append(col(AuditEvent.entity_type) == entity_type.strip())
    if patient_id is not None:
        conditions.append(col(AuditEvent.patient_id) == patient_id)
    if since is not None:
        conditions.append(col(AuditEvent.at) >= since)
    if until is not None:
        conditions.append(col(AuditEvent.at) < until)
    counter = select(func.count()).select_from(AuditEvent)
    statement = select(AuditEvent)
    if conditions:
        counter = counter.where(*conditions)
        statement = statement.where(*conditions)
    total = session.exec(counter).one()
    number = clamp_page(page, size, total)
    rows = session.exec(
        statement.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return Page(items=list(rows), number=number, size=size, total=total)
