"""Who is logged in, and who is guessing: an admin's view of a login's security.

A login's open sessions and their ending, and the failed logins counted
against it and their clearing. What a role change or deactivation closes
(sessions, the calendar feed) is part of the change, in ``user_admin``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.models import AuditAction
from planner.models import Role
from planner.models import User
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.login_sessions import end_own_session
from planner.services.login_sessions import end_user_sessions
from planner.services.login_throttle import LoginPressure
from planner.services.login_throttle import ThrottleRules
from planner.services.login_throttle import clear_login
from planner.services.login_throttle import login_pressure
from planner.services.user_admin import get_login
from planner.services.users import save_user_change

_USERS: Table = User.__table__  # type: ignore[attr-defined]  # set by SQLModel


@dataclass(frozen=True)
class LoginRow:
    """One login as the admin's list shows it; never carries the password hash."""

    id: int
    name: str
    email: str
    role: Role
    active: bool
    last_login_at: datetime | None
    # Failed logins lately against the login itself, and until when clients
    # it has never logged in from must wait (planner.services.login_throttle).
    recent_failures: int = 0
    new_clients_wait_until: datetime | None = None


def _row(user: User, pressure: dict[str, LoginPressure]) -> LoginRow:
    found = pressure.get(user.email)
    return LoginRow(
        id=user.id or 0,
        name=user.name,
        email=user.email,
        role=user.role,
        active=user.active,
        last_login_at=user.last_login_at,
        recent_failures=found.failures if found else 0,
        new_clients_wait_until=found.new_clients_wait_until if found else None,
    )


def list_logins(
    session: Session, *, now: datetime, rules: ThrottleRules
) -> list[LoginRow]:
    """List every login by name, with the failed logins counted against it lately."""
    users = session.exec(select(User).order_by(col(User.name), col(User.id))).all()
    pressure = login_pressure(session, [u.email for u in users], now=now, rules=rules)
    return [_row(user, pressure) for user in users]


def login_row(
    session: Session, user_id: int, *, now: datetime, rules: ThrottleRules
) -> LoginRow:
    """Return one login as the list shows it (for its edit page)."""
    user = get_login(session, user_id)
    return _row(user, login_pressure(session, [user.email], now=now, rules=rules))


def unlock_login(session: Session, actor: Actor, user_id: int) -> User:
    """Clear the failed logins counted against a login, from every client."""
    user = get_login(session, user_id)
    cleared = clear_login(session, email=user.email)
    if cleared == 0:
        return user
    save_user_change(session, actor, user, after={"failed_logins": "cleared"})
    return user


def end_login_sessions(
    session: Session, actor: Actor, user_id: int, *, session_id: int | None = None
) -> int:
    """End one of a login's sessions, or (``session_id`` None) all of them."""
    user = get_login(session, user_id)
    assert user.id is not None
    now = utc_now()
    if session_id is None:
        ended = end_user_sessions(session, user.id, reason="ended by an admin", now=now)
    else:
        ended = end_own_session(
            session, user.id, session_id, reason="ended by an admin", now=now
        )
    if ended:
        record_event(
            session,
            actor,
            AuditAction.UPDATE,
            "user",
            user_id,
            after={"sessions_ended": ended},
        )
    session.commit()
    return ended
