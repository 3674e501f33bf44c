"""Optimistic locking: change a row only if it is still the version the editor saw."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import SQLModel

from planner.errors import StaleWrite


def update_if_version(
    session: Session,
    model: type[SQLModel],
    key: tuple[Any, Any],
    expected: int,
    values: dict[str, Any],
    *,
    stale_message: str,
    stale_fields: dict[str, str] | None = None,
) -> None:
    """Apply ``values`` and bump the version, or raise StaleWrite and roll back.

    ``key`` is (column, value) naming the row. The version check is in the
    UPDATE itself, so of two editors saving at once exactly one wins. A form
    that names its stale field passes ``stale_fields``.
    """
    column, value = key
    version = model.version  # type: ignore[attr-defined]  # every locked table has one
    result = session.execute(
        update(model)
        .where(column == value, version == expected)
        .values(**values, version=expected + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        session.rollback()
        raise StaleWrite(stale_message, fields=stale_fields)
