"""Photographs of standard views, their consent and the clinic's set of views.

The images are stored in the database, as bytes in ``photo_image``: ``flask
backup`` then captures them with the records they belong to, and every server of
a clinic on PostgreSQL sees the same photos with no shared folder to set up.
Listing photos reads ``photo`` only; the bytes are read one image at a time.
"""

from datetime import datetime

from pydantic import ConfigDict
from pydantic import field_validator
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlalchemy import LargeBinary
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import Timepoint
from planner.validation import strip_or_none
from planner.validation import strip_text
from planner.vocabulary import PhotoConsent

# The timepoints a photo is taken at: before the injections, at the review, other.
PHOTO_TIMEPOINTS = (Timepoint.PRE_TREATMENT, Timepoint.REVIEW, Timepoint.OTHER)
SIZES = ("original", "display", "thumbnail")


class PhotoViewBase(SQLModel):
    label: str = Field(min_length=1, max_length=80)
    instruction: str = Field(min_length=1, max_length=200)

    @field_validator("label", "instruction", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return strip_text(value)


class PhotoView(PhotoViewBase, table=True):
    """One standard view of the clinic's set, in the order they are taken.

    Until a clinic edits its set nothing is stored here and the default set
    (``planner.photometry.DEFAULT_VIEWS``) applies.
    """

    __tablename__ = "photo_view"

    code: str = Field(primary_key=True, max_length=40)
    position: int = Field(ge=1)
    active: bool = True
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive on adding a view
class PhotoViewCreate(PhotoViewBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as SQLModelConfig


# Properties to receive on editing a view: a hidden view is not offered at capture.
class PhotoViewUpdate(PhotoViewBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above
    position: int = Field(ge=1, le=99)
    active: bool = False
    # 0 for a default view the clinic has not edited yet.
    version: int = Field(ge=0, le=2**31 - 2)


class PhotoConsentBase(SQLModel):
    consent: PhotoConsent = Field(sa_type=enum_type(PhotoConsent))
    note: str | None = Field(default=None, max_length=500)

    @field_validator("note", mode="before")
    @classmethod
    def _blank_note(cls, value: object) -> object:
        return strip_or_none(value)


class PhotoConsentRecord(PhotoConsentBase, table=True):
    """A patient's answer about photographs; the latest one is in force."""

    __tablename__ = "photo_consent"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive on recording consent (or its withdrawal)
class PhotoConsentCreate(PhotoConsentBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above


class Photo(SQLModel, table=True):
    """One photograph of one view, for a patient's cycle at a timepoint.

    ``session_id`` is the full treatment that opened the cycle. Points are the
    clinician's marks in the original's pixels, by ``planner.photometry``
    landmark key: ``{"pupil_right": [x, y], ...}``. A retake is a newer photo of
    the same view; the newest is the one compared.
    """

    __tablename__ = "photo"
    __table_args__ = (
        Index("ix_photo_patient_view", "patient_id", "view_code", "timepoint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    session_id: int = Field(foreign_key="treatment_session.id", index=True)
    view_code: str = Field(max_length=40)
    timepoint: Timepoint = Field(sa_type=enum_type(Timepoint))
    taken_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    taken_by_id: int = Field(foreign_key="user.id")
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    points: dict[str, list[float]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # The distance between the two ruler marks, when a ruler is in the photo.
    ruler_mm: float | None = Field(default=None, gt=0, le=1000)
    marked_by_id: int | None = Field(default=None, foreign_key="user.id")
    marked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class PhotoImage(SQLModel, table=True):
    """One stored JPEG of a photo: ``original``, ``display`` or ``thumbnail``."""

    __tablename__ = "photo_image"

    photo_id: int = Field(foreign_key="photo.id", primary_key=True)
    size: str = Field(primary_key=True, max_length=16)
    content_type: str = Field(max_length=40)
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
