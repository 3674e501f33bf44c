"""A clinician's professional registration number, printed beside their signature.

Its own small form on the admin's user page, saved compare-and-set against the
number the admin was shown, so two admins editing at once cannot silently undo
each other.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlalchemy import Table
from sqlalchemy import update
from sqlmodel import Session

from planner.errors import StaleWrite
from planner.models import User
from planner.services.audit import Actor
from planner.services.lookup import get_or_raise
from planner.services.users import save_user_change
from planner.validation import parse_input
from planner.validation import strip_or_none

_USERS: Table = User.__table__  # type: ignore[attr-defined]  # set by SQLModel


class RegistrationChange(BaseModel):
    """The registration form: the new number (blank for none) and the one shown."""

    model_config = ConfigDict(extra="forbid")

    # A regulator's number as written, e.g. "GMC 1234567" or "NMC 12A3456E".
    registration_number: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$",
    )
    shown_registration_number: str | None = Field(default=None, max_length=40)

    _optional = field_validator(
        "registration_number", "shown_registration_number", mode="before"
    )(strip_or_none)


def set_registration_number(
    session: Session, actor: Actor, user_id: int, data: Mapping[str, Any]
) -> User:
    """Save a login's registration number if it still holds the one shown.

    :raises InvalidInput: naming the field when the number is not valid.
    :raises StaleWrite: when another admin changed it since the form was shown.
    """
    change: RegistrationChange = parse_input(
        RegistrationChange, data, "The registration number needs correcting."
    )
    user = get_or_raise(session, User, user_id, f"There is no login {user_id}.")
    before = user.registration_number
    if change.registration_number == before:
        return user
    result = session.connection().execute(
        update(_USERS)
        .where(
            _USERS.c.id == user_id,
            _USERS.c.registration_number.is_not_distinct_from(
                change.shown_registration_number
            ),
        )
        .values(registration_number=change.registration_number)
    )
    if result.rowcount != 1:
        session.rollback()
        raise StaleWrite(
            "Someone else changed this registration number while you were "
            "editing; nothing of yours was saved. Here is how it is now."
        )
    session.refresh(user)
    save_user_change(
        session,
        actor,
        user,
        before={"registration_number": before},
        after={"registration_number": user.registration_number},
    )
    return user
