"""The face map drawn once per document and reused by every cycle's card.

``map_sprite`` takes the face map as ``planner.facemap.render_face_map`` draws
it (an SVG string: this package does not import the face map) and flattens it
into a few paths: the outline, every muscle's edge as one path, the landmarks
one path per style. Anything it does not recognise is kept as drawn. Cards then
draw only what is their own (changed muscles, the last cycle's sites, this
cycle's sites) over the shared drawing:

- on screen, through ``<use>`` of one ``<symbol>`` in the page;
- in print, where WeasyPrint resolves no reference between two ``<svg>``
  elements, as a CSS background image named once in the document.

Site numbers are sized in viewBox units by the caller, from the width the card
is printed at, so that they reach the size print needs. Each product's sites
have their own shape as well as its colour, with a dark edge, so they stay
apart from each other and from the shaded muscles in black and white.
"""

import base64
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

from planner.marker_size import dose_radius
from planner.plots.palette import text_colour

SVG_NS = "http://www.w3.org/2000/svg"
_SVG = "{" + SVG_NS + "}"
# Style attributes that decide how a landmark looks; paths alike in these merge.
_STYLE = ("fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap")
# Drawn by the cards themselves, or words for assistive technology only.
_SKIPPED = {"title", "desc"}
# The chair's caution and no-go zones guide a needle; a card compares doses.
_SKIPPED_GROUPS = {"sites", "ghosts", "side-labels", "zones"}
SHAPES = ("circle", "square", "diamond", "hexagon")
HIGHLIGHT_FILL = "#d1495b"
HIGHLIGHT_STROKE = "#7a1426"
SITE_EDGE = "#1a1a1a"
GHOST_STROKE = "#595959"


@dataclass(frozen=True)
class MapSprite:
    """The shared face drawing and what the cards need to draw over it.

    ``view_box`` is the map's own (the symbol's); ``crop`` the part every card
    shows, (x, y, width, height) in the same units. ``regions`` maps (muscle,
    side) to the path of that muscle's region, for shading a changed one.
    """

    symbol_id: str
    view_box: tuple[float, float, float, float]
    crop: tuple[float, float, float, float]
    body: str
    regions: Mapping[tuple[str, str], str]

    def symbol(self) -> str:
        """Return a hidden ``<svg>`` holding the ``<symbol>``: once in a page."""
        return (
            '<svg class="facemap-sprite" aria-hidden="true" focusable="false" '
            f'width="0" height="0" xmlns="{SVG_NS}">'
            f"<symbol id={quoteattr(self.symbol_id)} "
            f'viewBox="{_box(self.view_box)}">{self.body}</symbol></svg>'
        )

    def standalone(self) -> str:
        """Return the drawing as an SVG document cropped like the cards."""
        return (
            f'<svg xmlns="{SVG_NS}" viewBox="{_box(self.crop)}" '
            'font-family="sans-serif">'
            f"{self.body}</svg>"
        )

    def data_uri(self) -> str:
        """Return ``standalone()`` as a data URI, for a print stylesheet."""
        encoded = base64.b64encode(self.standalone().encode()).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


def _box(box: tuple[float, float, float, float]) -> str:
    return " ".join(f"{value:g}" for value in box)


def _local(tag: str) -> str:
    return tag.removeprefix(_SVG)


def _classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _copy(element: ET.Element) -> str:
    """Serialise an element we keep as drawn, without ids, titles or classes."""
    clone = ET.Element(_local(element.tag), _plain(element.attrib))
    clone.text = element.text
    for child in element:
        if _local(child.tag) not in _SKIPPED:
            clone.append(ET.fromstring(_copy(child)))
    return ET.tostring(clone, encoding="unicode")


def _plain(attributes: Mapping[str, str]) -> dict[str, str]:
    # Ids would repeat wherever the symbol is used; the rest is presentation.
    return {
        k: v
        for k, v in attributes.items()
        if k not in ("id", "class", "role") and not k.startswith("data-")
    }


def _attributes(values: Mapping[str, str]) -> str:
    return "".join(f" {key}={quoteattr(value)}" for key, value in values.items())


