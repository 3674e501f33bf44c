"""Render a face map with charted sites as an SVG string (svgwrite).

One drawing serves the chair, the record and print: every colour and stroke is
an SVG presentation attribute, so the map reads without any stylesheet, while
the classes and data attributes let a page restyle or script it. svgwrite is
unmaintained, so nothing outside this module touches it.
"""

import functools
import re
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

import svgwrite

from planner.facemap.geometry import muscle_regions
from planner.facemap.hatching import Hatch
from planner.facemap.hatching import hatched_group
from planner.facemap.model import FaceMap
from planner.facemap.model import Landmark
from planner.facemap.polygon import FloatArray
from planner.facemap.zones import zone_shapes
from planner.marker_size import MarkerScale

INK = "#333333"
REGION_FILL = "#d1495b"
REGION_STROKE = "#a8384a"
HIGHLIGHT_STROKE = "#7a1426"
GHOST_STROKE = "#666666"
FALLBACK_COLOUR = "#555555"
CAUTION_STROKE = "#b35900"
NO_GO_FILL = "#6b6b6b"
# No dose scale: every marker the smallest.
ONE_SIZE = MarkerScale()
_HEX_COLOUR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LANDMARK_STYLES: dict[str, dict[str, str | float]] = {
    "line": {"stroke": "#4d4d4d", "stroke_width": 1.1, "fill": "none"},
    "bold": {"stroke": "#5c4d40", "stroke_width": 3.2, "fill": "none"},
    "faint": {"stroke": "#9a9a9a", "stroke_width": 0.8, "fill": "none"},
    "dashed": {
        "stroke": "#b3b3b3",
        "stroke_width": 0.8,
        "fill": "none",
        "stroke_dasharray": "4 4",
    },
    "filled": {"stroke": "none", "fill": "#4d4d4d"},
}


@dataclass(frozen=True)
class Site:
    """A charted injection point: number, position, dose and product colour."""

    number: int
    x: float
    y: float
    units: float
    colour: str
    label: str = ""
    # False: a dose in another product's units than the map's own (a last
    # cycle given in another product). Its marker keeps one size, so no ring
    # shows those units on today's scale.
    sized: bool = True


def render_face_map(
    face_map: FaceMap,
    *,
    sites: Iterable[Site] = (),
    ghosts: Iterable[Site] = (),
    highlight: Collection[str | tuple[str, str]] = frozenset(),
    width: str | float | None = None,
    height: str | float | None = None,
    title: str = "Face map",
    id_prefix: str = "",
    hatched: Iterable[Hatch] = (),
    scale: MarkerScale = ONE_SIZE,
) -> str:
    """Draw the map, its muscle regions, last cycle's ghosts and today's sites.

    ``scale`` sizes the markers by dose on the map's product's own scale (the
    default draws every marker the smallest). ``highlight`` holds muscle codes
    (both sides) or (code, side) pairs;
    ``hatched`` the muscle-sides a procedure excised or denervated.
    ``id_prefix`` keeps ids unique when one page shows several maps.
    """
    sites, ghosts = tuple(sites), tuple(ghosts)
    x0, y0, w, h = face_map.view_box
    size = (width, height) if width is not None or height is not None else None
    drawing = svgwrite.Drawing(
        size=size,
        viewBox=f"{x0:g} {y0:g} {w:g} {h:g}",
        debug=False,
        **{"class": "facemap", "font-family": "sans-serif"},
    )
    drawing["role"] = "img"
    drawing["aria-labelledby"] = f"{id_prefix}facemap-title {id_prefix}facemap-desc"
    drawing.set_desc(title=title, desc=_describe(sites, ghosts))
    for element, suffix in zip(drawing.elements[:2], ("title", "desc"), strict=True):
        element.xml.set("id", f"{id_prefix}facemap-{suffix}")

    # What never changes with the chart comes drawn already (``_fixed_layers``).
    fixed = _fixed_layers(face_map, id_prefix)
    drawing.add(fixed.outline)
    drawing.add(_regions(fixed, highlight))
    hatched = tuple(hatched)
    if hatched:
        drawing.add(hatched_group(drawing, face_map, hatched, id_prefix))
    for layer in fixed.above_regions:
        drawing.add(layer)
    drawing.add(_markers(drawing, ghosts, scale, ghost=True))
    drawing.add(_markers(drawing, sites, scale, ghost=False))
    markup: str = drawing.tostring()
    return markup


def _describe(sites: tuple[Site, ...], ghosts: tuple[Site, ...]) -> str:
    text = (
        "Front view of the face and neck, drawn facing the patient: the "
        "patient's right side is on the left. "
        f"{len(sites)} injection site{'s' if len(sites) != 1 else ''} charted"
    )
    if ghosts:
        text += f"; {len(ghosts)} from the last cycle shown faintly"
    return text + "."


@dataclass(frozen=True)
class _RegionPath:
    """A muscle-side's region as the map draws it: path data and its name."""

    muscle: str
    side: str
    d: str
    title: str


