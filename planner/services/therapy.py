"""Facial therapy courses and surgical procedures: recorded, listed, read by the chart.

Only an injector or an admin records or removes one (the chart's checks read the
procedures); staff read them on the patient page. Each change is audited.
"""

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from typing import TypeVar

from sqlalchemy.orm import Mapped
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.comparison.beside import Beside
from planner.comparison.beside import ProcedureDay
from planner.comparison.beside import TherapyPeriod
from planner.comparison.beside import beside_cycles
from planner.comparison.records import CycleSites
from planner.dosing.treated_muscles import ProcedureFact
from planner.dosing.treated_muscles import TreatedMuscle
from planner.dosing.treated_muscles import treated_muscles
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import User
from planner.models.therapy import Procedure
from planner.models.therapy import ProcedureCreate
from planner.models.therapy import TherapyCourse
from planner.models.therapy import TherapyCourseCreate
from planner.models.therapy import TherapyCourseUpdate
from planner.services.actor_roles import CLINICAL_EDITORS
from planner.services.actor_roles import require_role
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.audited_rows import add_audited
from planner.services.audited_rows import delete_audited
from planner.services.clinical_flags import PROCEDURE_ENTITY
from planner.services.lookup import get_patients_row
from planner.services.patients import get_patient
from planner.validation import parse_input
from planner.vocabulary import label

Row = TypeVar("Row", TherapyCourse, Procedure)
THERAPY_ENTITY = "therapy_course"
REFUSED = (
    "Only an injector or an admin records therapy and procedures: the chair's "
    "checks read them."
)


@dataclass(frozen=True)
class TherapyEntry:
    """One therapy course as pages, reports and exports show it."""

    id: int
    kind: str
    kind_label: str
    started_on: date
    ended_on: date | None
    therapist: str
    home_programme: str
    sessions_attended: int | None
    recorded_by: str

    @property
    def period(self) -> str:
        """Say when: "3 Mar 2026 – 14 Apr 2026" or "from 3 Mar 2026, ongoing"."""
        start = f"{self.started_on.day} {self.started_on:%b %Y}"
        if self.ended_on is None:
            return f"from {start}, ongoing"
        return f"{start} – {self.ended_on.day} {self.ended_on:%b %Y}"

    def active_on(self, day: date) -> bool:
        return self.started_on <= day and (
            self.ended_on is None or day <= self.ended_on
        )


@dataclass(frozen=True)
class ProcedureEntry:
    """One procedure as pages, reports and exports show it."""

    id: int
    kind: str
    kind_label: str
    side: str
    side_label: str
    performed_on: date
    surgeon: str
    note: str
    muscles: tuple[str, ...]
    muscle_names: tuple[str, ...]
    recorded_by: str

    @property
    def where(self) -> str:
        """Say where: "Left: depressor anguli oris", or "Both sides"."""
        muscles = ", ".join(self.muscle_names)
        return f"{self.side_label}: {muscles}" if muscles else self.side_label

    @property
    def summary(self) -> str:
        """Say what and where: "Brow lift, left: frontalis"."""
        where = f"{self.kind_label}, {self.side_label.lower()}"
        return f"{where}: {', '.join(self.muscle_names)}" if self.muscles else where


def muscle_name(code: str) -> str:
    return code.replace("_", " ")


def _with_recorder(
    session: Session, model: type[Row], patient_id: int, day: Mapped[date]
) -> Sequence[tuple[Row, str]]:
    """Return the patient's rows with who recorded each, the latest ``day`` first."""
    return session.exec(
        select(model, User.name)
        .join(User, col(User.id) == col(model.recorded_by_id))
        .where(model.patient_id == patient_id)
        .order_by(day.desc(), col(model.id))
    ).all()


def list_therapy_courses(session: Session, patient_id: int) -> list[TherapyEntry]:
    """Return the patient's therapy courses, the latest start first."""
    rows = _with_recorder(
        session, TherapyCourse, patient_id, col(TherapyCourse.started_on)
    )
    return [
        TherapyEntry(
            id=row.id or 0,
            kind=row.kind.value,
            kind_label=label("therapy_kind", row.kind),
            started_on=row.started_on,
            ended_on=row.ended_on,
            therapist=row.therapist,
            home_programme=row.home_programme or "",
            sessions_attended=row.sessions_attended,
            recorded_by=name,
        )
        for row, name in rows
    ]


def list_procedures(session: Session, patient_id: int) -> list[ProcedureEntry]:
    """Return the patient's procedures, the latest first."""
    rows = _with_recorder(session, Procedure, patient_id, col(Procedure.performed_on))
    return [
        ProcedureEntry(
            id=row.id or 0,
            kind=row.kind.value,
            kind_label=label("procedure_kind", row.kind),
            side=row.side.value,
            side_label=label("affected_side", row.side),
            performed_on=row.performed_on,
            surgeon=row.surgeon,
            note=row.note or "",
            muscles=tuple(row.muscles),
            muscle_names=tuple(muscle_name(m) for m in row.muscles),
            recorded_by=name,
        )
        for row, name in rows
    ]


def active_therapy(session: Session, patient_id: int, on: date) -> TherapyEntry | None:
    """Return the therapy course going on that day, the latest started, if any."""
    return next(
        (c for c in list_therapy_courses(session, patient_id) if c.active_on(on)),
        None,
    )


