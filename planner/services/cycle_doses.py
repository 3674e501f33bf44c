"""The cycles page's "Doses by muscle": muscles by cycle, per side, per product.

Units of two products are never set side by side as if they compared (clinical
reference §2.1): when the shown cycles used more than one product, each
product gets its own block of tables, holding only its own cycles, with its
unit and its own darkest shade named in the block, and a total per cycle of
that product alone. The JSON API keeps one matrix per side with each column's
product and unit (``SideMatrix.products``); the page and the printed comparison
lay out the blocks.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace

import numpy as np

from planner import comparison
from planner import plots
from planner.services.score_words import dose
from planner.services.score_words import units_text

SIDES = ("right", "left", "midline")


@dataclass(frozen=True)
class HeatCell:
    """A dose cell: all units given (top-up included), its words and colours."""

    units: float
    top_up: float
    text: str
    background: str
    ink: str


@dataclass(frozen=True)
class MatrixRow:
    muscle: str
    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class SideMatrix:
    """One side's (or the midline's) muscles by cycle; shading set per product.

    In a product block (``DoseBlock``) of a history with several products,
    every column is one product's, written in ``unit``; ``after`` names, per
    column, the other product of the shown cycle just before ("" when none).
    """

    side: str
    title: str
    cycles: tuple[int, ...]
    products: tuple[str, ...]
    rows: list[MatrixRow]
    totals: list[str]
    unit: str = ""
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeatKey:
    """What the darkest shade means for one product: its largest dose here.

    ``unit`` is how the product's row words its units ("U", "U (Speywood)").
    """

    product: str
    top: str
    unit: str


@dataclass(frozen=True)
class DoseBlock:
    """One product's cycles, every side, on that product's own shading scale.

    ``mixed`` says the shown cycles used more than one product: the page then
    heads each block with its product, unit and darkest shade, and marks the
    break between blocks as not comparable. With one product there is one
    block, laid out as the page always was.
    """

    product: str
    unit: str
    key: HeatKey
    cycles: tuple[int, ...]
    tables: list[SideMatrix]
    mixed: bool


def _cell_text(total: float, top_up: float) -> str:
    if total == 0:
        return ""
    if top_up == 0:
        return dose(total)
    return f"{dose(total - top_up)} + {dose(top_up)}"


def side_matrices(
    cycles: list[comparison.CycleSites],
    names: dict[str, str],
    brands: dict[int, str],
    unit_names: Mapping[str, str],
) -> tuple[list[SideMatrix], list[HeatKey]]:
    """Tabulate doses per side on one shading scale per product (all sides).

    ``unit_names`` words each product's units, by product code, as its row does.
    """
    blocks = []
    for side in SIDES:
        muscles = comparison.muscles_treated(cycles, side)  # type: ignore[arg-type]  # SIDES are the literals
        if muscles:
            total = comparison.dose_matrix(cycles, muscles, side)  # type: ignore[arg-type]  # as above
            full = comparison.dose_matrix(
                [comparison.full_treatment(c) for c in cycles],
                muscles,
                side,  # type: ignore[arg-type]  # as above
            )
            blocks.append((side, total, full))
    if not blocks:
        return [], []
    products = blocks[0][1].product_codes
    # One call over every side's rows: each product's darkest is its largest
    # dose anywhere on the face, so 1.25 U never looks like 5.5 U.
    stacked = np.vstack([total.units for _, total, _ in blocks])
    colours = plots.heat_table_colours(stacked, column_groups=products)
    keys = []
    for code in dict.fromkeys(products):
        columns = [j for j, c in enumerate(products) if c == code]
        brand = next(
            brands[n]
            for n, c in zip(blocks[0][1].cycles, products, strict=True)
            if c == code
        )
        top = units_text(float(stacked[:, columns].max()), unit_names[code])
        keys.append(HeatKey(brand, top, unit_names[code]))
    matrices = []
    offset = 0
    for side, total, full in blocks:
        top_up = total.units - full.units
        rows = [
            MatrixRow(
                muscle=muscle,
                name=names.get(muscle, muscle),
                cells=[
                    HeatCell(
                        units=float(total.units[i, j]),
                        top_up=float(top_up[i, j]),
                        text=_cell_text(float(total.units[i, j]), float(top_up[i, j])),
                        background=str(colours[offset + i, j, 0]),
                        ink=str(colours[offset + i, j, 1]),
                    )
                    for j in range(len(total.cycles))
                ],
            )
            for i, muscle in enumerate(total.muscles)
        ]
        offset += len(total.muscles)
        full_totals = full.totals
        matrices.append(
            SideMatrix(
                side=side,
                title="Midline" if side == "midline" else f"{side.capitalize()} side",
                cycles=total.cycles,
                products=tuple(brands[n] for n in total.cycles),
                rows=rows,
                totals=[
                    _cell_text(float(t), float(t - f)) or "0"
                    for t, f in zip(total.totals, full_totals, strict=True)
                ],
            )
        )
    return matrices, keys


def dose_blocks(
    matrices: list[SideMatrix],
    keys: list[HeatKey],
    codes: tuple[str, ...],
    unit_names: Mapping[str, str],
) -> list[DoseBlock]:
    """Split the side matrices into one block per product, in order of first use.

    ``codes`` are the product codes of the matrices' columns and ``keys`` the
    products' darkest shades in that same order; ``unit_names`` words each
    product's units, as in ``side_matrices``. Each block keeps only its
    product's columns (so its totals are of that product alone) and the rows
    given something in them; the cells keep their colours, already scaled per
    product.
    """
    order = list(dict.fromkeys(codes))
    mixed = len(order) > 1
    blocks = []
    for code, key in zip(order, keys, strict=True):
        columns = [j for j, c in enumerate(codes) if c == code]
        tables = [
            _columns(matrix, columns, unit_names[code]) if mixed else matrix
            for matrix in matrices
        ]
        blocks.append(
            DoseBlock(
                product=key.product,
                unit=unit_names[code],
                key=key,
                cycles=tuple(matrices[0].cycles[j] for j in columns),
                tables=[table for table in tables if table.rows],
                mixed=mixed,
            )
        )
    return blocks


def _columns(matrix: SideMatrix, columns: list[int], unit: str) -> SideMatrix:
    """Keep some columns of a side's matrix, and the rows given anything in them."""
    return replace(
        matrix,
        cycles=tuple(matrix.cycles[j] for j in columns),
        products=tuple(matrix.products[j] for j in columns),
        rows=[
            replace(row, cells=[row.cells[j] for j in columns])
            for row in matrix.rows
            if any(row.cells[j].units > 0 for j in columns)
        ],
        totals=[matrix.totals[j] for j in columns],
        unit=unit,
        after=tuple(
            matrix.products[j - 1]
            if j > 0 and matrix.products[j - 1] != matrix.products[j]
            else ""
            for j in columns
        ),
    )
