"""What changed from one cycle to the next: sites added, removed, moved, re-dosed.

Sites are paired within each muscle and side, never across them: a point that
"moved" into another muscle is a removal there and an addition here, because
that is what the clinician changed.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.comparison.records import CycleSites
from planner.comparison.records import Side
from planner.comparison.records import SitePoint

ChangeKind = Literal["added", "removed", "moved", "changed", "unchanged"]

# About 4 mm on front-v1 (20 viewBox units per cm): closer than this is the same
# point charted again, since nobody taps the same pixel twice.
DEFAULT_MOVED_TOLERANCE = 8.0
# Units are entered to 0.5 or 0.1; anything smaller is floating-point noise.
_UNITS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SiteChange:
    """One site's fate between two cycles.

    ``before`` is the previous cycle's site (None when added), ``after`` the
    current one (None when removed). ``distance`` is how far a paired site
    moved, in face-map viewBox units (None when added or removed).

    ``kind`` is the most visible change: ``moved`` (beyond the tolerance) wins
    over ``changed`` (a different dose at a paired site), so a site that moved
    *and* changed dose is ``moved`` with ``dose_changed`` True.
    """

    kind: ChangeKind
    muscle: str
    side: Side
    before: SitePoint | None
    after: SitePoint | None
    distance: float | None
    same_product: bool

    @property
    def units_before(self) -> float:
        """Return the previous cycle's units at this site, 0 when it is new."""
        return self.before.units if self.before is not None else 0.0

    @property
    def units_after(self) -> float:
        """Return the current cycle's units at this site, 0 when it was removed."""
        return self.after.units if self.after is not None else 0.0

    @property
    def units_delta(self) -> float | None:
        """Return after minus before, or None across a product change."""
        if not self.same_product:
            return None
        return self.units_after - self.units_before

    @property
    def dose_changed(self) -> bool:
        """Say whether a paired site was given a different number of units."""
        return (
            self.before is not None
            and self.after is not None
            and not _same_units(self.before.units, self.after.units)
        )


@dataclass(frozen=True)
class MuscleDoseChange:
    """The total on one muscle and side, before and after.

    ``delta`` is after minus before and ``relative`` is delta / before (0.25 is
    25 % more). Both are None across a product change, because units of different
    products are not comparable; ``relative`` is also None when ``before`` is 0.
    """

    muscle: str
    side: Side
    before: float
    after: float
    delta: float | None
    relative: float | None


def _same_units(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=_UNITS_TOLERANCE)


def pair_nearest(
    previous: Sequence[SitePoint], current: Sequence[SitePoint]
) -> list[tuple[int, int, float]]:
    """Pair previous with current sites, nearest first; return (i, j, distance).

    Greedy: take the closest remaining pair, remove both, repeat until one side
    runs out. A minimum-total-distance assignment (Hungarian) can differ only in
    contrived layouts; with the one to four points per muscle and side that a
    face carries, greedy pairs what the clinician would pair, and it needs no
    SciPy. Ties go to the lower index (earlier site), so the result is stable.
    """
    if not previous or not current:
        return []
    before = np.array([(site.x, site.y) for site in previous], dtype=np.float64)
    after = np.array([(site.x, site.y) for site in current], dtype=np.float64)
    # (k, n) distances between every previous and every current site.
    distances = np.hypot(*(before[:, None, :] - after[None, :, :]).transpose(2, 0, 1))
    remaining = distances.copy()
    pairs = []
    for _ in range(min(len(previous), len(current))):
        i, j = divmod(int(np.argmin(remaining)), remaining.shape[1])
        pairs.append((i, j, float(distances[i, j])))
        remaining[i, :] = np.inf
        remaining[:, j] = np.inf
    return pairs


def _groups(cycle: CycleSites) -> dict[tuple[str, Side], list[SitePoint]]:
    groups: dict[tuple[str, Side], list[SitePoint]] = {}
    for site in sorted(cycle.sites, key=lambda site: site.number):
        groups.setdefault((site.muscle, site.side), []).append(site)
    return groups


def cycle_diff(
    previous: CycleSites,
    current: CycleSites,
    *,
    moved_tolerance: float = DEFAULT_MOVED_TOLERANCE,
) -> list[SiteChange]:
    """Compare two cycles' sites: added, removed, moved, changed or unchanged.

    Within each muscle and side, sites are paired with ``pair_nearest``; unpaired
    current sites are ``added`` and unpaired previous ones ``removed``. A pair is
    ``moved`` when it lies more than ``moved_tolerance`` viewBox units apart, else
    ``changed`` when the units differ, else ``unchanged``.

    Doses are compared as recorded numbers even across a product change, but
    every change then has ``same_product`` False and no ``units_delta``.

    :return: changes for the current sites in site-number order, then the removed
        sites in the previous cycle's site-number order.
    :raises ValueError: a negative or non-finite tolerance.
    """
    if not math.isfinite(moved_tolerance) or moved_tolerance < 0:
        raise ValueError(f"moved_tolerance must be 0 or more, got {moved_tolerance!r}")
    same_product = previous.product_code == current.product_code
    before_groups, after_groups = _groups(previous), _groups(current)
    kept: list[SiteChange] = []
    removed: list[SiteChange] = []
    for key in before_groups.keys() | after_groups.keys():
        muscle, side = key
        before, after = before_groups.get(key, []), after_groups.get(key, [])
        pairs = pair_nearest(before, after)
        for i, j, distance in pairs:
            kind: ChangeKind
            if distance > moved_tolerance:
                kind = "moved"
            elif not _same_units(before[i].units, after[j].units):
                kind = "changed"
            else:
                kind = "unchanged"
            kept.append(
                SiteChange(
                    kind, muscle, side, before[i], after[j], distance, same_product
                )
            )
        paired_before = {i for i, _, _ in pairs}
        paired_after = {j for _, j, _ in pairs}
        kept.extend(
            SiteChange("added", muscle, side, None, site, None, same_product)
            for j, site in enumerate(after)
            if j not in paired_after
        )
        removed.extend(
            SiteChange("removed", muscle, side, site, None, None, same_product)
            for i, site in enumerate(before)
            if i not in paired_before
        )
    kept.sort(key=lambda change: change.after.number if change.after else 0)
    removed.sort(key=lambda change: change.before.number if change.before else 0)
    return kept + removed


def muscle_dose_changes(
    previous: CycleSites, current: CycleSites
) -> list[MuscleDoseChange]:
    """Total the units per muscle and side in both cycles and compare them.

    :return: one entry per muscle and side treated in either cycle: the previous
        cycle's in its site order, then those new in the current cycle.
    """
    totals: dict[tuple[str, Side], list[float]] = {}
    for column, cycle in enumerate((previous, current)):
        for site in sorted(cycle.sites, key=lambda site: site.number):
            totals.setdefault((site.muscle, site.side), [0.0, 0.0])[column] += (
                site.units
            )
    same_product = previous.product_code == current.product_code
    changes = []
    for (muscle, side), (before, after) in totals.items():
        delta = after - before if same_product else None
        relative = delta / before if delta is not None and before > 0 else None
        changes.append(MuscleDoseChange(muscle, side, before, after, delta, relative))
    return changes
