"""Is a vial's dilution plausible? The product's table, and bounds nobody goes beyond.

Pure: no flask, no database. A product's dilution table is not all label text: each
row carries its source (a label, Dysport's 500 U rows a distributor's copy, Xeomin's
a secondary source, Daxxify's volumes UNSOURCED: in no label), so the wording says
"the dilution table" and the warning's source names where each row comes from. A
diluent volume outside the table is a warning, and the resulting units per 0.1 mL
is shown large for the injector to confirm: a decimal slip in the diluent
multiplies every volume drawn at the chair. Units are always written with the
product's unit name ("10 U (Speywood) per 0.1 mL"): they are the product's own.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

from planner.dosing.records import LabelDilution
from planner.dosing.records import LotInfo
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.volume import format_units
from planner.dosing.volume import units_per_tenth_ml
from planner.reference import ProductReference
from planner.reference import brand_names
from planner.reference import other_brand

# Beyond these no label or practice goes (the tables span 0.625 to 10 mL for
# 50–500 U vials); a figure outside them is a typing error, refused outright.
MIN_DILUENT_ML = 0.25
MAX_DILUENT_ML = 20.0


@dataclass(frozen=True)
class DilutionCheck:
    """What the injector confirms when a vial is reconstituted."""

    units_per_tenth_ml: float
    unit_name: str
    on_label: bool
    warnings: tuple[SafetyWarning, ...]

    @property
    def shown(self) -> str:
        """The figure to confirm, in the product's units: '4 U per 0.1 mL'."""
        return f"{format_units(self.units_per_tenth_ml)} {self.unit_name} per 0.1 mL"


def diluent_problem(diluent_ml: float) -> str | None:
    """Say why a diluent volume cannot be right, or None when it may be."""
    if not math.isfinite(diluent_ml) or not (
        MIN_DILUENT_ML <= diluent_ml <= MAX_DILUENT_ML
    ):
        return (
            f"must be between {format_units(MIN_DILUENT_ML)} and "
            f"{format_units(MAX_DILUENT_ML)} mL; check for a misplaced decimal point"
        )
    return None


def label_dilutions(product: ProductReference) -> tuple[LabelDilution, ...]:
    """Return the shipped reference's dilution table for a product."""
    return tuple(
        LabelDilution(d.vial_units, d.diluent_ml, d.source) for d in product.dilutions
    )


def brand_dilutions(product: Product, brand: str) -> tuple[LabelDilution, ...]:
    """Return the dilution table of one of a product's brands.

    The product's main brand has the table the catalogue holds; another brand
    (Azzalure for Dysport) the rows the shipped reference gives its box.
    """
    if brand == product.brand:
        return product.dilutions
    other = other_brand(product.code, brand)
    if other is None:
        return ()
    return tuple(
        LabelDilution(d.vial_units, d.diluent_ml, d.source) for d in other.dilutions
    )


def check_dilution(
    brand: str,
    table: Sequence[LabelDilution],
    vial_units: float,
    diluent_ml: float,
    *,
    unit_name: str,
) -> DilutionCheck:
    """Compare a reconstitution with the product's dilution table.

    ``unit_name`` is the product's ("U (Speywood)" for Dysport), written with
    every figure in units.

    :raises ValueError: when the diluent volume is outside any plausible range.
    """
    problem = diluent_problem(diluent_ml)
    if problem is not None:
        raise ValueError(f"diluent_ml {problem}")
    per_tenth = units_per_tenth_ml(vial_units, diluent_ml)
    on_label = any(
        math.isclose(vial_units, row.vial_units)
        and math.isclose(diluent_ml, row.diluent_ml)
        for row in table
    )
    if on_label:
        return DilutionCheck(per_tenth, unit_name, True, ())
    # Volumes as the table gives them (0.625 mL), not rounded to 0.63.
    rows = ", ".join(
        f"{format_units(row.vial_units)} {unit_name} + {row.diluent_ml:g} mL"
        for row in table
    )
    sources = "; ".join(sorted({row.source for row in table}))
    warning = SafetyWarning(
        code="dilution_off_label",
        severity="warning",
        message=(
            f"{brand} {format_units(vial_units)} {unit_name} in "
            f"{format_units(diluent_ml)} mL gives {format_units(per_tenth)} "
            f"{unit_name} per 0.1 mL, which is not in the {brand} dilution table "
            f"({rows}): confirm the diluent volume."
        ),
        source=sources,
    )
    return DilutionCheck(per_tenth, unit_name, False, (warning,))


def check_lot_dilution(lot: LotInfo | None, product: Product) -> list[SafetyWarning]:
    """Warn at the chair when the vial in use was made up off the dilution table.

    The same rule as when the vial was created, so a reason is asked for every
    treatment drawn from it. Silent when the lot's dilution or the product's
    table is not known.
    """
    if lot is None or lot.vial_units is None or lot.diluent_ml is None:
        return []
    # A lot of another brand of the product is checked against its own box.
    mine = brand_names(product.code, product.brand)
    brand = lot.brand if lot.brand in mine else product.brand
    table = brand_dilutions(product, brand)
    if not table:
        return []
    sources = "; ".join(sorted({row.source for row in table}))
    problem = diluent_problem(lot.diluent_ml)
    if problem is not None:
        # Stored before diluent volumes were bounded: say so rather than fail.
        return [
            SafetyWarning(
                code="dilution_off_label",
                severity="warning",
                message=f"Vial lot {lot.lot_number}: "
                f"{format_units(lot.diluent_ml)} mL of diluent {problem}.",
                source=sources,
            )
        ]
    check = check_dilution(
        brand,
        table,
        lot.vial_units,
        lot.diluent_ml,
        unit_name=product.unit_name,
    )
    return [
        replace(warning, message=f"Vial lot {lot.lot_number}: {warning.message}")
        for warning in check.warnings
    ]
