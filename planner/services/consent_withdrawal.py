"""Withdrawing a signed consent record: one audited change, wherever it is asked for.

The consent page withdraws one record; the photos page, on a withdrawal of
photography consent, withdraws the patient's signed photography records with the
same reason, so that the two pages never disagree. Only adds and flushes: the
caller owns the unit of work.
"""

from datetime import datetime

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentKind
from planner.models import AuditAction
from planner.models import ConsentRecord
from planner.services.audit import Actor
from planner.services.audit import record_event


def withdraw_record(
    session: Session, actor: Actor, record: ConsentRecord, reason: str, now: datetime
) -> None:
    """Mark ``record`` withdrawn now by ``actor`` for ``reason``, in the trail."""
    before = {"withdrawn_at": None}
    record.withdrawn_at = now
    record.withdrawn_by_id = actor.user_id
    record.withdrawal_reason = reason
    session.add(record)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "consent_record",
        record.id,
        patient_id=record.patient_id,
        before=before,
        after={
            "withdrawn_at": now.isoformat(),
            "withdrawn_by_id": actor.user_id,
            "withdrawal_reason": reason,
            "kind": record.kind.value,
            "form_version": record.form_version,
        },
    )


def signed_photography(session: Session, patient_id: int) -> list[ConsentRecord]:
    """Return the patient's signed photography consents, newest first."""
    return list(
        session.exec(
            select(ConsentRecord)
            .where(
                ConsentRecord.patient_id == patient_id,
                ConsentRecord.kind == ConsentKind.PHOTOGRAPHY,
            )
            .order_by(col(ConsentRecord.signed_at).desc(), col(ConsentRecord.id).desc())
        ).all()
    )
