"""Turn units of one toxin product into volumes, syringe marks and vials.

Units are never converted between products, and this package has no function that
does so. Every label says the product's potency units "cannot be compared to nor
converted into units of any other botulinum toxin product" ([S21] [S22] [S23] [S26]
[S27] [S28], clinical reference §2.1). Every function here works within one product:
its units, its vial and its diluent.

Arithmetic keeps full float precision; rounding happens only in the ``format_*``
helpers, for display.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal
from numbers import Real

# A U-100 insulin syringe is graduated in insulin units: 100 marks per mL.
MARKS_PER_ML = 100.0
# Barrel sizes of U-100 insulin syringes (30, 50 and 100 marks), smallest first.
SYRINGE_SIZES_ML: tuple[float, ...] = (0.3, 0.5, 1.0)
# Float sums of doses such as 0.1 U carry noise far below anything measurable.
_TOLERANCE = 1e-9
# The smallest dose a site may record: far below any dose given, and far above the
# tiny positive floats (5e-324) whose volume underflows to 0 mL and breaks the chart.
MIN_DOSE_UNITS = 0.01


@dataclass(frozen=True)
class SyringeDraw:
    """A dose as drawn: volume in mL, marks on a U-100 syringe, smallest barrel."""

    volume_ml: float
    marks: float
    # None when the volume is more than 1 mL and needs more than one syringe.
    syringe_ml: float | None


def require_positive(name: str, value: float) -> float:
    """Return ``value`` if it is a finite number above 0; raise ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number above 0, got {value!r}")
    return float(value)


def require_non_negative(name: str, value: float) -> float:
    """Return ``value`` if it is a finite number of 0 or more; raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of 0 or more, got {value!r}")
    return float(value)


def concentration(vial_units: float, diluent_ml: float) -> float:
    """Return the reconstituted concentration in units per mL."""
    return require_positive("vial_units", vial_units) / require_positive(
        "diluent_ml", diluent_ml
    )


def units_per_tenth_ml(vial_units: float, diluent_ml: float) -> float:
    """Return units per 0.1 mL, the figure the labels' dilution tables give."""
    return concentration(vial_units, diluent_ml) / 10


def volume_ml(units: float, vial_units: float, diluent_ml: float) -> float:
    """Return the volume in mL that holds ``units`` of this reconstituted vial."""
    units = require_positive("units", units)
    vial_units = require_positive("vial_units", vial_units)
    diluent_ml = require_positive("diluent_ml", diluent_ml)
    # Multiply first: one rounding step, so label examples come out exact (20 U -> 0.5).
    return units * diluent_ml / vial_units


def syringe_marks(volume_ml: float) -> float:
    """Return the marks on a U-100 insulin syringe for a volume in mL (1 mL = 100)."""
    return require_positive("volume_ml", volume_ml) * MARKS_PER_ML


def syringe_size_ml(volume_ml: float) -> float | None:
    """Return the smallest U-100 syringe (0.3, 0.5 or 1 mL) that holds the volume."""
    volume_ml = require_positive("volume_ml", volume_ml)
    for size in SYRINGE_SIZES_ML:
        if volume_ml <= size + _TOLERANCE:
            return size
    return None


def syringe_draw(units: float, vial_units: float, diluent_ml: float) -> SyringeDraw:
    """Return volume, syringe marks and syringe size for one dose."""
    volume = volume_ml(units, vial_units, diluent_ml)
    return SyringeDraw(
        volume_ml=volume,
        marks=syringe_marks(volume),
        syringe_ml=syringe_size_ml(volume),
    )


def vials_used(total_units: float, vial_units: float) -> int:
    """Return how many vials a session total needs (0 for an empty chart)."""
    total_units = require_non_negative("total_units", total_units)
    vial_units = require_positive("vial_units", vial_units)
    # The tolerance keeps float noise (100.00000000000001 U) from opening a vial.
    return max(0, math.ceil(total_units / vial_units - _TOLERANCE))


def remaining_units(total_units: float, vial_units: float) -> float:
    """Return the units left in the last opened vial after the session total."""
    opened = vials_used(total_units, vial_units) * float(vial_units)
    return max(0.0, opened - total_units)


def _round_half_up(value: float, places: int) -> Decimal:
    # Decimal(repr) avoids binary artefacts: 0.125 rounds to 0.13, as on paper.
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


# Volumes are shown to 0.001 mL (1 µL): at 100 U/mL, 1.5 U is 0.015 mL; rounded to
# 0.01 mL it would read a third too small, and 0.5 U twice too large.
VOLUME_PLACES = 3


def format_volume_ml(volume_ml: float) -> str:
    """Format a volume to 0.001 mL: ``0.0625`` -> ``"0.063 mL"``, ``0.015`` as is.

    The one volume format of the chair, the record, the cycles page and the API.
    """
    volume_ml = require_non_negative("volume_ml", volume_ml)
    return f"{_round_half_up(volume_ml, VOLUME_PLACES)} mL"


def format_marks(marks: float) -> str:
    """Format U-100 syringe marks to 0.1 without trailing zeros: 1.50 -> ``"1.5"``."""
    marks = require_non_negative("marks", marks)
    text = f"{_round_half_up(marks, 1):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_draw(draw: SyringeDraw) -> str:
    """Say what to draw: ``"0.015 mL · 1.5 marks (0.3 mL syringe)"``."""
    barrel = (
        f" ({format_units(draw.syringe_ml)} mL syringe)"
        if draw.syringe_ml is not None
        else " (more than one syringe)"
    )
    marks = format_marks(draw.marks)
    noun = "mark" if marks == "1" else "marks"
    return f"{format_volume_ml(draw.volume_ml)} · {marks} {noun}{barrel}"


def format_dose(units: float, unit_name: str) -> str:
    """Write a dose with its product's unit: ``"2.5 U (Speywood)"``."""
    return f"{format_units(units)} {unit_name}"


def format_units(units: float) -> str:
    """Format units to at most 0.01 U without trailing zeros: 2.50 -> ``"2.5"``."""
    units = require_non_negative("units", units)
    text = f"{_round_half_up(units, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
