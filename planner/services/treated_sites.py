"""The chart meets the patient's procedures: muscles excised or denervated.

A tap on such a muscle-side is refused until confirmed; the checks warn about a
confirmed site; copy-last and templates leave such sites out (issue 22). The
rules are pure (``planner.dosing.treated_muscles``); this module reads the
procedures they need. Every path dates the chart by the clinic's day, so a tap
at 00:30 on the day of a procedure meets it as the checks at signing do. Which
sides each muscle has (a central mentalis part, the midline procerus) is read
from the face map the session is charted on.
"""

from collections.abc import Mapping
from datetime import tzinfo

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlmodel import Session

from planner.clinic_time import local_day
from planner.dosing.treated_muscles import CONFIRM_FIELD
from planner.dosing.treated_muscles import ProcedureFact
from planner.dosing.treated_muscles import TreatedMuscle
from planner.dosing.treated_muscles import tap_refusal
from planner.dosing.treated_muscles import treated_muscles
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.facemap import load_edition
from planner.models import Side
from planner.models import TreatmentSession
from planner.models.therapy import Procedure
from planner.services.therapy import treated_muscles_for

# The chart's time and each of its patient's procedures, in one round trip: the
# tap is the hottest write at the chair, and most patients have no procedure.
_SESSION_PROCEDURES = (
    select(
        TreatmentSession.performed_at,  # type: ignore[call-overload]
        TreatmentSession.map_version,
        Procedure.kind,
        Procedure.side,
        Procedure.performed_on,
        Procedure.muscles,
    )
    .select_from(TreatmentSession)
    .outerjoin(Procedure, Procedure.patient_id == TreatmentSession.patient_id)
    .where(TreatmentSession.id == bindparam("sid"))
)


def muscle_sides(map_version: int) -> Mapping[str, tuple[str, ...]]:
    """Return the sides each muscle has on that version of the face map."""
    return {muscle.code: muscle.sides for muscle in load_edition(map_version).muscles}


def treated_for_record(
    session: Session, record: TreatmentSession, zone: tzinfo
) -> tuple[TreatedMuscle, ...]:
    """Return the muscle-sides treated by procedures up to the chart's clinic day."""
    return treated_muscles_for(
        session,
        record.patient_id,
        local_day(record.performed_at, zone),
        muscle_sides(record.map_version),
    )


def treated_for_session(
    session: Session, session_id: int, zone: tzinfo
) -> tuple[TreatedMuscle, ...]:
    """Like ``treated_for_record``, from the session's id, in one query."""
    rows = session.connection().execute(_SESSION_PROCEDURES, {"sid": session_id}).all()
    if not rows:
        raise NotFound("No such session.")
    facts = [
        ProcedureFact(kind.value, side.value, performed_on, tuple(muscles))
        for _at, _map, kind, side, performed_on, muscles in rows
        if kind is not None
    ]
    performed_at, map_version = rows[0][:2]
    return treated_muscles(
        facts,
        local_day(performed_at, zone),
        muscle_sides=muscle_sides(map_version),
    )


def refuse_treated_muscle(
    session: Session,
    session_id: int,
    muscle: str,
    side: Side,
    *,
    confirmed: bool,
    zone: tzinfo,
) -> None:
    """Refuse a tap on an excised or denervated muscle-side unless it is confirmed."""
    if confirmed:
        return
    refusal = tap_refusal(
        treated_for_session(session, session_id, zone),
        muscle,
        side.value,
        confirmed=False,
    )
    if refusal is not None:
        raise InvalidInput(
            refusal,
            fields={
                CONFIRM_FIELD: "is needed: a procedure excised or denervated "
                "this muscle on this side"
            },
        )