# A map is a frozen model made of tuples, so it hashes by value (as
# geometry.region_table relies on): its regions are mirrored, measured and
# written as path data once per process, not on every chart refresh.
@functools.lru_cache(maxsize=8)
def _region_paths(face_map: FaceMap) -> tuple[_RegionPath, ...]:
    """Each region's path, largest first, so small regions lie on top as hit
    testing prefers them."""
    names = {muscle.code: muscle.name for muscle in face_map.muscles}
    regions = [
        region
        for muscle in face_map.muscles
        for region in muscle_regions(face_map, muscle)
    ]
    paths = []
    for region in sorted(regions, key=lambda region: -region.area):
        side = "midline" if region.side == "midline" else f"{region.side} side"
        paths.append(
            _RegionPath(
                region.muscle,
                region.side,
                " ".join(_ring_path(ring) for ring in region.shape),
                f"{names[region.muscle]}, {side}",
            )
        )
    return tuple(paths)


class _Drawn:
    """Part of a drawing as svgwrite wrote it out once, added to later drawings as is.

    svgwrite builds a drawing's XML tree from each element's ``get_xml``; this
    one hands back the tree it was given (serialising never changes a tree, so
    one tree serves every drawing, in any thread).
    """

    def __init__(self, xml: ElementTree.Element) -> None:
        self.xml = xml

    def get_xml(self) -> ElementTree.Element:
        return self.xml


@dataclass(frozen=True)
class _FixedLayers:
    """The layers that depend on the map alone, each written out once.

    ``regions`` holds each muscle-side's path twice, plain and highlighted, in
    drawing order; ``above_regions`` the zones, landmarks and side labels.
    """

    outline: _Drawn
    regions: tuple[tuple[_RegionPath, _Drawn, _Drawn], ...]
    above_regions: tuple[_Drawn, ...]


# A chart redraws its map on every refresh, and building the same sixty-odd
# region paths, zones and landmarks again was a third of a chart's state; the
# map is frozen (hashable by value), so each map and id prefix is drawn once
# per process.
@functools.lru_cache(maxsize=16)
def _fixed_layers(face_map: FaceMap, id_prefix: str) -> _FixedLayers:
    drawing = svgwrite.Drawing(debug=False)
    outline = drawing.path(
        d=face_map.outline,
        fill="none",
        stroke=INK,
        stroke_width=1.4,
        stroke_linejoin="round",
        **{"class": "outline", "pointer-events": "none"},
    )
    regions = tuple(
        (
            region,
            _Drawn(_region(drawing, region, id_prefix, lit=False).get_xml()),
            _Drawn(_region(drawing, region, id_prefix, lit=True).get_xml()),
        )
        for region in _region_paths(face_map)
    )
    above = [
        *([_zones(drawing, face_map, id_prefix)] if face_map.zones else []),
        _landmarks(drawing, face_map.landmarks),
        _side_labels(drawing, face_map),
    ]
    return _FixedLayers(
        _Drawn(outline.get_xml()),
        regions,
        tuple(_Drawn(layer.get_xml()) for layer in above),
    )


def _regions(
    fixed: _FixedLayers, highlight: Collection[str | tuple[str, str]]
) -> _Drawn:
    group = ElementTree.Element("g")
    group.set("class", "regions")
    for region, plain, lit in fixed.regions:
        shown = region.muscle in highlight or (region.muscle, region.side) in highlight
        group.append((lit if shown else plain).xml)
    return _Drawn(group)


def _region(
    drawing: svgwrite.Drawing, region: _RegionPath, id_prefix: str, *, lit: bool
) -> svgwrite.path.Path:
    path = drawing.path(
        d=region.d,
        id=f"{id_prefix}region-{region.muscle}-{region.side}",
        fill=REGION_FILL,
        fill_opacity=0.36 if lit else 0.1,
        fill_rule="evenodd",
        stroke=HIGHLIGHT_STROKE if lit else REGION_STROKE,
        stroke_opacity=1.0 if lit else 0.5,
        stroke_width=1.6 if lit else 0.7,
        stroke_linejoin="round",
        **{
            "class": "region highlight" if lit else "region",
            "data-muscle": region.muscle,
            "data-side": region.side,
        },
    )
    path.set_desc(title=region.title)
    return path


