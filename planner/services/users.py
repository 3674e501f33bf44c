"""User accounts and logging in."""

import hmac
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as select_core
from sqlmodel import Session
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import AuditAction
from planner.models import Role
from planner.models import User
from planner.models import UserCreate
from planner.models.users import password_stamp
from planner.models.users import session_key
from planner.passwords import hash_password
from planner.passwords import needs_rehash
from planner.passwords import password_problems
from planner.passwords import verify_dummy
from planner.passwords import verify_password
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.validation import parse_input


def create_user(
    session: Session, actor: Actor, *, email: str, name: str, role: str, password: str
) -> User:
    """Create a login after checking its fields and the password rules."""
    data = parse_input(
        UserCreate,
        {"email": email, "name": name, "role": role, "password": password},
        "The user's details are not valid.",
    )
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise InvalidInput(
            "The password is too weak.", fields={"password": "; ".join(problems)}
        )
    email_lower = data.email.lower()
    if session.exec(select(User).where(User.email == email_lower)).first():
        raise Conflict("A user with that email exists.", fields={"email": "is taken"})
    user = User(
        email=email_lower,
        name=data.name,
        role=Role(data.role),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "user",
        user.id,
        after={"email": user.email, "name": user.name, "role": user.role.value},
    )
    session.commit()
    return user


def set_password(session: Session, actor: Actor, *, email: str, password: str) -> User:
    """Give a login a new password that meets the rules, and lift any lock."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(
            "There is no login with that email.", fields={"email": "unknown"}
        )
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise InvalidInput(
            "The password is too weak.", fields={"password": "; ".join(problems)}
        )
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    # The hash itself never goes into the trail.
    save_user_change(session, actor, user, after={"password": "changed"})
    return user


def save_user_change(
    session: Session,
    actor: Actor,
    user: User,
    *,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    """Save a change to a login, audited with what it changed, and commit."""
    session.add(user)
    record_event(
        session, actor, AuditAction.UPDATE, "user", user.id, before=before, after=after
    )
    session.commit()


@dataclass(frozen=True)
class SignedInUser:
    """The logged-in user as a request sees it: read once, detached from the ORM.

    It satisfies Flask-Login's user protocol. Being a plain value, nothing a view
    does to it can write to the users table by accident.
    """

    id: int
    email: str
    name: str
    role: Role
    password_hash: str
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return session_key(self.id, self.password_hash)


_USERS = User.__table__  # type: ignore[attr-defined]  # set by SQLModel
# Built once: every request runs it, and building it cost more than running it.
_SIGNED_IN = select_core(
    _USERS.c.id, _USERS.c.email, _USERS.c.name, _USERS.c.role, _USERS.c.password_hash
).where(_USERS.c.id == bindparam("user_id"), _USERS.c.active.is_(True))


def signed_in_user(session: Session, key: str) -> SignedInUser | None:
    """Return the active user a session key names, or None.

    The key is ``<id>.<password stamp>`` (see ``session_key``): a session opened
    before the password last changed names an old stamp and is refused.
    """
    user_id, _, stamp = key.partition(".")
    if not user_id.isdigit() or len(user_id) > 18 or not stamp:  # 18: any 64-bit id
        return None
    row = session.connection().execute(_SIGNED_IN, {"user_id": int(user_id)}).first()
    if row is None or not hmac.compare_digest(stamp, password_stamp(row.password_hash)):
        return None
    return SignedInUser(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
    )


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    now: datetime,
    max_failures: int,
    lock_minutes: int,
    remote_addr: str | None,
) -> User | None:
    """Return the user whose credentials these are, counting failures towards a lock.

    A locked account refuses even the right password until the lock expires.
    """
    email = email.strip().lower()
    # No email holds NUL, and PostgreSQL refuses one in a query: a failed login.
    user = (
        None
        if "\x00" in email
        else session.exec(select(User).where(User.email == email)).first()
    )
    if user is None:
        verify_dummy(password)
        record_event(
            session,
            Actor(None, None, remote_addr),
            AuditAction.LOGIN_FAILED,
            "user",
            None,
            after={"reason": "unknown email"},
        )
        session.commit()
        return None
    actor = Actor(user.id, user.email, remote_addr)
    locked = user.locked_until is not None and user.locked_until > now
    if locked or not user.active or not verify_password(user.password_hash, password):
        if not locked:
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_logins = 0
        reason = "locked" if locked else ("inactive" if not user.active else "password")
        record_event(
            session,
            actor,
            AuditAction.LOGIN_FAILED,
            "user",
            user.id,
            after={"reason": reason},
        )
        session.commit()
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_event(session, actor, AuditAction.LOGIN, "user", user.id)
    session.commit()
    return user


def is_locked(user: User | None, now: datetime) -> bool:
    return (
        user is not None and user.locked_until is not None and user.locked_until > now
    )