def map_sprite(
    face_map_svg: str,
    *,
    symbol_id: str,
    crop: tuple[float, float, float, float],
    side_letters: bool = True,
) -> MapSprite:
    """Flatten a drawn face map into the shared drawing the cards reuse.

    ``crop`` is the part of the map the cards show (the face and neck without
    the margins); ``side_letters`` writes "R" and "L" in its top corners, as
    the full map does in its own. The letters say the patient's sides.
    """
    root = ET.fromstring(face_map_svg)
    view_box = tuple(float(v) for v in root.get("viewBox", "0 0 1 1").split())
    if len(view_box) != 4:
        raise ValueError(f"the face map's viewBox is not four numbers: {view_box!r}")
    parts: list[str] = []
    regions: dict[tuple[str, str], str] = {}
    for element in root:
        name, classes = _local(element.tag), _classes(element)
        if (
            name in _SKIPPED
            or classes & _SKIPPED_GROUPS
            or len(element) == 0
            and name in ("defs", "g")
        ):
            continue
        if "regions" in classes:
            parts.append(_region_edges(element, regions))
        elif "landmarks" in classes:
            parts.extend(_merged_landmarks(element))
        else:
            parts.append(_copy(element))
    if side_letters:
        parts.append(_side_letters(crop))
    return MapSprite(
        symbol_id=symbol_id,
        view_box=(view_box[0], view_box[1], view_box[2], view_box[3]),
        crop=crop,
        body="".join(parts),
        regions=regions,
    )


def _region_edges(group: ET.Element, regions: dict[tuple[str, str], str]) -> str:
    """Keep each region's path for shading; return all their edges as one path.

    Edges only: a wash over every muscle would hide which ones changed.
    """
    style: dict[str, str] = {}
    for path in group.iter(f"{_SVG}path"):
        d = path.get("d", "")
        regions[(path.get("data-muscle", ""), path.get("data-side", ""))] = d
        style = style or {
            "stroke": path.get("stroke", "#a8384a"),
            "stroke-opacity": path.get("stroke-opacity", "0.5"),
            "stroke-width": path.get("stroke-width", "0.7"),
        }
    edges = " ".join(regions.values())
    return (
        f'<path d={quoteattr(edges)} fill="none"{_attributes(style)} '
        'stroke-linejoin="round"/>'
    )


def _merged_landmarks(group: ET.Element) -> list[str]:
    """Join landmark paths drawn alike into one path per style."""
    styles: dict[tuple[str, ...], list[str]] = {}
    others: list[str] = []
    for element in group:
        if _local(element.tag) != "path":
            others.append(_copy(element))
            continue
        key = tuple(element.get(name, "") for name in _STYLE)
        styles.setdefault(key, []).append(element.get("d", ""))
    merged = [
        f"<path d={quoteattr(' '.join(paths))}"
        + _attributes({k: v for k, v in zip(_STYLE, key, strict=True) if v})
        + ' stroke-linejoin="round"/>'
        for key, paths in styles.items()
    ]
    return merged + others


def _side_letters(crop: tuple[float, float, float, float]) -> str:
    x, y, width, _ = crop
    return (
        f'<g fill="#333333" font-size="20" font-weight="bold">'
        f'<text x="{x + 6:g}" y="{y + 22:g}">R</text>'
        f'<text x="{x + width - 6:g}" y="{y + 22:g}" text-anchor="end">L</text></g>'
    )


@dataclass(frozen=True)
class CardSite:
    """A site on a card: its number, place (viewBox units), units and top-up flag.

    ``sized`` False: a ring in another product's units than the card's (the
    cycle before was given in another product), drawn at one size so that no
    ring sets those units against the card's.
    """

    number: int
    x: float
    y: float
    units: float
    top_up: bool = False
    sized: bool = True


@dataclass(frozen=True)
class SiteStyle:
    """How a product's sites look: its colour and one of ``SHAPES``."""

    colour: str
    shape: str

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, got {self.shape!r}")
        text_colour(self.colour)  # raises on anything but #rgb / #rrggbb


def site_style(colour: str, index: int) -> SiteStyle:
    """Return the style of the ``index``-th product a document shows (0 first)."""
    return SiteStyle(colour, SHAPES[index % len(SHAPES)])


# The largest dose of a product draws this much wider than the smallest marker.
LARGEST_GROWTH = 0.6


def marker_radius(units: float, number_size: float, largest: float) -> float:
    """Return a site's radius: never too small for its number, growing with
    the dose's share of ``largest``, the largest dose of the same product the
    page shows (review rO, rO6).

    Units of two products never compare (reference §2.1), so each product is
    sized on its own scale, as the heat matrix shades each product's largest
    dose darkest: 20 U (Speywood) of Dysport never draws bigger than 6 U of
    Botox because its number is bigger. ``largest`` 0 (nothing to size
    against, or a ring in another product's units) gives the smallest marker.
    """
    radius = dose_radius(
        units, largest, smallest=number_size * 0.72, growth=LARGEST_GROWTH
    )
    return round(radius, 2)


