"""The patient's diary between visits: a private link per cycle, and its entries."""

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import utc_now


class DiaryLink(SQLModel, table=True):
    """One cycle's private diary address, opened by a random token with no account.

    Only the token's SHA-256 is kept, and the nonce it is derived from is no
    use without the app's key, so a copy of the database opens no diary.
    The link works until ``expires_at`` (a clinic setting from its issue), the
    patient's next signed treatment (``ended_at``) or a clinician's revocation,
    whichever comes first; it is never deleted, so the trail can name it.
    """

    __tablename__ = "diary_link"

    id: int | None = Field(default=None, primary_key=True)
    # The full treatment whose cycle the diary describes.
    session_id: int = Field(foreign_key="treatment_session.id", unique=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    # The random value the token is derived from with the app's key (never
    # stored): the app can print the link again. None on links issued before.
    token_nonce: str | None = Field(default=None, max_length=64)
    issued_by_id: int = Field(foreign_key="user.id")
    issued_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    # When the patient was last emailed an invitation to the weekly check.
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DiaryEntry(SQLModel, table=True):
    """One thing the patient recorded through the diary link, as they said it.

    ``kind`` is onset, side_effect, weekly, saq or wear_off; ``answers`` holds
    the answers as validated (dates as ISO text). A questionnaire is stored as an
    ``Assessment`` too (``assessment_id``), and onset and wear-off days fill the
    cycle's response where the clinic has not recorded them.
    """

    __tablename__ = "diary_entry"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="diary_link.id", index=True)
    session_id: int = Field(foreign_key="treatment_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id")
    kind: str = Field(max_length=20)
    # When in the cycle: "day 3", "2 weeks", "wear-off" (days after treatment).
    timepoint: str = Field(max_length=20)
    day: date
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # A side effect the clinic must call about (or act on at once, if urgent).
    needs_call: bool = False
    urgent: bool = False
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    entered_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # Set when the clinic has acted on it (called, booked): it leaves the worklist.
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by_id: int | None = Field(default=None, foreign_key="user.id")
