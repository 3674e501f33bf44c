"""Consent forms (versioned texts per kind) and the consents patients give.

A form version is never changed: an admin's edit adds the next version, so a
signature always points at the exact words the patient read. A consent is
never deleted either; withdrawing it fills in when, by whom and why.
"""

from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from pydantic import field_validator
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.consent.kinds import ConsentKind
from planner.consent.kinds import ConsentMethod
from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.validation import strip_text

MAX_FORM_CHARS = 20_000


class ConsentFormBase(SQLModel):
    title: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=20, max_length=MAX_FORM_CHARS)

    @field_validator("title", "body", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return strip_text(value)


class ConsentForm(ConsentFormBase, table=True):
    """One version of one kind of form; the highest version is the current one."""

    __tablename__ = "consent_form"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_consent_form_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: ConsentKind = Field(sa_type=enum_type(ConsentKind))
    version: int = Field(ge=1)
    # None for the shipped text (planner.consent.defaults).
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive on editing a form: the version edited, to refuse a stale edit
class ConsentFormUpdate(ConsentFormBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as SQLModelConfig
    version: int = Field(ge=1, le=2**31 - 2)


class ConsentRecord(SQLModel, table=True):
    """A patient's consent to one form version, and its withdrawal if any.

    ``strokes`` is the drawn signature (``planner.consent.strokes``), ``None``
    for a typed signature or a consent recorded with a ``reason``.
    """

    __tablename__ = "consent_record"
    __table_args__ = (Index("ix_consent_record_patient_kind", "patient_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    form_id: int = Field(foreign_key="consent_form.id", index=True)
    kind: ConsentKind = Field(sa_type=enum_type(ConsentKind))
    form_version: int = Field(ge=1)
    method: ConsentMethod = Field(sa_type=enum_type(ConsentMethod))
    printed_name: str | None = Field(default=None, max_length=200)
    strokes: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    reason: str | None = Field(default=None, max_length=500)
    signed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The clinician who witnessed the signature (or recorded the reason).
    witness_id: int = Field(foreign_key="user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user.id")
    withdrawal_reason: str | None = Field(default=None, max_length=500)


# Properties to receive on signing at the tablet
class ConsentSign(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above
    form_id: int = Field(ge=1, le=2**31 - 2)
    printed_name: str = Field(min_length=2, max_length=200)
    method: ConsentMethod
    # Drawn: the strokes' JSON; typed: the box saying the typed name is the signature.
    strokes: str = Field(default="", max_length=100_000)
    typed_confirm: bool = False

    @field_validator("printed_name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return strip_text(value)


# Properties to receive on recording a consent given elsewhere
class ConsentElsewhere(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above
    form_id: int = Field(ge=1, le=2**31 - 2)
    reason: str = Field(min_length=5, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return strip_text(value)


# Properties to receive on withdrawing a consent
class ConsentWithdraw(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above
    # Required: "not given" is an answer too.
    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return strip_text(value)
