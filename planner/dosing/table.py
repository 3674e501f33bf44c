"""Build the units-to-volume table for every dilution of a product.

Its doses are the product's own: by default the keypad's chips for it
(``dose_chips``), never one list for every product, since the doses of one
product are not doses of another (clinical reference §2.1).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from planner.dosing.dose_chips import dose_chips
from planner.dosing.product_doses import shipped_doses
from planner.dosing.volume import concentration
from planner.dosing.volume import syringe_marks
from planner.dosing.volume import units_per_tenth_ml
from planner.dosing.volume import volume_ml
from planner.reference import ProductReference


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


def own_doses(product: ProductReference) -> tuple[float, ...]:
    """Return the product's keypad chips as shipped, in its own units."""
    defaults = shipped_doses(product.code).defaults.values()
    return dose_chips(product.code, product.unit_name, defaults).units


def dilution_table(
    product: ProductReference, doses_units: Sequence[float] | None = None
) -> tuple[DilutionRow, ...]:
    """Return a row per listed dilution with volumes for doses in its own units.

    ``doses_units`` default to the product's own chips (:func:`own_doses`).
    """
    if doses_units is None:
        doses_units = own_doses(product)
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
