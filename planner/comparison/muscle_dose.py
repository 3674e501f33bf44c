"""One muscle's dose across cycles against each cycle's response and duration.

Never across products: the cycles are grouped by product and each group is its
own comparison, since units of different products do not convert. The dose is
the full treatment's, because the review that judges a cycle comes before any
top-up; top-up units are carried alongside so that the page can show them.

Descriptive only (see ``DoseResponse``): with a handful of cycles, doses chosen
because of the last response and other muscles changing at the same time, a
pattern here is a prompt to think, not evidence that the dose made the difference.
"""

import math
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner.comparison.ledger import full_treatment
from planner.comparison.matrix import FloatArray
from planner.comparison.matrix import frozen_array
from planner.comparison.matrix import ordered_cycles
from planner.comparison.records import CycleSites
from planner.comparison.records import Side
from planner.comparison.trends import DoseResponse
from planner.comparison.trends import dose_response

# UNSOURCED clinic setting: below this many paired cycles the page says plainly
# that the numbers cannot tell the dose's effect from chance.
SMALL_N = 5


@dataclass(frozen=True, eq=False)
class MuscleResponse:
    """One muscle and side over the cycles of one product.

    ``units`` (full treatment), ``top_up_units`` and ``wear_off_weeks`` have
    shape (n,) and line up with ``cycles``. ``responses`` holds one
    ``DoseResponse`` per instrument (review minus pre-treatment, keyed by
    instrument code) and ``duration`` the dose against wear-off weeks.
    """

    muscle: str
    side: Side
    product_code: str
    cycles: tuple[int, ...]
    units: FloatArray
    top_up_units: FloatArray
    wear_off_weeks: FloatArray
    responses: Mapping[str, DoseResponse]
    duration: DoseResponse

    @property
    def dose_changed(self) -> bool:
        """Say whether this muscle got different doses in these cycles."""
        return bool(self.units.size) and float(np.ptp(self.units)) > 0


def muscle_responses(
    cycles: Iterable[CycleSites],
    muscle: str,
    side: Side,
    *,
    responses: Mapping[str, Mapping[int, float]],
    wear_off_weeks: Mapping[int, float],
) -> list[MuscleResponse]:
    """Compare ``muscle`` on ``side`` with the response, product by product.

    ``responses`` maps instrument code to each cycle's response (review minus
    its own pre-treatment score); ``wear_off_weeks`` maps cycle to weeks. Only
    cycles in which the muscle was treated on that side are compared: a cycle
    without it says nothing about its dose. Products come in order of first use.
    """
    groups: dict[str, list[CycleSites]] = {}
    for cycle in ordered_cycles(cycles):
        if any(s.muscle == muscle and s.side == side for s in cycle.sites):
            groups.setdefault(cycle.product_code, []).append(cycle)
    found = []
    for product, group in groups.items():
        full = [full_treatment(cycle) for cycle in group]
        top_ups = [
            sum(
                s.units
                for s in cycle.sites
                if s.top_up and s.muscle == muscle and s.side == side
            )
            for cycle in group
        ]
        weeks = [_value(wear_off_weeks.get(cycle.cycle)) for cycle in group]
        duration = dose_response(
            full, {c.cycle: w for c, w in zip(group, weeks, strict=True)}, muscle, side
        )
        found.append(
            MuscleResponse(
                muscle=muscle,
                side=side,
                product_code=product,
                cycles=tuple(cycle.cycle for cycle in group),
                units=duration.units,
                top_up_units=frozen_array(top_ups),
                wear_off_weeks=frozen_array(weeks),
                responses={
                    code: dose_response(full, by_cycle, muscle, side)
                    for code, by_cycle in responses.items()
                },
                duration=duration,
            )
        )
    return found


def _value(value: float | None) -> float:
    return math.nan if value is None else float(value)


def treated_muscles(cycles: Iterable[CycleSites]) -> list[tuple[str, Side]]:
    """Return every (muscle, side) treated in the cycles, in order of first use."""
    seen: dict[tuple[str, Side], None] = {}
    for cycle in ordered_cycles(cycles):
        for site in sorted(cycle.sites, key=lambda site: site.number):
            seen.setdefault((site.muscle, site.side))
    return list(seen)
