"""The admin's management of logins: create, edit, deactivate, reset, unlock.

The guard rails live here, not in the views: an admin cannot deactivate their
own login or give up their own admin role, and the clinic always keeps at least
one active admin.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import EmailStr
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.models import User
from planner.passwords import password_problems
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import json_safe
from planner.services.login_sessions import end_user_sessions
from planner.services.lookup import get_or_raise
from planner.services.users import create_user
from planner.services.users import save_user_change
from planner.services.users import set_password
from planner.validation import field_errors
from planner.validation import parse_input
from planner.validation import strip_text

_USERS: Table = User.__table__  # type: ignore[attr-defined]  # set by SQLModel

LAST_ADMIN = (
    "The clinic must always keep at least one active admin: make another login "
    "an admin (and active) first."
)


@dataclass(frozen=True)
class LoginValues:
    """What an admin edits on a login; also what the edit form was shown."""

    name: str
    email: str
    role: Role
    active: bool

    @property
    def active_admin(self) -> bool:
        return self.active and self.role == Role.ADMIN


class NewLogin(BaseModel):
    """The create form: a login's details and its first password, typed twice."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr = Field(max_length=254)
    role: Role
    password: str = Field(min_length=1, max_length=256)
    password_confirm: str = Field(min_length=1, max_length=256)

    _stripped = field_validator("name", "email", mode="before")(strip_text)

    @model_validator(mode="after")
    def _confirmed(self) -> "NewLogin":
        if self.password != self.password_confirm:
            raise ValueError("password_confirm: does not match the password")
        return self


class ShownLogin(BaseModel):
    """The values the editor was shown, carried back in hidden fields."""

    model_config = ConfigDict(extra="forbid")

    shown_name: str = Field(max_length=120)
    shown_email: str = Field(max_length=254)
    shown_role: Role
    shown_active: bool

    def values(self) -> LoginValues:
        return LoginValues(
            self.shown_name, self.shown_email, self.shown_role, self.shown_active
        )


class LoginEdit(ShownLogin):
    """The edit form: the new details and the ones the editor started from."""

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr = Field(max_length=254)
    role: Role
    # An unchecked box is absent from the form: absent means inactive.
    active: bool = False

    _stripped = field_validator("name", "email", mode="before")(strip_text)

    def wanted(self) -> LoginValues:
        return LoginValues(self.name, self.email.lower(), self.role, self.active)


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256)
    password_confirm: str = Field(min_length=1, max_length=256)

    @model_validator(mode="after")
    def _confirmed(self) -> "NewPassword":
        if self.password != self.password_confirm:
            raise ValueError("password_confirm: does not match the new password")
        return self


def self_change_problems(
    *, acting_on_self: bool, before: LoginValues, after: LoginValues
) -> dict[str, str]:
    """Say why an admin may not make this change to their own login, per field."""
    if not acting_on_self:
        return {}
    problems: dict[str, str] = {}
    if before.active and not after.active:
        problems["active"] = (
            "cannot be turned off for your own login: another admin must do it"
        )
    if before.role == Role.ADMIN and after.role != Role.ADMIN:
        problems["role"] = (
            "cannot be changed from admin on your own login: another admin must do it"
        )
    return problems


def last_admin_problems(
    *, before: LoginValues, after: LoginValues, active_admins_after: int
) -> dict[str, str]:
    """Refuse a change that would leave the clinic without an active admin."""
    if not before.active_admin or after.active_admin or active_admins_after > 0:
        return {}
    field = "active" if before.active and not after.active else "role"
    return {field: "would leave the clinic without an active admin"}


def _values(user: User) -> LoginValues:
    return LoginValues(user.name, user.email, user.role, user.active)


def _audit_values(values: LoginValues) -> dict[str, Any]:
    return json_safe(
        {
            "name": values.name,
            "email": values.email,
            "role": values.role,
            "active": values.active,
        }
    )


def get_login(session: Session, user_id: int) -> User:
    user = get_or_raise(session, User, user_id, f"There is no login {user_id}.")
    return user


def _email_taken(session: Session, email: str, *, other_than: int | None) -> bool:
    query = select(User.id).where(User.email == email)
    if other_than is not None:
        query = query.where(col(User.id) != other_than)
    return session.exec(query).first() is not None


def _email_taken_error() -> InvalidInput:
    return InvalidInput(
        "Another login already uses that email.",
        fields={"email": "is already used by another login"},
    )


def create_login(session: Session, actor: Actor, data: Mapping[str, Any]) -> User:
    """Validate the create form, with the clinic's password rules, and add the login.

    Every problem is reported at once, so the admin corrects the form in one go.
    """
    errors: dict[str, str] = {}
    try:
        login = NewLogin.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
    password = data.get("password")
    if isinstance(password, str) and "password" not in errors:
        problems = password_problems(
            password,
            email=str(data.get("email") or ""),
            name=str(data.get("name") or ""),
        )
        if problems:
            errors["password"] = "; ".join(problems)
    if errors:
        raise InvalidInput("The login's details need correcting.", fields=errors)
    email = login.email.lower()
    if _email_taken(session, email, other_than=None):
        raise _email_taken_error()
    try:
        return create_user(
            session,
            actor,
            email=email,
            name=login.name,
            role=login.role.value,
            password=login.password,
        )
    except IntegrityError:
        # Two admins created the same email at once; the unique index caught it.
        session.rollback()
        raise _email_taken_error() from None


