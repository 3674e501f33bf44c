"""What a tablet sends to change a chart: the chart API's request bodies.

Each is checked here, before any row is read: numbers are finite and in range,
a tap has both coordinates or a muscle and side, a dose left out or set to none
says why. ``services.chart`` then applies them under the session's version.
"""

import math

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

from planner.dosing import MIN_DOSE_UNITS
from planner.models import Side
from planner.services.sessions import MAX_VERSION
from planner.services.site_numbers import MAX_SITE_NUMBER

MAX_UNITS = 400.0


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class SiteCreate(BaseModel):
    """A tap at (x, y) on the map, or a muscle and side chosen from a list."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
    x: float | None = Field(default=None, ge=0, le=2000)
    y: float | None = Field(default=None, ge=0, le=2000)
    muscle: str | None = Field(default=None, max_length=40)
    side: Side | None = None
    units: float | None = Field(
        default=None,
        ge=MIN_DOSE_UNITS,
        le=MAX_UNITS,
        description=(
            "The dose, in the session product's units. Left out: the product's"
            " tap default for the muscle, if it has one. null: no dose, to enter"
            " (an undo putting back a site that had none)."
        ),
    )
    unset_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="With units null: why the dose is to enter, as the site said.",
    )
    vial_lot_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VERSION,
        description=(
            "An undo putting back a site: the vial it was drawn from, one of this"
            " chart's vials of its product. Left out: the vial in use."
        ),
    )
    number: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SITE_NUMBER,
        description=(
            "An undo putting back a deleted site: the number it had, kept while no"
            " site holds it. Left out: one past the highest."
        ),
    )
    # Place a site on a muscle a procedure excised or denervated (issue 22).
    confirm_treated_muscle: bool = False

    _finite_values = field_validator("x", "y", "units")(_finite)

    @field_validator("unset_reason")
    @classmethod
    def _reason_text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _where(self) -> "SiteCreate":
        by_point = self.x is not None and self.y is not None
        by_muscle = self.muscle is not None and self.side is not None
        if by_point == by_muscle:
            raise ValueError("x: give either x and y, or muscle and side")
        if self.unset_reason is not None and not self.dose_left_unset:
            raise ValueError("unset_reason: give it only with units null")
        return self

    @property
    def dose_left_unset(self) -> bool:
        """``units`` sent as null: no dose, not the product's default."""
        return "units" in self.model_fields_set and self.units is None


class SiteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
    units: float | None = Field(default=None, ge=MIN_DOSE_UNITS, le=MAX_UNITS)
    x: float | None = Field(default=None, ge=0, le=2000)
    y: float | None = Field(default=None, ge=0, le=2000)
    # Move a site onto a muscle a procedure excised or denervated (issue 22).
    confirm_treated_muscle: bool = False

    _finite_values = field_validator("x", "y", "units")(_finite)

    @model_validator(mode="after")
    def _something(self) -> "SiteUpdate":
        if (self.x is None) != (self.y is None):
            raise ValueError("x: give both x and y to move a site")
        if self.units is None and self.x is None:
            raise ValueError("units: give units, or x and y, to change")
        return self


class VersionOnly(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
