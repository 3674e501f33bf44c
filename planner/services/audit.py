"""Record audit events inside the caller's unit of work."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session
from sqlmodel import SQLModel

from planner.models import AuditAction
from planner.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting: passed into services so they never reach for Flask."""

    user_id: int | None
    email: str | None
    remote_addr: str | None = None


SYSTEM = Actor(user_id=None, email="system")


def json_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return column values as JSON-safe values for the trail."""
    data: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, datetime | date | time):
            data[key] = value.isoformat()
        elif isinstance(value, Enum):
            data[key] = value.value
        else:
            data[key] = value
    return data


def snapshot(record: SQLModel) -> dict[str, Any]:
    """Return a record's columns as JSON-safe values for the trail."""
    return json_safe(record.model_dump())


def record_event(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    *,
    patient_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it durable."""
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_email=actor.email,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=patient_id,
        before=before,
        after=after,
        remote_addr=actor.remote_addr,
    )
    session.add(event)
    return event


def commit_event(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    **details: Any,
) -> None:
    """Record an event that is a unit of work by itself: a logout, a print, a backup.

    ``details`` are ``record_event``'s keywords (``patient_id``, ``before``, ``after``).
    """
    record_event(session, actor, action, entity_type, entity_id, **details)
    session.commit()


def record_print(
    session: Session,
    actor: Actor,
    *,
    report: str,
    entity_type: str,
    entity_id: int,
    patient_id: int,
    detail: dict[str, object] | None = None,
) -> None:
    """Note in the audit trail who printed which report about whom."""
    commit_event(
        session,
        actor,
        AuditAction.PRINT,
        entity_type,
        entity_id,
        patient_id=patient_id,
        after={"report": report, **(detail or {})},
    )


_INSERT_EVENT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]  # set by SQLModel


def write_event(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    *,
    at: datetime,
    patient_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Insert an audit event now, in the caller's transaction, without the ORM.

    For the chair's hot paths, where the ORM's bookkeeping costs more than the
    INSERT itself; ``record_event`` is the same event through the ORM.
    """
    session.connection().execute(
        _INSERT_EVENT,
        {
            "at": at,
            "actor_id": actor.user_id,
            "actor_email": actor.email,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "patient_id": patient_id,
            "before": before,
            "after": after,
            "remote_addr": actor.remote_addr,
        },
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields that differ, so the trail shows what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
