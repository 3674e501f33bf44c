"""Patients and their palsy history."""

from datetime import date
from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from pydantic import EmailStr
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import AffectedSide
from planner.models.enums import PalsyCause
from planner.models.enums import Sex

EARLIEST_BIRTH = date(1900, 1, 1)

# The contraindication and caution flags, as the patient page and the chart name them.
CONTRAINDICATION_LABELS = {
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "neuromuscular_disease": "Neuromuscular disease",
    "aminoglycosides": "Taking aminoglycosides",
    "toxin_allergy": "Allergy to botulinum toxin",
}
# The clinical flags: what the chair's checks read from the patient record. Only an
# injector or an admin changes them (services.clinical_flags); toxin given
# elsewhere (OutsideTreatment) is the last of them and has its own table.
CLINICAL_FLAGS = (*CONTRAINDICATION_LABELS, "affected_side")


def _on_or_after_earliest(value: date) -> date:
    if value < EARLIEST_BIRTH:
        raise ValueError("must be on or after 1900-01-01")
    return value


# The validation context's key for the clinic's calendar day, which no date of
# birth or palsy onset may follow: ``model_validate(data, context={TODAY: day})``.
TODAY = "today"


def _clinic_today(info: ValidationInfo) -> date | None:
    """Return the clinic's day the caller validates against, if it gave one.

    The services always give it (``services.patients``); a read, or the API's
    schema pass before the service runs, has no day and checks no future date.
    """
    today = (info.context or {}).get(TODAY)
    return today if isinstance(today, date) else None


class PatientBase(SQLModel):
    mrn: str = Field(
        min_length=1,
        max_length=32,
        unique=True,
        index=True,
        # SQLModel ignores ``regex``; ``schema_extra`` reaches pydantic's ``pattern``.
        schema_extra={
            "pattern": r"^[A-Za-z0-9][A-Za-z0-9\-/.]*$",
            "description": "Clinic identifier or MRN: letters, digits, - / .",
        },
    )
    given_name: str = Field(min_length=1, max_length=80, index=True)
    family_name: str = Field(min_length=1, max_length=80)
    date_of_birth: date = Field(index=True)
    sex: Sex = Field(default=Sex.UNKNOWN, sa_type=enum_type(Sex))
    phone: str | None = Field(
        default=None, max_length=32, schema_extra={"pattern": r"^[0-9+() \-]*$"}
    )
    email: EmailStr | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)
    cause: PalsyCause = Field(sa_type=enum_type(PalsyCause))
    affected_side: AffectedSide = Field(sa_type=enum_type(AffectedSide))
    onset_date: date | None = None
    pregnant: bool = False
    breastfeeding: bool = False
    neuromuscular_disease: bool = False
    aminoglycosides: bool = False
    toxin_allergy: bool = False
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("mrn", "given_name", "family_name", mode="before")
    @classmethod
    def _strip_required(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("sex", mode="before")
    @classmethod
    def _blank_sex_is_unknown(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return Sex.UNKNOWN
        return value

    @field_validator("phone", "email", "address", "notes", "onset_date", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL text cannot hold NUL, and no real name or note contains one.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date, info: ValidationInfo) -> date:
        _on_or_after_earliest(value)
        today = _clinic_today(info)
        if today is not None and value > today:
            raise ValueError("cannot be in the future")
        return value

    @model_validator(mode="after")
    def _onset_after_birth(self, info: ValidationInfo) -> "PatientBase":
        if self.onset_date is not None:
            if self.onset_date < self.date_of_birth:
                raise ValueError("onset_date: cannot be before the date of birth")
            today = _clinic_today(info)
            if today is not None and self.onset_date > today:
                raise ValueError("onset_date: cannot be in the future")
        return self

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def contraindications(self) -> list[str]:
        """Name each contraindication or caution flag that is set."""
        return [
            label
            for name, label in CONTRAINDICATION_LABELS.items()
            if getattr(self, name)
        ]


class SearchKey(ColumnElement[str]):
    """A name or MRN with its letters folded to lower case, as the search compares it.

    SQLite indexes the column under its NOCASE collation, which folds ASCII letters
    only, as SQLite's ``lower()`` does; PostgreSQL indexes ``lower(column)`` with
    ``text_pattern_ops``, whose byte order makes a prefix a contiguous range. Both
    forms are plain enough for each database's reflection, so the schema test can
    compare these indexes with migration 0003.
    """

    type = String()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[str]) -> None:
        self.column = column


@compiles(SearchKey, "sqlite")
def _sqlite_search_key(element: SearchKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE NOCASE"


@compiles(SearchKey)
def _search_key(element: SearchKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.column, **kw)})"


class Patient(PatientBase, table=True):
    # The list's sort order, so paging deep into it needs no sort.
    __table_args__ = (
        Index("ix_patient_name_order", "family_name", "given_name", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    version: int = 1


def _search_index(name: str, column: str) -> Index:
    table: Table = Patient.__table__  # type: ignore[attr-defined]  # set by SQLModel
    return Index(
        name,
        SearchKey(table.c[column]).label("search_key"),
        postgresql_ops={"search_key": "text_pattern_ops"},
    )


# Case-insensitive prefix search by name or MRN (services.patients); made after the
# class because an expression index needs the table's columns.
_search_index("ix_patient_search_family", "family_name")
_search_index("ix_patient_search_given", "given_name")
_search_index("ix_patient_search_mrn", "mrn")


# Properties to receive on patient creation; unknown fields are refused.
class PatientCreate(PatientBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as SQLModelConfig


# Properties to receive on update: the version the editor saw is required.
class PatientUpdate(PatientBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as above
    # Bounded so neither it nor the next version (+1) overflows a 32-bit column.
    version: int = Field(ge=1, le=2**31 - 2)


# Properties to return through the API
class PatientRead(PatientBase):
    id: int
    version: int
    created_at: datetime
    updated_at: datetime


# A typing-slip guard on one outside treatment, not a dose limit: the chair's cap
# and exposure checks judge the dose.
MAX_OUTSIDE_UNITS = 5000


class OutsideTreatmentBase(SQLModel):
    """Botulinum toxin the patient was given elsewhere, in that product's own units."""

    given_on: date
    product_id: int = Field(foreign_key="product.id", ge=1, le=2**31 - 1)
    units: float = Field(gt=0, le=MAX_OUTSIDE_UNITS)
    indication: str = Field(min_length=1, max_length=120)
    # Where it was given: a cosmetic clinic, a neurology service.
    place: str = Field(min_length=1, max_length=120)

    @field_validator("indication", "place", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        # NUL is refused for every field by planner.validation.parse_input.
        return value.strip() if isinstance(value, str) else value

    _plausible_day = field_validator("given_on")(_on_or_after_earliest)


class OutsideTreatment(OutsideTreatmentBase, table=True):
    __tablename__ = "outside_treatment"
    # The patient's outside toxin by day: the patient page and the chair's
    # 3-month exposure look-back.
    __table_args__ = (
        Index("ix_outside_treatment_patient_given", "patient_id", "given_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


# Properties to receive when an outside treatment is recorded; unknown fields are
# refused.
class OutsideTreatmentCreate(OutsideTreatmentBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # as PatientCreate
