"""The audit trail's note that a report was printed."""

from sqlmodel import Session

from planner.models import AuditAction
from planner.services.audit import Actor
from planner.services.audit import record_event


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
    record_event(
        session,
        actor,
        AuditAction.PRINT,
        entity_type,
        entity_id,
        patient_id=patient_id,
        after={"report": report, **(detail or {})},
    )
    session.commit()
