"""Muscles x cycles dose matrices, one per side (numpy).

Each column keeps the units as recorded in its cycle's product. Units of different
products (onabotulinumtoxinA, abobotulinumtoxinA, ...) are not interchangeable, so
a matrix whose columns change product must never be summed or differenced across
that change: ``DoseMatrix.product_changes`` says where the page has to mark it.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from planner.comparison.records import CycleSites
from planner.comparison.records import Side
from planner.vocabulary import SIDES
from planner.vocabulary import require_choice

FloatArray = NDArray[np.float64]


def frozen_array(values: object) -> FloatArray:
    """Return a read-only float64 copy, so frozen results stay frozen."""
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def ordered_cycles(cycles: Iterable[CycleSites]) -> list[CycleSites]:
    """Return the cycles sorted by cycle number; each number may appear once."""
    ordered = sorted(cycles, key=lambda cycle: cycle.cycle)
    numbers = [cycle.cycle for cycle in ordered]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"each cycle number may appear once, got {numbers}")
    return ordered


@dataclass(frozen=True, eq=False)
class DoseMatrix:
    """Units per muscle (rows) and cycle (columns) on one side.

    ``units`` has shape (m, c): row i is ``muscles[i]``, column j is ``cycles[j]``,
    in units of ``product_codes[j]``; 0.0 where that muscle got nothing on this
    side in that cycle. ``other_units`` has shape (c,): units given on this side
    to muscles that are not rows, so that no dose silently disappears.
    """

    side: Side
    muscles: tuple[str, ...]
    cycles: tuple[int, ...]
    treated_on: tuple[date, ...]
    product_codes: tuple[str, ...]
    units: FloatArray
    other_units: FloatArray

    @property
    def totals(self) -> FloatArray:
        """Return every unit given on this side per cycle, shape (c,).

        Only meaningful column by column: never add or compare totals across a
        product change.
        """
        return frozen_array(self.units.sum(axis=0) + self.other_units)

    @property
    def product_changes(self) -> tuple[bool, ...]:
        """Say, per column, whether its product differs from the column before."""
        codes = self.product_codes
        return tuple(j > 0 and codes[j] != codes[j - 1] for j in range(len(codes)))

    @property
    def mixed_products(self) -> bool:
        """Say whether the columns use more than one product."""
        return len(set(self.product_codes)) > 1


def dose_matrix(
    cycles: Iterable[CycleSites], muscles: Sequence[str], side: Side
) -> DoseMatrix:
    """Sum each cycle's units per muscle on one side into a muscles x cycles matrix.

    Columns follow the cycle numbers in ascending order, whatever order the cycles
    come in; rows follow ``muscles``. Several sites in the same muscle add up.

    :raises ValueError: an unknown side, a muscle listed twice, or a cycle number
        given twice.
    """
    require_choice("side", side, SIDES)
    rows = {muscle: index for index, muscle in enumerate(muscles)}
    if len(rows) != len(muscles):
        raise ValueError(f"each muscle may be listed once, got {list(muscles)}")
    ordered = ordered_cycles(cycles)
    units = np.zeros((len(rows), len(ordered)), dtype=np.float64)
    other = np.zeros(len(ordered), dtype=np.float64)
    for column, cycle in enumerate(ordered):
        for site in cycle.sites:
            if site.side != side:
                continue
            row = rows.get(site.muscle)
            if row is None:
                other[column] += site.units
            else:
                units[row, column] += site.units
    return DoseMatrix(
        side=side,
        muscles=tuple(muscles),
        cycles=tuple(cycle.cycle for cycle in ordered),
        treated_on=tuple(cycle.treated_on for cycle in ordered),
        product_codes=tuple(cycle.product_code for cycle in ordered),
        units=frozen_array(units),
        other_units=frozen_array(other),
    )


def cycle_totals(cycles: Iterable[CycleSites]) -> FloatArray:
    """Return all units given per cycle, every side, shape (c,), ascending cycles.

    Each entry is in its own cycle's product units (see the module docstring).
    """
    ordered = ordered_cycles(cycles)
    return frozen_array([sum(site.units for site in cycle.sites) for cycle in ordered])


def muscles_treated(cycles: Iterable[CycleSites], side: Side) -> tuple[str, ...]:
    """Return the muscles given anything on ``side``, in order of first treatment.

    A default row order for ``dose_matrix`` when the page has no anatomical one.
    """
    seen: dict[str, None] = {}
    for cycle in ordered_cycles(cycles):
        for site in sorted(cycle.sites, key=lambda site: site.number):
            if site.side == side:
                seen.setdefault(site.muscle)
    return tuple(seen)
