"""Add, change or delete one row together with its audit event.

The create, change and remove steps that therapy, procedures, toxin given
elsewhere, stock and the chart's sites share. They only add and flush: the
public service that calls them commits.
"""

from typing import Any
from typing import TypeVar

from sqlmodel import Session
from sqlmodel import SQLModel

from planner.models import AuditAction
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot

RowT = TypeVar("RowT", bound=SQLModel)


def add_audited(
    session: Session,
    actor: Actor,
    row: RowT,
    entity: str,
    *,
    patient_id: int | None = None,
) -> RowT:
    """Add a new row, flushed for its id, with a create event that holds it."""
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        entity,
        getattr(row, "id", None),
        patient_id=patient_id,
        after=snapshot(row),
    )
    return row


def update_audited(
    session: Session,
    actor: Actor,
    row: SQLModel,
    entity: str,
    changes: dict[str, Any],
    *,
    patient_id: int | None = None,
) -> None:
    """Change a row's fields with an update event holding each change, from and to.

    As the chart's own site edits are audited: ``updated_at`` changes with the row
    but is not in the event.
    """
    before = snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    after = snapshot(row)
    keys = [k for k in changes if k != "updated_at" and before.get(k) != after.get(k)]
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        entity,
        getattr(row, "id", None),
        patient_id=patient_id,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
    )


def delete_audited(
    session: Session,
    actor: Actor,
    row: SQLModel,
    entity: str,
    *,
    patient_id: int | None = None,
) -> None:
    """Delete a row with a delete event that keeps what it was."""
    record_event(
        session,
        actor,
        AuditAction.DELETE,
        entity,
        getattr(row, "id", None),
        patient_id=patient_id,
        before=snapshot(row),
    )
    session.delete(row)