def _zones(
    drawing: svgwrite.Drawing, face_map: FaceMap, id_prefix: str
) -> svgwrite.container.Group:
    """Outline the caution zones and shade the no-go ones; taps pass through.

    A zone that applies only to sites of one role (the affected side) depends on
    the patient, so it is told as a warning, not drawn.
    """
    group = drawing.g(**{"class": "zones", "pointer-events": "none"})
    for zone in face_map.zones:
        if zone.roles:
            continue
        no_go = zone.kind == "no_go"
        style: dict[str, str | float] = (
            {"fill": NO_GO_FILL, "fill_opacity": 0.22, "stroke": NO_GO_FILL}
            if no_go
            else {"fill": "none", "stroke": CAUTION_STROKE, "stroke_dasharray": "3 2"}
        )
        path = drawing.path(
            d=" ".join(_ring_path(ring) for ring in zone_shapes(face_map, zone)),
            id=f"{id_prefix}zone-{zone.code}",
            stroke_width=0.8,
            stroke_opacity=0.8,
            **style,
            **{"class": f"zone zone-{zone.kind}", "data-zone": zone.code},
        )
        kind = "No-go zone" if no_go else "Caution zone"
        # The source after "Source:", never in brackets: a source holds its own
        # ("Anatomy (UNSOURCED in the clinical reference)"), and brackets in
        # brackets hide where the UNSOURCED label belongs.
        path.set_desc(title=f"{kind}: {zone.title}. Source: {zone.source}")
        group.add(path)
    return group


def _ring_path(ring: FloatArray) -> str:
    points = [f"{x:g} {y:g}" for x, y in ring.tolist()]
    return "M " + " L ".join(points) + " Z"


def _landmarks(
    drawing: svgwrite.Drawing, landmarks: tuple[Landmark, ...]
) -> svgwrite.container.Group:
    group = drawing.g(**{"class": "landmarks", "pointer-events": "none"})
    for landmark in landmarks:
        group.add(
            drawing.path(
                d=landmark.d,
                stroke_linecap="round",
                stroke_linejoin="round",
                **_LANDMARK_STYLES[landmark.style],
                **{"class": f"landmark {landmark.style}", "data-name": landmark.name},
            )
        )
    return group


def _side_labels(
    drawing: svgwrite.Drawing, face_map: FaceMap
) -> svgwrite.container.Group:
    x0, y0, w, _ = face_map.view_box
    group = drawing.g(fill=INK, **{"class": "side-labels", "pointer-events": "none"})
    for letter, words, x, anchor in (
        ("R", "patient's right", x0 + 8, "start"),
        ("L", "patient's left", x0 + w - 8, "end"),
    ):
        group.add(
            drawing.text(
                letter,
                insert=(x, y0 + 30),
                font_size=22,
                font_weight="bold",
                text_anchor=anchor,
            )
        )
        group.add(
            drawing.text(words, insert=(x, y0 + 42), font_size=7.5, text_anchor=anchor)
        )
    return group


def _markers(
    drawing: svgwrite.Drawing,
    sites: tuple[Site, ...],
    scale: MarkerScale,
    *,
    ghost: bool,
) -> svgwrite.container.Group:
    group = drawing.g(**{"class": "ghosts" if ghost else "sites"})
    for site in sites:
        group.add(
            _ghost(drawing, site, scale) if ghost else _site(drawing, site, scale)
        )
    return group


def _site(
    drawing: svgwrite.Drawing, site: Site, scale: MarkerScale
) -> svgwrite.container.Group:
    colour = site.colour if _HEX_COLOUR.match(site.colour) else FALLBACK_COLOUR
    radius = scale.radius(site.units)
    group = drawing.g(
        **{"class": "site", "data-number": site.number, "data-units": f"{site.units:g}"}
    )
    group.set_desc(title=_site_title(site, prefix="Site"))
    group.add(
        drawing.circle(
            center=(site.x, site.y),
            r=f"{radius:.2f}",
            fill=colour,
            stroke="#ffffff",
            stroke_width=1.2,
        )
    )
    group.add(
        drawing.text(
            str(site.number),
            insert=(site.x, site.y),
            dy=["0.35em"],
            fill=_text_colour(colour),
            font_size=f"{max(radius * 1.05, 6.5):.1f}",
            font_weight="bold",
            text_anchor="middle",
            **{"pointer-events": "none"},
        )
    )
    return group


def _ghost(
    drawing: svgwrite.Drawing, site: Site, scale: MarkerScale
) -> svgwrite.shapes.Circle:
    size: dict[str, str] = (
        {"class": "ghost", "data-units": f"{site.units:g}"}
        if site.sized
        else {"class": "ghost unsized"}
    )
    circle = drawing.circle(
        center=(site.x, site.y),
        r=f"{scale.radius(site.units) if site.sized else scale.smallest:.2f}",
        fill="none",
        stroke=GHOST_STROKE,
        stroke_opacity=0.75,
        stroke_width=1.1,
        stroke_dasharray="2.5 2",
        **size,
    )
    title = _site_title(site, prefix="Last cycle")
    if not site.sized:
        title = f"Last cycle: {site.label}, another product's units"
    circle.set_desc(title=title)
    return circle


def _site_title(site: Site, *, prefix: str) -> str:
    text = f"{prefix} {site.number}" if prefix == "Site" else prefix
    text += f", {site.units:g} units"
    return f"{text}: {site.label}" if site.label else text


def _text_colour(colour: str) -> str:
    """Pick black or white numbers, whichever contrasts more with the fill."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Contrast with white is 1.05 / (L + 0.05); with black, (L + 0.05) / 0.05.
    return (
        "#ffffff"
        if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05
        else "#000000"
    )
