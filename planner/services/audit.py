"""Record audit events inside the caller's unit of work."""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from enum import Enum
from typing import Any

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


def snapshot(record: SQLModel) -> dict[str, Any]:
    """Return a record's columns as JSON-safe values for the trail."""
    data: dict[str, Any] = {}
    for key, value in record.model_dump().items():
        if isinstance(value, datetime | date):
            data[key] = value.isoformat()
        elif isinstance(value, Enum):
            data[key] = value.value
        else:
            data[key] = value
    return data


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


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields that differ, so the trail shows what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
