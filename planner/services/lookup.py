"""Fetch one row by its key, or raise NotFound with the caller's message."""

from typing import Any
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
