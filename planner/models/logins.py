"""Who is logged in where (server-side login sessions), and failed-login counts."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import utc_now


class LoginSession(SQLModel, table=True):
    """One login on one device, from the password check until it is ended.

    The browser's cookie holds a random token; only its SHA-256 is kept here,
    so a copy of the database opens nobody's session. A session ends (is
    revoked, never deleted, so an admin can see what happened) at logout, after
    the idle timeout, and when the login's password, role or active state
    changes or an admin ends it; an ended session never works again.
    """

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The client as the app sees it: the socket's address, or the one a trusted
    # proxy reports (PLANNER_TRUSTED_PROXIES); never a header the client sets.
    client: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=40)
    # The self-entry kiosk's progress while a patient holds the tablet: kept
    # here, not in the browser's readable cookie, as it holds health answers.
    kiosk: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )


class LoginThrottle(SQLModel, table=True):
    """Recent failed password checks for one scope: a client, a login, or both.

    ``key`` is the SHA-256 of the scope and what it names (an email as typed,
    normalised; a client address), so a password typed into the email box by
    mistake is never stored. ``account`` is the SHA-256 of the email alone, so
    an admin's unlock finds every row about one login.
    """

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=64)
    scope: str = Field(max_length=16)
    account: str | None = Field(default=None, max_length=64, index=True)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