def treated_muscles_for(
    session: Session,
    patient_id: int,
    on: date,
    muscle_sides: Mapping[str, Sequence[str]],
) -> tuple[TreatedMuscle, ...]:
    """Return the muscle-sides excised or denervated by the patient's procedures.

    ``muscle_sides``: the sides each muscle has on the chart's face map.
    """
    rows = session.exec(
        select(Procedure).where(Procedure.patient_id == patient_id)
    ).all()
    return treated_muscles(
        (
            ProcedureFact(
                row.kind.value, row.side.value, row.performed_on, tuple(row.muscles)
            )
            for row in rows
        ),
        on,
        muscle_sides=muscle_sides,
    )


SHORT_KINDS = {"nmrt": "NMRT", "physiotherapy": "Facial physiotherapy"}


def other_treatments(
    session: Session, patient_id: int, cycles: Sequence[CycleSites]
) -> Beside:
    """Place the patient's therapy courses and procedures against their cycles."""
    return beside_cycles(
        [(cycle.cycle, cycle.treated_on) for cycle in cycles],
        [
            TherapyPeriod(
                c.started_on,
                c.ended_on,
                f"{SHORT_KINDS.get(c.kind, c.kind_label)} {c.period}",
                c.therapist,
            )
            for c in list_therapy_courses(session, patient_id)
        ],
        [
            ProcedureDay(
                p.performed_on,
                f"{p.kind_label} ({p.side_label.lower()}), "
                f"{p.performed_on.day} {p.performed_on:%b %Y}",
            )
            for p in list_procedures(session, patient_id)
        ],
    )


def _day_errors(
    session: Session, patient_id: int, fields: dict[str, date | None], today: date
) -> dict[str, str]:
    born = get_patient(session, patient_id).date_of_birth
    errors: dict[str, str] = {}
    for name, day in fields.items():
        if day is None:
            continue
        if day > today:
            errors[name] = "cannot be in the future"
        elif day < born:
            errors[name] = "cannot be before the patient's date of birth"
    return errors


def add_therapy_course(
    session: Session, actor: Actor, patient_id: int, data: Any, *, today: date
) -> TherapyCourse:
    """Record a therapy course; ``today`` is the clinic's calendar day."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    given: TherapyCourseCreate = parse_input(TherapyCourseCreate, data)
    errors = _day_errors(
        session,
        patient_id,
        {"started_on": given.started_on, "ended_on": given.ended_on},
        today,
    )
    if errors:
        raise InvalidInput("Some fields need correcting.", fields=errors)
    row = TherapyCourse.model_validate(
        given, update={"patient_id": patient_id, "recorded_by_id": actor.user_id}
    )
    add_audited(session, actor, row, THERAPY_ENTITY, patient_id=patient_id)
    session.commit()
    return row


def update_therapy_course(
    session: Session,
    actor: Actor,
    patient_id: int,
    course_id: int,
    data: Any,
    *,
    today: date,
) -> TherapyCourse:
    """End a course or update its sessions attended; audited with before and after."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    row = get_patients_row(
        session,
        TherapyCourse,
        course_id,
        patient_id,
        "There is no such therapy course on this record.",
    )
    given: TherapyCourseUpdate = parse_input(TherapyCourseUpdate, data)
    errors = _day_errors(session, patient_id, {"ended_on": given.ended_on}, today)
    if given.ended_on is not None and given.ended_on < row.started_on:
        errors.setdefault("ended_on", "cannot be before the start")
    if errors:
        raise InvalidInput("Some fields need correcting.", fields=errors)
    before = snapshot(row)
    row.ended_on = given.ended_on
    if given.sessions_attended is not None:
        row.sessions_attended = given.sessions_attended
    session.add(row)
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        THERAPY_ENTITY,
        course_id,
        patient_id=patient_id,
        before=before,
        after=snapshot(row),
    )
    session.commit()
    return row


def add_procedure(
    session: Session, actor: Actor, patient_id: int, data: Any, *, today: date
) -> Procedure:
    """Record a procedure; ``today`` is the clinic's calendar day."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    given: ProcedureCreate = parse_input(ProcedureCreate, data)
    errors = _day_errors(
        session, patient_id, {"performed_on": given.performed_on}, today
    )
    if errors:
        raise InvalidInput("Some fields need correcting.", fields=errors)
    row = Procedure.model_validate(
        given, update={"patient_id": patient_id, "recorded_by_id": actor.user_id}
    )
    add_audited(session, actor, row, PROCEDURE_ENTITY, patient_id=patient_id)
    session.commit()
    return row


def remove_therapy_course(
    session: Session, actor: Actor, patient_id: int, course_id: int
) -> None:
    """Remove a therapy course recorded in error; the trail keeps what it was."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    _remove(session, actor, patient_id, TherapyCourse, course_id, THERAPY_ENTITY)


def remove_procedure(
    session: Session, actor: Actor, patient_id: int, procedure_id: int
) -> None:
    """Remove a procedure recorded in error; the trail keeps what it was."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    _remove(session, actor, patient_id, Procedure, procedure_id, PROCEDURE_ENTITY)


def _remove(
    session: Session,
    actor: Actor,
    patient_id: int,
    model: type[Row],
    key: int,
    entity: str,
) -> None:
    missing = f"There is no such {entity.replace('_', ' ')} on this record."
    row = get_patients_row(session, model, key, patient_id, missing)
    delete_audited(session, actor, row, entity, patient_id=patient_id)
    session.commit()
