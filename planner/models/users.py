"""Clinicians and staff who log in."""

import hashlib
from datetime import datetime

from pydantic import EmailStr
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import Role


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    name: str = Field(min_length=1, max_length=120)
    role: Role = Field(sa_type=enum_type(Role))


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Secret for the clinician's private calendar feed; revoked by replacing it.
    feed_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    # Flask-Login's user protocol, kept here so the model is the single user type.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return session_key(self.id, self.password_hash)


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of the stored hash, which changes with every new password.

    The argon2 hash carries a fresh salt, so setting a password (even the same
    one) gives a new stamp. A SHA-256 prefix of the hash says nothing about the
    password itself.
    """
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def session_key(user_id: int | None, password_hash: str) -> str:
    """What the session cookie holds for a login: its id and its password stamp.

    A new password changes the stamp, so every session opened with the old one
    stops working on its next request.
    """
    return f"{user_id}.{password_stamp(password_hash)}"


# Properties to receive on user creation
class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)
