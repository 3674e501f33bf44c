"""The face map's sign-off sheet: the drawing labelled, and every part with its source.

A clinician reviews a map version on paper before it is used. The drawing shows
each reference point numbered on the patient's right (the left side's are their
mirror images), and each muscle's abbreviation and each zone's label (Z1, Z2, ...)
on the patient's left; the lists give every region, point and zone with its source.
"""

from dataclasses import dataclass

import svgwrite

from planner.facemap.geometry import muscle_regions
from planner.facemap.model import FaceMap
from planner.facemap.model import Muscle
from planner.facemap.model import Zone
from planner.facemap.polygon import Shape
from planner.facemap.polygon import mirror_shape
from planner.facemap.polygon import shape_centroid
from planner.facemap.render import INK
from planner.facemap.render import _fixed_layers
from planner.facemap.render import _landmarks
from planner.facemap.render import _regions
from planner.facemap.render import _side_labels
from planner.facemap.render import _zones

POINT_COLOUR = "#0b4f8a"
ZONE_COLOUR = "#8a3b00"
HALO = "#ffffff"


@dataclass(frozen=True)
class PointEntry:
    """One reference point: its label on the drawing, where it is, its source."""

    label: str
    side: str
    x: float
    y: float
    # Distance from the midline in cm, when the map declares its scale.
    from_midline_cm: float | None
    source: str


@dataclass(frozen=True)
class MuscleEntry:
    abbreviation: str
    name: str
    code: str
    sides: tuple[str, ...]
    region_source: str
    guidance: str
    caution: str
    points: tuple[PointEntry, ...]


@dataclass(frozen=True)
class ZoneEntry:
    label: str
    code: str
    title: str
    kind: str
    severity: str
    applies_to: str
    message: str
    source: str


@dataclass(frozen=True)
class SignOffSheet:
    """Everything the printed sheet shows for one map version."""

    name: str
    version: int
    title: str
    scale_px_per_cm: float | None
    source: str
    notes: tuple[str, ...]
    svg: str
    muscles: tuple[MuscleEntry, ...]
    zones: tuple[ZoneEntry, ...]


def _point_entries(face_map: FaceMap, muscle: Muscle) -> tuple[PointEntry, ...]:
    scale = face_map.scale_px_per_cm
    parts = [("midline" if muscle.midline else "right", muscle.points, "")]
    sources = [muscle.point_sources]
    if muscle.central is not None:
        parts.append(("midline", muscle.central.points, "c"))
        sources.append(muscle.central.point_sources)
    entries = []
    for (side, points, tag), told in zip(parts, sources, strict=True):
        for number, (x, y) in enumerate(points, start=1):
            entries.append(
                PointEntry(
                    label=f"{muscle.abbreviation}{tag}{number}",
                    side=side,
                    x=x,
                    y=y,
                    from_midline_cm=None
                    if scale is None
                    else round(abs(face_map.midline_x - x) / scale, 2),
                    source=told[number - 1] if told else "not given",
                )
            )
    return tuple(entries)


def _applies_to(face_map: FaceMap, zone: Zone) -> str:
    if zone.kind == "no_go":
        return "every tap: nothing is placed"
    muscles = (
        ", ".join(face_map.muscle(code).name for code in zone.muscles)
        if zone.muscles
        else "every muscle"
    )
    roles = f", on the {' or '.join(zone.roles)} side only" if zone.roles else ""
    return muscles + roles


