"""User accounts and logging in."""

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlmodel import Session
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import AuditAction
from planner.models import Role
from planner.models import User
from planner.models import UserCreate
from planner.passwords import hash_password
from planner.passwords import needs_rehash
from planner.passwords import password_problems
from planner.passwords import verify_dummy
from planner.passwords import verify_password
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.login_sessions import SignedInUser
from planner.services.login_sessions import end_session
from planner.services.login_sessions import end_user_sessions
from planner.services.login_sessions import open_session
from planner.services.login_throttle import ThrottleRules
from planner.services.login_throttle import clear_login
from planner.services.login_throttle import forget_failures
from planner.services.login_throttle import is_known_client
from planner.services.login_throttle import login_wait
from planner.services.login_throttle import normalised
from planner.services.login_throttle import note_failure
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


def set_password(
    session: Session,
    actor: Actor,
    *,
    email: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Give a login a new password that meets the rules.

    Everything the old password opened closes with it: the login's sessions
    end, its calendar feed address stops working and its failed-login counts
    are cleared.
    """
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
    assert user.id is not None
    user.password_hash = hash_password(password)
    after: dict[str, Any] = {"password": "changed"}
    after["sessions_ended"] = end_user_sessions(
        session, user.id, reason="password changed", now=now or utc_now()
    )
    if user.feed_token_hash is not None:
        user.feed_token_hash = None
        after["feed_token"] = "revoked"
    clear_login(session, email=user.email)
    # The hash itself never goes into the trail.
    save_user_change(session, actor, user, after=after)
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
class LoginAttempt:
    """A password check asked for, and who asked, as the request gave them."""

    email: str
    password: str
    client: str | None
    user_agent: str | None
    now: datetime


@dataclass(frozen=True)
class LoginResult:
    """The logged-in user, or nobody; ``wait`` > 0 when refused unchecked."""

    user: SignedInUser | None
    wait: timedelta = timedelta(0)


def _refused(
    session: Session,
    actor: Actor,
    user_id: int | None,
    reason: str,
    wait: timedelta = timedelta(0),
) -> LoginResult:
    """Audit a refused login, and commit."""
    record_event(
        session,
        actor,
        AuditAction.LOGIN_FAILED,
        "user",
        user_id,
        after={"reason": reason},
    )
    session.commit()
    return LoginResult(None, wait)


def log_in(
    session: Session, attempt: LoginAttempt, rules: ThrottleRules
) -> LoginResult:
    """Check a password and open a login session, or count and audit the failure.

    Every password check costs one argon2 verification whatever the account's
    state: an unknown email is checked against a dummy hash, an inactive login
    against its own, so response times do not tell which emails exist or
    which logins are switched off. A client still waiting out a delay
    (planner.services.login_throttle) is refused without a check.
    """
    email = normalised(attempt.email)
    # No email holds NUL, and PostgreSQL refuses one in a query: a failed login.
    user = (
        None
        if "\x00" in email
        else session.exec(select(User).where(User.email == email)).first()
    )
    known = is_known_client(
        session,
        user_id=user.id if user is not None else 0,
        client=attempt.client,
        now=attempt.now,
    )
    wait = login_wait(
        session,
        email=email,
        client=attempt.client,
        known_client=known,
        now=attempt.now,
        rules=rules,
    )
    actor = (
        Actor(None, None, attempt.client)
        if user is None
        else Actor(user.id, user.email, attempt.client)
    )
    entity_id = None if user is None else user.id
    if wait > timedelta(0):
        return _refused(session, actor, entity_id, "throttled", wait)
    if user is None:
        verify_dummy(attempt.password)
        matches, reason = False, "unknown email"
    else:
        matches = verify_password(user.password_hash, attempt.password)
        reason = "password" if user.active else "inactive"
    if user is None or not user.active or not matches:
        note_failure(session, email=email, client=attempt.client, now=attempt.now)
        return _refused(session, actor, entity_id, reason)
    assert user.id is not None
    forget_failures(session, email=email, client=attempt.client)
    user.last_login_at = attempt.now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(attempt.password)
    opened = open_session(
        session,
        user_id=user.id,
        client=attempt.client,
        user_agent=attempt.user_agent,
        now=attempt.now,
    )
    record_event(
        session, actor, AuditAction.LOGIN, "user", user.id, after={"session": opened.id}
    )
    session.commit()
    return LoginResult(
        SignedInUser(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            session_id=opened.id,
            token=opened.token,
        )
    )


def log_out(session: Session, actor: Actor, session_id: int, *, now: datetime) -> None:
    """End the login session for good and note the logout in the trail."""
    end_session(session, session_id, reason="logout", now=now)
    record_event(
        session,
        actor,
        AuditAction.LOGOUT,
        "user",
        actor.user_id,
        after={"session": session_id},
    )
    session.commit()


@dataclass(frozen=True)
class KioskUnlock:
    """Whether the kiosk's password was right; ``wait`` > 0 when refused unchecked."""

    unlocked: bool
    wait: timedelta = timedelta(0)


def unlock_kiosk(
    session: Session, attempt: LoginAttempt, rules: ThrottleRules
) -> KioskUnlock:
    """Check the clinician's password at the self-entry kiosk, like a login.

    The same throttle and the same trail as the login form: a patient holding
    the tablet cannot guess the clinician's password faster than a stranger at
    the door. ``attempt.email`` is the logged-in clinician's.
    """
    email = normalised(attempt.email)
    user = session.exec(select(User).where(User.email == email)).one()
    actor = Actor(user.id, user.email, attempt.client)
    wait = login_wait(
        session,
        email=email,
        client=attempt.client,
        known_client=True,
        now=attempt.now,
        rules=rules,
    )
    if wait > timedelta(0):
        reason, ok = "throttled", False
    else:
        ok = verify_password(user.password_hash, attempt.password)
        reason = "password"
        if not ok:
            note_failure(session, email=email, client=attempt.client, now=attempt.now)
    if ok:
        forget_failures(session, email=email, client=attempt.client)
    record_event(
        session,
        actor,
        AuditAction.LOGIN if ok else AuditAction.LOGIN_FAILED,
        "user",
        user.id,
        after={"at": "kiosk unlock"}
        if ok
        else {"at": "kiosk unlock", "reason": reason},
    )
    session.commit()
    return KioskUnlock(ok, wait)
