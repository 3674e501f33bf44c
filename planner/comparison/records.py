"""Plain inputs to the comparison: cycles with their sites, scores and responses.

Built by the calling service from the database rows; nothing here knows about ORM
objects. Positions are face-map viewBox units (about 20 per cm on front-v1) and
units are always the cycle product's own units.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from planner.vocabulary import SIDES
from planner.vocabulary import require_choice

Side = Literal["left", "right", "midline"]


def _require_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def _require_optional_non_negative(name: str, value: float | None) -> None:
    # NaN is allowed and means "not recorded", as None does.
    if value is not None and value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")


@dataclass(frozen=True)
class SitePoint:
    """One injection point of a cycle: where, into which muscle, how many units.

    ``top_up`` marks a point given at a top-up, after the cycle's review.
    """

    number: int
    muscle: str
    side: Side
    x: float
    y: float
    units: float
    top_up: bool = False

    def __post_init__(self) -> None:
        require_choice("side", self.side, SIDES)
        _require_finite("x", self.x)
        _require_finite("y", self.y)
        _require_finite("units", self.units)
        if self.units < 0:
            raise ValueError(f"units must not be negative, got {self.units!r}")


@dataclass(frozen=True)
class CycleSites:
    """Every site given in one treatment cycle, top-ups included, in one product.

    ``cycle`` is the patient's cycle number (1 for the first treatment). A top-up
    belongs to its cycle, so the service merges its sites in here, marked
    ``top_up``.
    """

    cycle: int
    treated_on: date
    product_code: str
    sites: tuple[SitePoint, ...]

    def __post_init__(self) -> None:
        if self.cycle < 1:
            raise ValueError(f"cycle must be 1 or more, got {self.cycle!r}")
        if not self.product_code:
            raise ValueError("product_code must not be empty")

    def full_sites(self) -> tuple[SitePoint, ...]:
        """Return the sites of the full treatment alone, without its top-ups."""
        return tuple(site for site in self.sites if not site.top_up)

    @property
    def full_units(self) -> float:
        """Return the units given at the full treatment."""
        return sum(site.units for site in self.sites if not site.top_up)

    @property
    def top_up_units(self) -> float:
        """Return the units given at top-ups in this cycle."""
        return sum(site.units for site in self.sites if site.top_up)


@dataclass(frozen=True)
class ScorePoint:
    """One assessment's headline score, NaN when it could not be scored.

    ``instrument`` and ``timepoint`` are the stored codes (``"saq"``,
    ``"sunnybrook"``; ``"baseline"``, ``"pre_treatment"``, ``"review"``,
    ``"wear_off"``, ``"other"``). ``cycle`` is the cycle it is filed under
    (``timepoints.file_under``). ``self_entered`` marks a score the patient
    entered (the diary, the clinic's tablet), not the clinician.
    ``after_top_up`` marks a score taken after a top-up of its cycle
    (``timepoints.after_top_up``): it shows the full treatment and the top-up
    together, so it never judges the full treatment's dose. ``from_diary``
    marks a patient's score sent through the diary link (``self_entered``
    too), apart from one entered at the clinic's tablet.
    """

    cycle: int
    assessed_on: date
    instrument: str
    total: float
    timepoint: str = "other"
    self_entered: bool = False
    after_top_up: bool = False
    from_diary: bool = False


@dataclass(frozen=True)
class CycleResponse:
    """How one cycle worked, as recorded; None (or NaN) where it was not recorded.

    ``onset_days`` and ``peak_days`` count days from the injection,
    ``wear_off_weeks`` weeks from it, ``rating`` is the patient's overall 0-10.
    """

    cycle: int
    onset_days: float | None = None
    peak_days: float | None = None
    wear_off_weeks: float | None = None
    rating: float | None = None

    def __post_init__(self) -> None:
        if self.cycle < 1:
            raise ValueError(f"cycle must be 1 or more, got {self.cycle!r}")
        for name in ("onset_days", "peak_days", "wear_off_weeks", "rating"):
            _require_optional_non_negative(name, getattr(self, name))
