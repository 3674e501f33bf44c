"""Server-side login sessions: opened at login, checked on each request, ended for good.

The browser's cookie carries only a random token. Each request looks the token
up here: a session that was ended (logout, idle timeout, a password, role or
active change, an admin) or that belongs to an inactive login is refused, so a
copied cookie dies with the session, whatever the cookie says.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import update
from sqlmodel import Session

from planner.models import LoginSession
from planner.models import Role
from planner.models import User

_SESSIONS: Table = LoginSession.__table__  # type: ignore[attr-defined]  # set by SQLModel
_USERS: Table = User.__table__  # type: ignore[attr-defined]  # set by SQLModel

# How stale "last seen" may get before a request writes it again: whole minutes
# matter for the idle timeout, and a write on every click would cost a commit.
TOUCH_AFTER = timedelta(seconds=30)
TOKEN_BYTES = 32
MAX_TOKEN = 100
MAX_USER_AGENT = 200


@dataclass(frozen=True)
class SignedInUser:
    """The logged-in user as a request sees it: read once, detached from the ORM.

    It satisfies Flask-Login's user protocol; its id is the session's token, so
    the cookie names a session, not a user. Being a plain value, nothing a view
    does to it can write to the users table by accident.
    """

    id: int
    email: str
    name: str
    role: Role
    session_id: int
    token: str
    # A patient holds the tablet (the self-entry kiosk).
    kiosk: bool = False
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token


@dataclass(frozen=True)
class SessionCheck:
    """What a request's token turned out to be: a user, or nobody (and why)."""

    user: SignedInUser | None
    timed_out: bool = False


@dataclass(frozen=True)
class OpenSession:
    """One open login session, as an admin's list shows it."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    client: str | None
    user_agent: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def short_agent(user_agent: str | None) -> str | None:
    return user_agent[:MAX_USER_AGENT] if user_agent else None


@dataclass(frozen=True)
class NewSession:
    """A session just opened: its id, and the token only the browser will keep."""

    id: int
    token: str


def open_session(
    session: Session,
    *,
    user_id: int,
    client: str | None,
    user_agent: str | None,
    now: datetime,
) -> NewSession:
    """Add a new login session and return its id and token; the caller commits."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LoginSession(
        token_hash=token_hash(token),
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        client=client,
        user_agent=short_agent(user_agent),
    )
    session.add(row)
    session.flush()
    assert row.id is not None  # the flush assigned it
    return NewSession(row.id, token)


_CURRENT = (
    select(
        _USERS.c.id,
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.role,
        _SESSIONS.c.id.label("session_id"),
        _SESSIONS.c.last_seen_at,
        _SESSIONS.c.client,
        _SESSIONS.c.user_agent,
        _SESSIONS.c.kiosk.is_not(None).label("kiosk"),
    )
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .where(
        _SESSIONS.c.token_hash == bindparam("token_hash"),
        _SESSIONS.c.revoked_at.is_(None),
        _USERS.c.active.is_(True),
    )
)


def _open_row(
    session: Session, token: str, *, client: str | None, user_agent: str | None
) -> Row[Any] | None:
    """Return the open session of a token seen from the client that opened it."""
    if not token or len(token) > MAX_TOKEN:
        return None
    # Built once, above: every request runs it.
    row = (
        session.connection()
        .execute(_CURRENT, {"token_hash": token_hash(token)})
        .first()
    )
    if row is None or row.client != client:
        return None
    if row.user_agent != short_agent(user_agent):
        return None
    return row


def signed_in_user(
    session: Session,
    token: str,
    *,
    client: str | None,
    user_agent: str | None,
    now: datetime,
    idle: timedelta,
) -> SessionCheck:
    """Return who an open session's token belongs to, or nobody.

    A session seen from another client (address or browser) than the one that
    opened it is refused for this request only: the owner's own browser goes on
    working. One idle past ``idle`` is ended for good.
    """
    row = _open_row(session, token, client=client, user_agent=user_agent)
    if row is None:
        return SessionCheck(None)
    if now - row.last_seen_at > idle:
        end_session(session, row.session_id, reason="idle", now=now)
        session.commit()
        return SessionCheck(None, timed_out=True)
    if now - row.last_seen_at > TOUCH_AFTER:
        session.connection().execute(
            update(_SESSIONS)
            .where(_SESSIONS.c.id == row.session_id)
            .values(last_seen_at=now)
        )
        session.commit()
    return SessionCheck(
        SignedInUser(
            id=row.id,
            email=row.email,
            name=row.name,
            role=Role(row.role),
            session_id=row.session_id,
            token=token,
            kiosk=bool(row.kiosk),
        )
    )


