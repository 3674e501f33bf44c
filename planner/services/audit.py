"""Record audit events in the caller's unit of work, each chained to the last."""

from collections.abc import Generator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from enum import Enum
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session
from sqlmodel import SQLModel

from planner.audit_chain import FIELDS
from planner.audit_chain import GENESIS
from planner.audit_chain import ChainedEvent
from planner.audit_chain import ChainReport
from planner.audit_chain import event_hash
from planner.audit_chain import walk_chain
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.services import write_locks


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


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]  # set by SQLModel
_INSERT_EVENT = insert(_EVENTS)
_HEAD = select(_EVENTS.c.event_hash).order_by(_EVENTS.c.id.desc()).limit(1)


def _hold_chain(connection: Connection) -> None:
    """Make this transaction the only one appending to the trail until it ends.

    The head read next is then the newest event, and no other writer can
    append before this one commits, so two writers never fork the chain (the
    chain trigger would refuse it anyway).
    """
    write_locks.hold(connection, (write_locks.AUDIT_CHAIN, 0))


def _chain_head(connection: Connection) -> str:
    _hold_chain(connection)
    head: str | None = connection.execute(_HEAD).scalar()
    return head or GENESIS


def _seal_new_events(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Chain the audit events this flush will insert, in the order they were added."""
    new = [item for item in session.new if isinstance(item, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda item: inspect(item).insert_order or 0)
    head = _chain_head(session.connection())
    for item in new:
        item.prev_hash = head
        item.event_hash = head = event_hash(
            head, {name: getattr(item, name) for name in FIELDS}
        )


# Every session, in the app, the CLI and the tests, chains the events it writes.
event.listen(OrmSession, "before_flush", _seal_new_events)


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
    content = {
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
    }
    connection = session.connection()
    head = _chain_head(connection)
    connection.execute(
        _INSERT_EVENT,
        {**content, "prev_hash": head, "event_hash": event_hash(head, content)},
    )


def _stored_events(session: Session) -> Generator[ChainedEvent]:
    columns = [_EVENTS.c.id, _EVENTS.c.prev_hash, _EVENTS.c.event_hash]
    columns += [_EVENTS.c[name] for name in FIELDS]
    rows = (
        session.connection()
        .execution_options(yield_per=1000)
        .execute(select(*columns).order_by(_EVENTS.c.id))
    )
    try:
        for row in rows:
            values = row._mapping
            yield ChainedEvent(
                id=values["id"],
                prev_hash=values["prev_hash"],
                event_hash=values["event_hash"],
                content={name: values[name] for name in FIELDS},
            )
    finally:
        # The walk stops at a broken link: close PostgreSQL's server-side cursor.
        rows.close()


def verify_trail(session: Session) -> ChainReport:
    """Walk the whole audit trail in order and report the first broken link."""
    events = _stored_events(session)
    try:
        return walk_chain(events)
    finally:
        events.close()


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields that differ, so the trail shows what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
