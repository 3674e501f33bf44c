"""Fetch one row by its key, or raise NotFound with the caller's message."""

from typing import Any
from typing import Protocol
from typing import TypeVar

from sqlmodel import Session
from sqlmodel import SQLModel

from planner.errors import NotFound

RowT = TypeVar("RowT", bound=SQLModel)


def get_or_raise(
    session: Session,
    model: type[RowT],
    key: Any,
    message: str,
    *,
    populate_existing: bool = False,
) -> RowT:
    """Return the row of ``model`` with this primary key, or raise NotFound.

    :param populate_existing: reload the row even if the session holds it, for
        rows the chart's hot paths change with Core statements.
    """
    row = session.get(model, key, populate_existing=populate_existing)
    if row is None:
        raise NotFound(message)
    return row


class OnARecord(Protocol):
    """A row that belongs to one patient's record."""

    patient_id: int


OwnedT = TypeVar("OwnedT", bound=OnARecord)


def get_patients_row(
    session: Session, model: type[OwnedT], key: Any, patient_id: int, message: str
) -> OwnedT:
    """Return the row of ``model`` with this key if it is on the patient's record.

    Another patient's row is not found either: a URL naming one patient and
    another's row shows nothing of it.
    """
    row = session.get(model, key)
    if row is None or row.patient_id != patient_id:
        raise NotFound(message)
    return row
