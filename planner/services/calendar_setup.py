"""The clinic calendar an admin keeps: clinicians' working hours and closed days."""

from datetime import date
from datetime import time
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import ClosedDay
from planner.models import Role
from planner.models import User
from planner.models import WorkingHours
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.lookup import get_or_raise
from planner.validation import parse_input

WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    clinician_id: int = Field(ge=1, le=2**31 - 1)
    weekday: int = Field(ge=0, le=6)
    starts: time
    ends: time

    @model_validator(mode="after")
    def _order(self) -> "HoursIn":
        if self.ends <= self.starts:
            raise ValueError("ends: must be after the start time")
        return self


class ClosedIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    day: date
    reason: str = Field(min_length=1, max_length=200)


def list_hours(session: Session) -> list[tuple[WorkingHours, str]]:
    """Return every clinician's working hours with their name, by clinician and day."""
    rows = session.exec(
        select(WorkingHours, User.name)
        .join(User, col(User.id) == col(WorkingHours.clinician_id))
        .order_by(col(User.name), col(WorkingHours.weekday), col(WorkingHours.starts))
    ).all()
    return [(hours, name) for hours, name in rows]


def list_closed(session: Session, *, since: date) -> list[ClosedDay]:
    return list(
        session.exec(
            select(ClosedDay)
            .where(col(ClosedDay.day) >= since)
            .order_by(col(ClosedDay.day))
        )
    )


def _create(
    session: Session,
    actor: Actor,
    row: WorkingHours | ClosedDay,
    entity: str,
    taken: InvalidInput | None = None,
) -> None:
    """Save a new calendar row and audit it; ``taken`` answers a duplicate."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        if taken is None:
            raise
        session.rollback()
        raise taken from None
    record_event(
        session, actor, AuditAction.CREATE, entity, row.id, after=snapshot(row)
    )
    session.commit()


def _delete(
    session: Session,
    actor: Actor,
    model: type[WorkingHours] | type[ClosedDay],
    row_id: int,
    entity: str,
    missing: str,
) -> None:
    """Delete a calendar row and audit it; ``missing`` says it is already gone."""
    row = get_or_raise(session, model, row_id, missing)
    before = snapshot(row)
    session.delete(row)
    record_event(session, actor, AuditAction.DELETE, entity, row_id, before=before)
    session.commit()


def add_hours(session: Session, actor: Actor, data: Any) -> WorkingHours:
    """Add a block of working hours, refusing one that overlaps the clinician's own."""
    hours_in: HoursIn = parse_input(HoursIn, data)
    clinician = session.get(User, hours_in.clinician_id)
    if clinician is None or clinician.role != Role.INJECTOR:
        raise InvalidInput(
            "Choose a clinician.", fields={"clinician_id": "is not a clinician"}
        )
    overlapping = session.exec(
        select(WorkingHours).where(
            WorkingHours.clinician_id == hours_in.clinician_id,
            WorkingHours.weekday == hours_in.weekday,
            col(WorkingHours.starts) < hours_in.ends,
            col(WorkingHours.ends) > hours_in.starts,
        )
    ).first()
    if overlapping is not None:
        raise InvalidInput(
            "These hours overlap hours already set.",
            fields={
                "starts": f"overlaps {overlapping.starts:%H:%M}–"
                f"{overlapping.ends:%H:%M} on {WEEKDAYS[hours_in.weekday]}"
            },
        )
    hours = WorkingHours(**hours_in.model_dump())
    _create(session, actor, hours, "working_hours")
    return hours


def delete_hours(session: Session, actor: Actor, hours_id: int) -> None:
    _delete(
        session,
        actor,
        WorkingHours,
        hours_id,
        "working_hours",
        "Those working hours no longer exist.",
    )


def add_closed_day(session: Session, actor: Actor, data: Any) -> ClosedDay:
    closed_in: ClosedIn = parse_input(ClosedIn, data)
    closed = ClosedDay(day=closed_in.day, reason=closed_in.reason.strip())
    taken = InvalidInput(
        "That day is already closed.", fields={"day": "is already a closed day"}
    )
    _create(session, actor, closed, "closed_day", taken)
    return closed


def delete_closed_day(session: Session, actor: Actor, closed_id: int) -> None:
    _delete(
        session,
        actor,
        ClosedDay,
        closed_id,
        "closed_day",
        "That closed day no longer exists.",
    )


def default_hours(session: Session, actor: Actor, clinician_id: int) -> None:
    """Give a clinician Monday to Friday, 09:00–12:30 and 13:30–17:00 (demo data)."""
    for weekday in range(5):
        for starts, ends in ((time(9), time(12, 30)), (time(13, 30), time(17))):
            add_hours(
                session,
                actor,
                {
                    "clinician_id": clinician_id,
                    "weekday": weekday,
                    "starts": starts,
                    "ends": ends,
                },
            )
