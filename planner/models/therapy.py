"""Treatments beside the toxin: facial therapy courses and surgical procedures.

The clinic's articles combine toxin with neuromuscular retraining (NMRT) between
injections and, when toxin and therapy are not enough, surgery: DAO excision,
selective myectomy, selective neurolysis, brow lift, upper-eyelid surgery, muscle
transfer (issue 22). The muscles a procedure touched are named with the face
map's muscle codes, so the chart can tell a muscle that is no longer there.
"""

from datetime import date
from datetime import datetime

from pydantic import ConfigDict
from pydantic import field_validator
from pydantic import model_validator
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import AffectedSide
from planner.models.patients import EARLIEST_BIRTH
from planner.reference import MUSCLE_DOSES
from planner.validation import blank_as_none
from planner.validation import strip_or_none
from planner.validation import strip_text
from planner.vocabulary import ProcedureKind
from planner.vocabulary import TherapyKind

MUSCLE_CODES = frozenset(dose.muscle for dose in MUSCLE_DOSES)
MAX_SESSIONS = 500
MAX_MUSCLES = 12
# The procedures that leave a muscle excised or denervated: the chart refuses a tap
# there without a confirmation, so they must name the muscles they touched.
NAMES_MUSCLES = frozenset(
    {
        ProcedureKind.DAO_EXCISION,
        ProcedureKind.SELECTIVE_MYECTOMY,
        ProcedureKind.SELECTIVE_NEUROLYSIS,
    }
)


def _plausible_day(value: date) -> date:
    if value < EARLIEST_BIRTH:
        raise ValueError("must be on or after 1900-01-01")
    return value


class TherapyCourseBase(SQLModel):
    """A course of NMRT or facial physiotherapy: from a day, to a day or ongoing."""

    kind: TherapyKind = Field(sa_type=enum_type(TherapyKind))
    started_on: date
    # None while the course goes on.
    ended_on: date | None = None
    therapist: str = Field(min_length=1, max_length=120)
    # The home programme the therapist gave, as the handout points to it.
    home_programme: str | None = Field(default=None, max_length=2000)
    sessions_attended: int | None = Field(default=None, ge=0, le=MAX_SESSIONS)

    _stripped = field_validator("therapist", mode="before")(strip_text)
    _optional_text = field_validator("home_programme", mode="before")(strip_or_none)
    _blank = field_validator("ended_on", "sessions_attended", mode="before")(
        blank_as_none
    )
    _days = field_validator("started_on")(_plausible_day)

    @model_validator(mode="after")
    def _ends_after_start(self) -> "TherapyCourseBase":
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("ended_on: cannot be before the start")
        return self


class TherapyCourse(TherapyCourseBase, table=True):
    __tablename__ = "therapy_course"
    # The patient's courses by start: the patient page, the handout, the trends.
    __table_args__ = (
        Index("ix_therapy_course_patient_started", "patient_id", "started_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive when a therapy course is recorded or edited; unknown fields
# are refused.
class TherapyCourseCreate(TherapyCourseBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as PatientCreate


# Properties to receive when a course is brought up to date: its end, its sessions.
class TherapyCourseUpdate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as PatientCreate

    ended_on: date | None = None
    sessions_attended: int | None = Field(default=None, ge=0, le=MAX_SESSIONS)

    _blank = field_validator("ended_on", "sessions_attended", mode="before")(
        blank_as_none
    )


class ProcedureBase(SQLModel):
    """A surgical procedure for synkinesis, on one side or both."""

    kind: ProcedureKind = Field(sa_type=enum_type(ProcedureKind))
    side: AffectedSide = Field(sa_type=enum_type(AffectedSide))
    performed_on: date
    surgeon: str = Field(min_length=1, max_length=120)
    note: str | None = Field(default=None, max_length=2000)
    # Face-map muscle codes (planner.reference.MUSCLE_DOSES).
    muscles: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )

    _stripped = field_validator("surgeon", mode="before")(strip_text)
    _optional_text = field_validator("note", mode="before")(strip_or_none)
    _days = field_validator("performed_on")(_plausible_day)


class Procedure(ProcedureBase, table=True):
    __tablename__ = "procedure"
    __table_args__ = (
        Index("ix_procedure_patient_performed", "patient_id", "performed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive when a procedure is recorded; a DAO excision with no muscle
# named is the depressor anguli oris.
class ProcedureCreate(ProcedureBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as PatientCreate

    @field_validator("muscles", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value] if value.strip() else []
        return value

    @field_validator("muscles")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in MUSCLE_CODES]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a muscle on the face map")
        if len(value) > MAX_MUSCLES:
            raise ValueError(f"may name at most {MAX_MUSCLES}")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _muscles_named(self) -> "ProcedureCreate":
        if self.kind == ProcedureKind.DAO_EXCISION and not self.muscles:
            self.muscles = ["depressor_anguli_oris"]
        if self.kind in NAMES_MUSCLES and not self.muscles:
            raise ValueError(
                "muscles: name the muscles it excised or denervated, so the chart "
                "knows them"
            )
        return self
