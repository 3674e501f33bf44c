"""How big a site's marker draws: by its dose's share of its product's own scale.

Units of two products never compare (clinical reference §2.1), so a map sizes
its markers on the scale of its own product: ``largest`` is the dose of that
product that draws the biggest marker, and every other dose grows from the
smallest marker with the square root of its share of it (a dot's area follows
the dose). One formula serves the chair's map, the printed record and the cycle
cards (``plots.map_cards.marker_radius``); each picks its own smallest marker
and how much the biggest outgrows it.
"""

import math
from dataclasses import dataclass

# The chair's markers: the smallest still takes a finger's tap and its number,
# the biggest stays clear of its neighbours.
MIN_RADIUS = 5.0
MAX_RADIUS = 13.0


def dose_radius(
    units: float, largest: float, *, smallest: float, growth: float
) -> float:
    """Return a marker's radius: ``smallest`` for no dose, growing by ``growth``
    times ``smallest`` at ``largest`` and no further.

    ``largest`` 0 (nothing to size against, or a dose in another product's
    units) gives the smallest marker.
    """
    if largest <= 0:
        return smallest
    share = min(max(units, 0.0) / largest, 1.0)
    return smallest * (1 + growth * math.sqrt(share))


@dataclass(frozen=True)
class MarkerScale:
    """One map's marker sizes: the dose drawing the biggest marker, in the
    map's product's units (0: every marker the smallest), the smallest radius
    and how much the biggest outgrows it."""

    largest: float = 0.0
    smallest: float = MIN_RADIUS
    growth: float = MAX_RADIUS / MIN_RADIUS - 1

    def radius(self, units: float) -> float:
        """Return the radius (viewBox units) of a marker for ``units``."""
        return dose_radius(
            units, self.largest, smallest=self.smallest, growth=self.growth
        )
