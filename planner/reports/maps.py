"""The face map as printed: an image with alternative text, its numbers legible.

Reports embed the map as an ``<img>`` of the SVG, so a tagged PDF carries it as
one figure with its alternative text, rather than as loose shapes and digits a
screen reader would read out one by one.

The renderer draws each site's number at about the size of its dot. On paper a
small dot's number would be too small to read, so the smallest dot is the one
whose number prints at the report's smallest size. The record then grows its
dots by dose, on the product's own scale (``dosing.marker_largest_units``), as
the cycle cards do (``plots.map_cards.LARGEST_GROWTH``).
"""

import base64
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

from planner.facemap import FaceMap
from planner.facemap import MarkerScale
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.marker_size import MAX_RADIUS
from planner.plots.map_cards import LARGEST_GROWTH

# One dark ink for every marker: white numbers on it contrast about 8:1, and the
# dot stays dark against paper and the shaded muscles when printed in grey.
MARKER_COLOUR = "#0b4f8a"
# The renderer's number is this many times the dot's radius (facemap/render.py);
# tests/services/test_handout_print.py and tests/services/test_record_print.py
# measure the printed result (``number_sizes_pt``).
NUMBER_PER_RADIUS = 1.05
MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class MapSite:
    """A site to print: its number, map position and dose (units of one product)."""

    number: int
    x: float
    y: float
    units: float


def legible_radius(face_map: FaceMap, *, width_mm: float, min_pt: float) -> float:
    """Return the smallest dot (map units) whose number prints at ``min_pt`` or more.

    :raises ValueError: when that dot is bigger than the chair's biggest: the
        map must be printed wider.
    """
    mm_per_unit = width_mm / face_map.view_box[2]
    # The renderer writes font sizes to 0.1 unit, so aim 0.05 above the floor.
    radius = (min_pt * MM_PER_PT / mm_per_unit + 0.05) / NUMBER_PER_RADIUS
    if radius > MAX_RADIUS:
        raise ValueError(f"a {width_mm} mm map cannot print {min_pt} pt numbers")
    return radius


def printed_map(
    face_map: FaceMap,
    sites: Iterable[MapSite],
    *,
    width_mm: float,
    min_pt: float,
    alt: str,
    largest: float,
    highlight: Collection[tuple[str, str]] = frozenset(),
    id_prefix: str,
) -> Markup:
    """Draw the map as an image ``width_mm`` wide, numbers at ``min_pt`` or more.

    Dots grow from the legible one by their dose's share of ``largest``, the
    dose of the sites' product that draws the biggest dot; ``largest`` 0 draws
    every dot the legible size (the handout shows where, not how much).
    """
    scale = MarkerScale(
        largest,
        smallest=legible_radius(face_map, width_mm=width_mm, min_pt=min_pt),
        growth=LARGEST_GROWTH,
    )
    svg = render_face_map(
        face_map,
        sites=[
            Site(site.number, site.x, site.y, site.units, MARKER_COLOUR)
            for site in sites
        ],
        highlight=highlight,
        title=alt,
        id_prefix=id_prefix,
        scale=scale,
    )
    data = base64.b64encode(svg.encode()).decode("ascii")
    return Markup(
        f'<img class="facemap" style="width: {width_mm:g}mm" alt="{escape(alt)}" '
        f'src="data:image/svg+xml;base64,{data}">'
    )
