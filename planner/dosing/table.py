"""Build the units-to-volume table for every dilution of a product."""

from collections.abc import Sequence
from dataclasses import dataclass

from planner.dosing.volume import concentration
from planner.dosing.volume import syringe_marks
from planner.dosing.volume import units_per_tenth_ml
from planner.dosing.volume import volume_ml
from planner.reference import ProductReference

# Doses per point seen at the chair, in the product's own units.
COMMON_DOSES_UNITS: tuple[float, ...] = (1.0, 2.0, 2.5, 4.0, 5.0)


@dataclass(frozen=True)
class DoseVolume:
    """One dose in the product's units, its volume in mL and U-100 syringe marks."""

    units: float
    volume_ml: float
    marks: float


@dataclass(frozen=True)
class DilutionRow:
    """One reconstitution of one vial size, with the source it came from."""

    product_code: str
    unit_name: str
    vial_units: int
    diluent_ml: float
    units_per_ml: float
    units_per_tenth_ml: float
    doses: tuple[DoseVolume, ...]
    source: str


def dilution_table(
    product: ProductReference, doses_units: Sequence[float] = COMMON_DOSES_UNITS
) -> tuple[DilutionRow, ...]:
    """Return a row per listed dilution with volumes for common doses (own units)."""
    rows = []
    for dilution in product.dilutions:
        doses = []
        for units in doses_units:
            volume = volume_ml(units, dilution.vial_units, dilution.diluent_ml)
            doses.append(DoseVolume(units, volume, syringe_marks(volume)))
        rows.append(
            DilutionRow(
                product_code=product.code,
                unit_name=product.unit_name,
                vial_units=dilution.vial_units,
                diluent_ml=dilution.diluent_ml,
                units_per_ml=concentration(dilution.vial_units, dilution.diluent_ml),
                units_per_tenth_ml=units_per_tenth_ml(
                    dilution.vial_units, dilution.diluent_ml
                ),
                doses=tuple(doses),
                source=dilution.source,
            )
        )
    return tuple(rows)
