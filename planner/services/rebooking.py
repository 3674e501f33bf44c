"""Which missed or cancelled appointments still wait to be rebooked.

A patient whose review or re-treatment was missed or cancelled stays on the
worklist, and on their own page, until something takes its place: a newer
open appointment of the same kind, or a newer signed full treatment (which
proposes its own follow-up); a cancellation also leaves once staff say why it
needs no rebooking. The worklist and the patient page read the same rule from
here, so they agree; booking refuses an appointment a newer treatment has
replaced.
"""

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession

TO_REBOOK = (AppointmentStatus.MISSED, AppointmentStatus.CANCELLED)


def superseded() -> ColumnElement[bool]:
    """The patient has had a full treatment signed since this was proposed."""
    newer = aliased(TreatmentSession)
    source = aliased(TreatmentSession)
    proposed_at = func.coalesce(
        sa_select(col(source.performed_at))
        .where(col(source.id) == col(Appointment.source_session_id))
        .correlate(Appointment)
        .scalar_subquery(),
        col(Appointment.created_at),
    )
    return exists().where(
        col(newer.patient_id) == col(Appointment.patient_id),
        col(newer.kind) == SessionKind.FULL,
        col(newer.status) == SessionStatus.SIGNED,
        col(newer.performed_at) > proposed_at,
    )


def rebooked() -> ColumnElement[bool]:
    """The patient has an open appointment of the same kind, due no earlier."""
    later = aliased(Appointment)
    return exists().where(
        col(later.patient_id) == col(Appointment.patient_id),
        col(later.kind) == col(Appointment.kind),
        col(later.status).in_((AppointmentStatus.PROPOSED, AppointmentStatus.BOOKED)),
        col(later.due_date) >= col(Appointment.due_date),
    )


def waiting(status: AppointmentStatus) -> ColumnElement[bool]:
    """Appointments of ``status`` (missed or cancelled) nothing has replaced yet,
    and not marked as needing no rebooking (services.no_rebooking)."""
    return and_(
        col(Appointment.status) == status,
        col(Appointment.no_rebooking_reason).is_(None),
        ~rebooked(),
        ~superseded(),
    )


def replaced_by(session: Session, appointment: Appointment) -> TreatmentSession | None:
    """The first full treatment signed since a missed or cancelled ``appointment``
    was proposed, if any: the follow-up it proposed takes this one's place."""
    if appointment.status not in TO_REBOOK:
        return None
    source = (
        session.get(TreatmentSession, appointment.source_session_id)
        if appointment.source_session_id is not None
        else None
    )
    proposed_at = source.performed_at if source else appointment.created_at
    return session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == appointment.patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
            col(TreatmentSession.performed_at) > proposed_at,
        )
        .order_by(col(TreatmentSession.performed_at))
    ).first()


def waiting_ids(session: Session, patient_id: int) -> set[int]:
    """The patient's missed and cancelled appointments still to rebook."""
    found = session.exec(
        select(Appointment.id).where(
            Appointment.patient_id == patient_id,
            or_(*(waiting(status) for status in TO_REBOOK)),
        )
    ).all()
    return {appointment_id for appointment_id in found if appointment_id is not None}