def update_login(
    session: Session, actor: Actor, user_id: int, data: Mapping[str, Any]
) -> User:
    """Save an edit of name, email, role and active, made against the shown values.

    :raises StaleWrite: when the login changed since the form was shown.
    :raises InvalidInput: for bad fields and changes an admin may not make to
        their own login.
    :raises Conflict: when the clinic would be left without an active admin.
    """
    edit: LoginEdit = parse_input(
        LoginEdit, data, "The login's details need correcting."
    )
    return _change_login(session, actor, user_id, edit.values(), edit.wanted())


def set_login_active(
    session: Session,
    actor: Actor,
    user_id: int,
    data: Mapping[str, Any],
    *,
    active: bool,
) -> User:
    """Deactivate or reactivate a login, as it was shown to the admin."""
    shown: ShownLogin = parse_input(
        ShownLogin, data, "The form's record of this login is not valid."
    )
    values = shown.values()
    return _change_login(
        session, actor, user_id, values, replace(values, active=active)
    )


def _change_login(
    session: Session,
    actor: Actor,
    user_id: int,
    shown: LoginValues,
    wanted: LoginValues,
) -> User:
    user = get_login(session, user_id)
    before = _values(user)
    if wanted == before:
        return user  # nothing to save, whoever changed what in between
    problems = self_change_problems(
        acting_on_self=actor.user_id == user_id, before=before, after=wanted
    )
    if problems:
        raise InvalidInput(
            "An admin cannot deactivate their own login or give up their own "
            "admin role; ask another admin.",
            fields=problems,
        )
    if wanted.email != before.email and _email_taken(
        session, wanted.email, other_than=user_id
    ):
        raise _email_taken_error()
    # Lock the active admins' rows (PostgreSQL; SQLite's write lock, taken by the
    # UPDATE below, serialises instead), so two admins demoting each other at
    # once cannot both pass the count below and leave the clinic with none.
    session.exec(
        select(User.id)
        .where(User.role == Role.ADMIN, col(User.active))
        .order_by(col(User.id))
        .with_for_update()
    ).all()
    _update_if_unchanged(session, user_id, shown, wanted)
    active_admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, col(User.active))
    ).one()
    problems = last_admin_problems(
        before=before, after=wanted, active_admins_after=active_admins
    )
    if problems:
        session.rollback()
        raise Conflict(LAST_ADMIN, fields=problems)
    session.refresh(user)
    old, new = changed_fields(_audit_values(before), _audit_values(_values(user)))
    new.update(
        _close_what_the_change_ends(
            session, user, before.role, before.active, utc_now()
        )
    )
    save_user_change(session, actor, user, before=old, after=new)
    return user


def _close_what_the_change_ends(
    session: Session, user: User, role_before: Role, was_active: bool, now: datetime
) -> dict[str, Any]:
    """End the sessions and the feed a role change or deactivation takes away.

    A login's open sessions carry the role and the active state they were
    opened with in the user's mind, if not in the code: any change of either
    ends them, so the next request is made by a fresh login (or by nobody). A
    calendar feed is an injector's, and only an active one's.
    """
    assert user.id is not None
    ended: dict[str, Any] = {}
    if user.role != role_before or (was_active and not user.active):
        reason = "role changed" if user.role != role_before else "deactivated"
        count = end_user_sessions(session, user.id, reason=reason, now=now)
        if count:
            ended["sessions_ended"] = count
    feed_ends = not user.active or user.role != Role.INJECTOR
    if user.feed_token_hash is not None and feed_ends:
        session.connection().execute(
            update(_USERS).where(_USERS.c.id == user.id).values(feed_token_hash=None)
        )
        session.refresh(user)
        ended["feed_token"] = "revoked"
    return ended


def _update_if_unchanged(
    session: Session, user_id: int, shown: LoginValues, wanted: LoginValues
) -> None:
    """Apply ``wanted`` only if the row still holds ``shown``, else StaleWrite.

    Compare-and-set on the edited values themselves, as ``update_if_version``
    does on a version column, which the user table does not have: of two admins
    saving at once exactly one wins.
    """
    try:
        result = session.connection().execute(
            update(_USERS)
            .where(
                _USERS.c.id == user_id,
                _USERS.c.name == shown.name,
                _USERS.c.email == shown.email,
                _USERS.c.role == shown.role,
                _USERS.c.active == shown.active,
            )
            .values(
                name=wanted.name,
                email=wanted.email,
                role=wanted.role,
                active=wanted.active,
            )
        )
    except IntegrityError:
        # Another admin gave this email to a login since the check above.
        session.rollback()
        raise _email_taken_error() from None
    if result.rowcount != 1:
        session.rollback()
        raise StaleWrite(
            "Someone else changed this login while you were editing. "
            "Here is how it is now; nothing of yours was saved."
        )


def reset_password(
    session: Session, actor: Actor, user_id: int, data: Mapping[str, Any]
) -> User:
    """Give a login a new password that meets the rules, and lift any lockout."""
    user = get_login(session, user_id)
    errors: dict[str, str] = {}
    try:
        NewPassword.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
    password = data.get("password")
    if isinstance(password, str) and "password" not in errors:
        problems = password_problems(password, email=user.email, name=user.name)
        if problems:
            errors["password"] = "; ".join(problems)
    if errors:
        raise InvalidInput("The new password was not set.", fields=errors)
    assert isinstance(password, str)  # NewPassword validated it
    return set_password(session, actor, email=user.email, password=password)
