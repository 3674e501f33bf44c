"""Who read which patient's record: one VIEW event per page, API read or calendar file.

Prints (PRINT) and exports (EXPORT) are audited where they are made; this
covers the reads that change nothing. A read's event is its request's only
write, committed once at the end of the request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from planner.db import SQLITE_SYNCHRONOUS
from planner.models import Appointment
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import TreatmentSession
from planner.models import User
from planner.models.consent import ConsentRecord
from planner.models.diary import DiaryEntry
from planner.models.photos import Photo
from planner.services.audit import Actor
from planner.services.audit import write_event
from planner.services.diary_tokens import token_digest

_EVENTS: Table = AuditEvent.__table__  # type: ignore[attr-defined]  # set by SQLModel
_SESSIONS: Table = TreatmentSession.__table__  # type: ignore[attr-defined]  # set by SQLModel
_APPOINTMENTS: Table = Appointment.__table__  # type: ignore[attr-defined]  # set by SQLModel
_USERS: Table = User.__table__  # type: ignore[attr-defined]  # set by SQLModel
_CONSENTS: Table = ConsentRecord.__table__  # type: ignore[attr-defined]  # set by SQLModel
_PHOTOS: Table = Photo.__table__  # type: ignore[attr-defined]  # set by SQLModel
_DIARY: Table = DiaryEntry.__table__  # type: ignore[attr-defined]  # set by SQLModel

# Reads of the record, and the records printed or exported from it.
READS = (AuditAction.VIEW, AuditAction.PRINT, AuditAction.EXPORT)


def _patient_of(table: Table) -> Callable[[Session, int], int | None]:
    def find(session: Session, entity_id: int) -> int | None:
        found: int | None = (
            session.connection()
            .execute(select(table.c.patient_id).where(table.c.id == entity_id))
            .scalar()
        )
        return found

    return find


def _the_patient(_session: Session, entity_id: int) -> int | None:
    return entity_id


PATIENT_OF: dict[str, Callable[[Session, int], int | None]] = {
    "patient": _the_patient,
    "treatment_session": _patient_of(_SESSIONS),
    "appointment": _patient_of(_APPOINTMENTS),
    "consent_record": _patient_of(_CONSENTS),
    "photo": _patient_of(_PHOTOS),
    "diary_entry": _patient_of(_DIARY),
}


@dataclass(frozen=True)
class Read:
    """One read of a record, as its audit event will say it."""

    actor: Actor
    entity_type: str
    entity_id: int | None
    patient_id: int | None
    what: str
    at: datetime

    def write(self, session: Session) -> None:
        write_event(
            session,
            self.actor,
            AuditAction.VIEW,
            self.entity_type,
            self.entity_id,
            at=self.at,
            patient_id=self.patient_id,
            after={"read": self.what},
        )


def record_read(
    session: Session,
    actor: Actor,
    *,
    entity_type: str,
    entity_id: int | None,
    what: str,
    now: datetime,
) -> None:
    """Note who read what (``what`` names the page or call), and commit.

    A read's only write is its event, and waiting for the disk (fsync) costs
    more than the read: the event is committed at once, in its place in the
    chain, and survives the app crashing, but is carried to the disk by the
    next write or checkpoint, so only a power cut before then could lose it.
    When the request wrote something else, the event joins that transaction,
    which waits for the disk as clinical writes do.
    """
    finder = PATIENT_OF.get(entity_type)
    patient_id = (
        None if finder is None or entity_id is None else finder(session, entity_id)
    )
    read = Read(actor, entity_type, entity_id, patient_id, what, now)
    connection = session.connection()
    driver = connection.connection.driver_connection
    writing = session.new or session.dirty or session.deleted
    if connection.dialect.name == "sqlite" and not (driver and driver.in_transaction):
        session.commit()  # nothing of the request's to keep: end its transaction
        engine = connection.engine
        _append_without_waiting(engine, read)
        return
    if connection.dialect.name == "postgresql" and not writing:
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    read.write(session)
    session.commit()


def _append_without_waiting(engine: Engine, read: Read) -> None:
    """Commit the event on a connection of its own with synchronous=NORMAL."""
    with engine.connect() as connection:
        # SQLite changes its safety level only between transactions.
        connection.exec_driver_sql("PRAGMA synchronous = NORMAL")
        try:
            # A session on this very connection: its transaction is the event's.
            with Session(bind=connection) as own:
                read.write(own)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.exec_driver_sql(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
            connection.commit()


def feed_owner(session: Session, token: str) -> Actor | None:
    """Return the clinician whose calendar feed this token opens, if any."""
    row = (
        session.connection()
        .execute(
            select(_USERS.c.id, _USERS.c.email).where(
                _USERS.c.feed_token_hash == token_digest(token),
                _USERS.c.active.is_(True),
            )
        )
        .first()
    )
    return None if row is None else Actor(row.id, row.email)


@dataclass(frozen=True)
class Reader:
    """One person who read a patient's record: how often, first and last."""

    email: str
    reads: int
    first_at: datetime
    last_at: datetime


def who_read(session: Session, patient_id: int) -> list[Reader]:
    """List who viewed, printed or exported a patient's record, latest first."""
    rows = session.connection().execute(
        select(
            _EVENTS.c.actor_email,
            func.count().label("reads"),
            func.min(_EVENTS.c.at).label("first_at"),
            func.max(_EVENTS.c.at).label("last_at"),
        )
        .where(_EVENTS.c.patient_id == patient_id, _EVENTS.c.action.in_(READS))
        .group_by(_EVENTS.c.actor_email)
        .order_by(func.max(_EVENTS.c.at).desc())
    )
    return [
        Reader(row.actor_email or "unknown", row.reads, row.first_at, row.last_at)
        for row in rows
    ]
