"""The clinic's reference doses per muscle: Botox's per-point range and tap default.

Each muscle's ``dose.<muscle>`` setting holds its low, high and default dose per
injection point in onabotulinumtoxinA units, seeded from the clinical reference
with its source; a muscle with no usable setting falls back to the shipped
reference. No other product's doses are read from them (``dose_rules``).
"""

from collections.abc import Mapping
from typing import Annotated
from typing import Any
from typing import NamedTuple
from typing import Self

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import model_validator
from sqlalchemy import bindparam
from sqlalchemy import select as select_core
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import NotFound
from planner.models import ClinicSetting
from planner.reference import MUSCLE_DOSES
from planner.services.settings_history import SettingAsOf
from planner.validation import to_number

DOSE_PREFIX = "dose."
MAX_DOSE_UNITS = 100.0
DOSE_STEP = 0.25


def _dose_units(value: float) -> float:
    if not 0 < value <= MAX_DOSE_UNITS:
        raise ValueError(f"must be more than 0 and at most {MAX_DOSE_UNITS:g} units")
    steps = value / DOSE_STEP
    if abs(steps - round(steps)) > 1e-9:
        raise ValueError(f"must be in steps of {DOSE_STEP:g} units")
    return round(steps) * DOSE_STEP


DoseUnits = Annotated[float, BeforeValidator(to_number), AfterValidator(_dose_units)]


# Properties to receive on editing a reference dose (onabotulinumtoxinA units)
class DoseValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low: DoseUnits
    high: DoseUnits
    default: DoseUnits

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError("high: must not be less than the low end")
        if not self.low <= self.default <= self.high:
            raise ValueError("default: must lie between the low and high ends")
        return self


class DoseReference(NamedTuple):
    """A muscle's reference dose per injection point, with where it came from."""

    low: float
    high: float
    default: float
    source: str | None
    unsourced: bool


def _reference_from_value(value: Any) -> tuple[float, float, float] | None:
    if not isinstance(value, dict):
        return None
    try:
        return float(value["low"]), float(value["high"]), float(value["default"])
    except (KeyError, TypeError, ValueError):
        return None


def dose_ranges(
    session: Session, stored: Mapping[str, SettingAsOf] | None = None
) -> dict[str, DoseReference]:
    """Return each muscle's reference dose per point, the clinic's where set.

    ``stored`` holds the settings as they stood at a moment
    (``settings_history.settings_as_of``); None reads today's. A muscle with no
    usable setting falls back to the shipped reference.
    """
    if stored is None:
        stored = {
            row.key: SettingAsOf(row.value, row.source, row.unsourced)
            for row in session.exec(
                select(ClinicSetting).where(
                    col(ClinicSetting.key).startswith(DOSE_PREFIX)
                )
            ).all()
        }
    ranges: dict[str, DoseReference] = {}
    for dose in MUSCLE_DOSES:
        setting = stored.get(DOSE_PREFIX + dose.muscle)
        numbers = _reference_from_value(setting.value) if setting else None
        if setting is not None and numbers is not None:
            ranges[dose.muscle] = DoseReference(
                *numbers, setting.source, setting.unsourced
            )
        else:
            ranges[dose.muscle] = DoseReference(
                float(dose.low),
                float(dose.high),
                float(dose.default),
                dose.source,
                dose.unsourced,
            )
    return ranges


_SETTINGS = ClinicSetting.__table__  # type: ignore[attr-defined]  # set by SQLModel
# Built once: every tap without a dose runs it.
_SETTING_VALUE = select_core(_SETTINGS.c.value).where(
    _SETTINGS.c.key == bindparam("key")
)


def dose_default(session: Session, muscle: str) -> float:
    """Return the default dose per point for a muscle, in onabotulinumtoxinA units.

    :raises NotFound: for a muscle with no reference dose.
    """
    row = (
        session.connection()
        .execute(_SETTING_VALUE, {"key": DOSE_PREFIX + muscle})
        .first()
    )
    numbers = _reference_from_value(row.value) if row is not None else None
    if numbers is not None:
        return numbers[2]
    for dose in MUSCLE_DOSES:
        if dose.muscle == muscle:
            return float(dose.default)
    raise NotFound(f"There is no reference dose for {muscle!r}.")
