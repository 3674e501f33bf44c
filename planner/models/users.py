"""Clinicians and staff who log in."""

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
    """A login. Who is logged in where is ``LoginSession``; failed logins are
    counted in ``LoginThrottle`` (planner/models/logins.py)."""

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # SHA-256 of the secret in the clinician's private calendar feed address
    # (planner.services.calendar_files): the address is shown once and never
    # stored, so a copy of the database opens no feed. Revoked by clearing it,
    # and cleared when the password is reset, the role changes or the login is
    # deactivated.
    feed_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # Professional registration (e.g. "GMC 1234567"), printed beside a signature.
    registration_number: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive on user creation
class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)