def map_card(
    sprite: MapSprite,
    *,
    sites: Sequence[CardSite],
    style: SiteStyle,
    ghosts: Iterable[CardSite] = (),
    highlight: Iterable[tuple[str, str]] = (),
    title: str,
    description: str,
    number_size: float,
    largest: float,
    id_prefix: str,
    with_base: bool = True,
) -> str:
    """Draw one cycle's card over the shared face drawing.

    Markers grow with each dose's share of ``largest``, the largest dose of
    the card's product on the page (``marker_radius``).

    ``highlight`` holds the (muscle, side) pairs to shade (changed since the
    cycle before), ``ghosts`` that cycle's sites as dashed rings. Numbers are
    ``number_size`` viewBox units high. ``with_base`` draws the face through
    ``<use>`` of the page's symbol; print leaves it out and shows the face as
    the card's background image instead.
    """
    parts = [
        f'<svg class="facemap map-card" viewBox="{_box(sprite.crop)}" role="img" '
        f'xmlns="{SVG_NS}" font-family="sans-serif" '
        f'aria-labelledby="{id_prefix}title {id_prefix}desc">',
        f'<title id="{id_prefix}title">{escape(title)}</title>',
        f'<desc id="{id_prefix}desc">{escape(description)}</desc>',
    ]
    if with_base:
        x, y, width, height = sprite.view_box
        parts.append(
            f'<use href="#{escape(sprite.symbol_id)}" x="{x:g}" y="{y:g}" '
            f'width="{width:g}" height="{height:g}"/>'
        )
    shaded = [sprite.regions[key] for key in highlight if key in sprite.regions]
    if shaded:
        parts.append(
            f'<path class="highlight" d={quoteattr(" ".join(shaded))} '
            f'fill="{HIGHLIGHT_FILL}" fill-opacity="0.3" fill-rule="evenodd" '
            f'stroke="{HIGHLIGHT_STROKE}" stroke-width="1.4"/>'
        )
    parts.append('<g class="ghosts">')
    parts.extend(
        f'<circle class="ghost" cx="{g.x:g}" cy="{g.y:g}" '
        f'r="{marker_radius(g.units, number_size, largest if g.sized else 0.0):g}" '
        'fill="none" '
        f'stroke="{GHOST_STROKE}" stroke-width="1.3" stroke-dasharray="3 2.5"/>'
        for g in ghosts
    )
    parts.append('</g><g class="sites">')
    parts.extend(_marker(site, style, number_size, largest) for site in sites)
    ink = text_colour(style.colour)
    parts.append(
        f'</g><g class="numbers" fill="{ink}" font-size="{number_size:g}" '
        'font-weight="bold" text-anchor="middle">'
    )
    # One text per site, after every marker, so no marker covers a number.
    parts.extend(
        f'<text x="{s.x:g}" y="{s.y + number_size * 0.36:.2f}">{s.number}</text>'
        for s in sites
    )
    parts.append("</g></svg>")
    return "".join(parts)


def _marker(
    site: CardSite, style: SiteStyle, number_size: float, largest: float
) -> str:
    r = marker_radius(site.units, number_size, largest)
    x, y = site.x, site.y
    paint = (
        f'fill="{style.colour}" stroke="{SITE_EDGE}" stroke-width="1.4" '
        f'class="site{" top-up" if site.top_up else ""}" data-number="{site.number}"'
    )
    if style.shape == "circle":
        return f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" {paint}/>'
    if style.shape == "square":
        side = r * 1.8
        return (
            f'<rect x="{x - side / 2:.2f}" y="{y - side / 2:.2f}" '
            f'width="{side:.2f}" height="{side:.2f}" {paint}/>'
        )
    corners = 4 if style.shape == "diamond" else 6
    reach = r * (1.3 if corners == 4 else 1.12)
    points = " ".join(
        f"{x + reach * math.sin(2 * math.pi * k / corners):.2f},"
        f"{y - reach * math.cos(2 * math.pi * k / corners):.2f}"
        for k in range(corners)
    )
    return f'<polygon points="{points}" {paint}/>'