def sign_off_sheet(face_map: FaceMap) -> SignOffSheet:
    """Gather the sheet of one map: the labelled drawing and every entry."""
    zones = tuple(
        ZoneEntry(
            label=f"Z{number}",
            code=zone.code,
            title=zone.title,
            kind=zone.kind.replace("_", "-"),
            severity=zone.severity if zone.kind == "caution" else "refused",
            applies_to=_applies_to(face_map, zone),
            message=zone.message,
            source=zone.source,
        )
        for number, zone in enumerate(face_map.zones, start=1)
    )
    muscles = tuple(
        MuscleEntry(
            abbreviation=muscle.abbreviation,
            name=muscle.name,
            code=muscle.code,
            sides=muscle.sides,
            region_source=muscle.region_source or "not given",
            guidance=muscle.guidance,
            caution=muscle.caution,
            points=_point_entries(face_map, muscle),
        )
        for muscle in face_map.muscles
    )
    return SignOffSheet(
        name=face_map.name,
        version=face_map.version,
        title=face_map.title,
        scale_px_per_cm=face_map.scale_px_per_cm,
        source=face_map.source,
        notes=face_map.notes,
        svg=_labelled_drawing(face_map, muscles, zones),
        muscles=muscles,
        zones=zones,
    )


def _text(
    drawing: svgwrite.Drawing, text: str, x: float, y: float, *, size: float, fill: str
) -> svgwrite.container.Group:
    """A label over a white halo, so it reads over the regions' strokes.

    Two texts, halo first: WeasyPrint ignores ``paint-order``.
    """
    group = drawing.g(
        font_size=size,
        font_weight="bold",
        text_anchor="middle",
        **{"dominant-baseline": "middle"},
    )
    at = (round(x, 2), round(y, 2))
    group.add(
        drawing.text(text, insert=at, fill=HALO, stroke=HALO, stroke_width=size / 3)
    )
    group.add(drawing.text(text, insert=at, fill=fill))
    return group


def _labelled_drawing(
    face_map: FaceMap, muscles: tuple[MuscleEntry, ...], zones: tuple[ZoneEntry, ...]
) -> str:
    x0, y0, w, h = face_map.view_box
    drawing = svgwrite.Drawing(
        size=("100%", "100%"),
        viewBox=f"{x0:g} {y0:g} {w:g} {h:g}",
        debug=False,
        **{"class": "facemap sign-off", "font-family": "sans-serif"},
    )
    drawing.set_desc(title=f"{face_map.title}: {face_map.name}, for sign-off")
    drawing.add(
        drawing.path(d=face_map.outline, fill="none", stroke=INK, stroke_width=1.2)
    )
    # The package's own drawing of regions, zones and landmarks, as on screen.
    drawing.add(_regions(_fixed_layers(face_map, "sheet-"), frozenset()))
    if face_map.zones:
        drawing.add(_zones(drawing, face_map, "sheet-"))
    drawing.add(_landmarks(drawing, face_map.landmarks))
    drawing.add(_side_labels(drawing, face_map))
    labels = drawing.g(**{"class": "sheet-labels"})
    # The patient's right carries the reference points and their numbers.
    for entry in muscles:
        for point in entry.points:
            labels.add(
                drawing.circle(center=(point.x, point.y), r=1.6, fill=POINT_COLOUR)
            )
            labels.add(
                _text(
                    drawing,
                    point.label,
                    point.x,
                    point.y - 3.6,
                    size=3.0,
                    fill=POINT_COLOUR,
                )
            )
    # The patient's left carries the muscles' abbreviations and the zones' labels,
    # each moved down until it clears the ones already placed.
    placed: list[tuple[float, float]] = []

    def place(text: str, shape: Shape, size: float, fill: str) -> None:
        cx, cy = shape_centroid(shape)
        while any(abs(cx - x) < 12 and abs(cy - y) < 5.5 for x, y in placed):
            cy += 5.5
        placed.append((cx, cy))
        labels.add(_text(drawing, text, cx, cy, size=size, fill=fill))

    for muscle in face_map.muscles:
        *_, region = (r for r in muscle_regions(face_map, muscle) if r.side != "right")
        place(muscle.abbreviation, region.shape, 4.0, INK)
    for zone, zone_entry in zip(face_map.zones, zones, strict=True):
        shape = (
            zone.shape if zone.midline else mirror_shape(zone.shape, face_map.midline_x)
        )
        place(zone_entry.label, shape, 4.4, ZONE_COLOUR)
    drawing.add(labels)
    markup: str = drawing.tostring()
    return markup