def seconds_left(
    session: Session,
    token: str,
    *,
    client: str | None,
    user_agent: str | None,
    now: datetime,
    idle: timedelta,
) -> float:
    """Return how long an open session has before the idle timeout ends it.

    Nothing is written: asking must not count as activity, or the page's own
    question would keep an idle login open for ever. A token that would be
    refused (unknown, ended, another client, past the timeout) has 0 left.
    """
    row = _open_row(session, token, client=client, user_agent=user_agent)
    if row is None:
        return 0.0
    last_seen: datetime = row.last_seen_at
    return max(0.0, (last_seen + idle - now).total_seconds())


def keep_alive(session: Session, session_id: int, *, now: datetime) -> None:
    """Mark an open session seen now (the caller commits): the user stays signed in."""
    session.connection().execute(
        update(_SESSIONS)
        .where(_SESSIONS.c.id == session_id, _SESSIONS.c.revoked_at.is_(None))
        .values(last_seen_at=now)
    )


def _end(session: Session, *where: Any, reason: str, now: datetime) -> int:
    """End the open sessions ``where`` selects, dropping any kiosk answers."""
    result = session.connection().execute(
        update(_SESSIONS)
        .where(*where, _SESSIONS.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason, kiosk=None)
    )
    return int(result.rowcount or 0)


def end_session(
    session: Session, session_id: int, *, reason: str, now: datetime
) -> int:
    """End one session for good (the caller commits); return 1 if it was open."""
    return _end(session, _SESSIONS.c.id == session_id, reason=reason, now=now)


def end_own_session(
    session: Session, user_id: int, session_id: int, *, reason: str, now: datetime
) -> int:
    """End one session of this login (the caller commits); 0 if not one of its."""
    return _end(
        session,
        _SESSIONS.c.id == session_id,
        _SESSIONS.c.user_id == user_id,
        reason=reason,
        now=now,
    )


def end_user_sessions(
    session: Session, user_id: int, *, reason: str, now: datetime
) -> int:
    """End every open session of a login (the caller commits); return how many."""
    return _end(session, _SESSIONS.c.user_id == user_id, reason=reason, now=now)


def open_sessions(
    session: Session, user_id: int, *, now: datetime, idle: timedelta
) -> list[OpenSession]:
    """List a login's sessions that still work, newest first."""
    rows = session.connection().execute(
        select(
            _SESSIONS.c.id,
            _SESSIONS.c.created_at,
            _SESSIONS.c.last_seen_at,
            _SESSIONS.c.client,
            _SESSIONS.c.user_agent,
        )
        .where(
            _SESSIONS.c.user_id == user_id,
            _SESSIONS.c.revoked_at.is_(None),
            _SESSIONS.c.last_seen_at >= now - idle,
        )
        .order_by(_SESSIONS.c.last_seen_at.desc(), _SESSIONS.c.id.desc())
    )
    return [OpenSession(**row._mapping) for row in rows]


def kiosk_state(session: Session, session_id: int) -> dict[str, Any] | None:
    """Return the self-entry kiosk's progress kept with this session, if any."""
    state = session.connection().execute(
        select(_SESSIONS.c.kiosk).where(
            _SESSIONS.c.id == session_id, _SESSIONS.c.revoked_at.is_(None)
        )
    )
    found = state.scalar()
    return found if isinstance(found, dict) else None


def save_kiosk(session: Session, session_id: int, state: dict[str, Any] | None) -> None:
    """Keep (or, with None, drop) the kiosk's progress with this session, and commit."""
    session.connection().execute(
        update(_SESSIONS)
        .where(_SESSIONS.c.id == session_id, _SESSIONS.c.revoked_at.is_(None))
        .values(kiosk=state)
    )
    session.commit()
