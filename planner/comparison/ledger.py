"""The dose side of the cycle ledger: totals, top-ups and what changed, per cycle.

A cycle's changes compare its full treatment with the full treatment of the
cycle before it (the one the injector titrated from), muscle by muscle and side
by side. Top-ups are kept apart: they are given at the review, after the score
that judges the cycle, and are a reaction to it rather than part of the plan.
Across a product change nothing is compared: the units do not convert.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace
from datetime import date

from planner.comparison.diff import MuscleDoseChange
from planner.comparison.diff import muscle_dose_changes
from planner.comparison.matrix import ordered_cycles
from planner.comparison.records import CycleSites

# Units are entered to 0.1 at the finest; smaller differences are float noise.
_SAME_UNITS = 1e-9


@dataclass(frozen=True)
class LedgerDoses:
    """One cycle's doses as the ledger shows them.

    ``full_units`` is the full treatment's total and ``top_up_units`` the top-ups'
    (0 when none), each in ``product_code``'s units. ``changes`` lists only the
    muscles whose full-treatment dose differs from cycle ``previous``; it is
    empty for the first cycle and across a product change (``product_changed``).
    ``days_to_next`` counts the days to the next full treatment, None for the
    latest cycle.
    """

    cycle: int
    treated_on: date
    product_code: str
    full_units: float
    top_up_units: float
    previous: int | None
    product_changed: bool
    changes: tuple[MuscleDoseChange, ...]
    days_to_next: int | None


def full_treatment(cycle: CycleSites) -> CycleSites:
    """Return the cycle with its full treatment's sites alone."""
    return replace(cycle, sites=cycle.full_sites())


def _changed(change: MuscleDoseChange) -> bool:
    return not math.isclose(change.before, change.after, abs_tol=_SAME_UNITS)


def ledger_doses(cycles: Iterable[CycleSites]) -> list[LedgerDoses]:
    """Summarise each cycle's doses and what changed since the cycle before it.

    Give every cycle of the patient, not only those shown, so that a cycle is
    compared with the one it really followed.
    """
    ordered = ordered_cycles(cycles)
    rows: list[LedgerDoses] = []
    for index, cycle in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        switched = previous is not None and (
            previous.product_code != cycle.product_code
        )
        changes: tuple[MuscleDoseChange, ...] = ()
        if previous is not None and not switched:
            changes = tuple(
                change
                for change in muscle_dose_changes(
                    full_treatment(previous), full_treatment(cycle)
                )
                if _changed(change)
            )
        rows.append(
            LedgerDoses(
                cycle=cycle.cycle,
                treated_on=cycle.treated_on,
                product_code=cycle.product_code,
                full_units=cycle.full_units,
                top_up_units=cycle.top_up_units,
                previous=previous.cycle if previous is not None else None,
                product_changed=switched,
                changes=changes,
                days_to_next=(following.treated_on - cycle.treated_on).days
                if following is not None
                else None,
            )
        )
    return rows
