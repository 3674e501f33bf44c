"""The checks a face map passes when it is loaded, beyond each field's own.

Every drawn part (a muscle's region on the right side, a midline region, a
central part, a zone) lies inside the viewBox; a part stored for the right side
stays left of the midline; a part across the midline is its own mirror image, so
hit testing can fold the face in two; every reference point lies in its own part,
in no smaller muscle's region, and in no zone that would warn about it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.facemap.polygon import Shape
from planner.facemap.polygon import contains
from planner.facemap.polygon import ring_array
from planner.facemap.polygon import shape_area

if TYPE_CHECKING:
    from planner.facemap.model import FaceMap
    from planner.facemap.model import Point
    from planner.facemap.model import Ring


@dataclass(frozen=True)
class Part:
    """One drawn part of a muscle: where it is written, its shape and its points."""

    where: str
    code: str
    shape: Shape
    points: tuple["Point", ...]
    across_midline: bool

    @property
    def area(self) -> float:
        return shape_area(self.shape)


def muscle_parts(face_map: "FaceMap") -> Iterator[Part]:
    """Yield each muscle's region, then its central part if it has one."""
    for index, muscle in enumerate(face_map.muscles):
        where = f"muscles[{index}] ({muscle.code})"
        yield Part(where, muscle.code, muscle.shape, muscle.points, muscle.midline)
        if muscle.central is not None:
            central = muscle.central
            yield Part(
                f"{where}.central", muscle.code, central.shape, central.points, True
            )


def _check_ring(
    face_map: "FaceMap", where: str, ring: "Ring", *, across_midline: bool
) -> None:
    x0, y0, width, height = face_map.view_box
    for number, (x, y) in enumerate(ring):
        here = f"{where}[{number}]"
        if not (x0 <= x <= x0 + width and y0 <= y <= y0 + height):
            raise ValueError(f"{here}: ({x}, {y}) lies outside the view_box")
        if not across_midline and x > face_map.midline_x:
            raise ValueError(
                f"{here}: ({x}, {y}) is right of the midline; store the "
                "patient's right side only (x <= midline_x)"
            )


def _check_across_midline(face_map: "FaceMap", where: str, ring: "Ring") -> None:
    """A part across the midline straddles it and is its own mirror image."""
    mid = face_map.midline_x
    xs = [x for x, _ in ring]
    if not min(xs) < mid < max(xs):
        raise ValueError(f"{where}: a midline part must straddle midline_x")
    vertices = sorted((round(x, 6), round(y, 6)) for x, y in ring)
    mirrored = sorted((round(2 * mid - x, 6), round(y, 6)) for x, y in ring)
    if vertices != mirrored:
        raise ValueError(
            f"{where}: a midline part must be its own mirror image across "
            "midline_x (each vertex has its twin)"
        )


def check_parts(face_map: "FaceMap") -> None:
    """Check every muscle part's rings and that its points lie inside it."""
    for part in muscle_parts(face_map):
        muscle = face_map.muscle(part.code)
        region = (
            muscle.central.region if part.across_midline and muscle.central else None
        )
        outer = region if region is not None else muscle.region
        rings = {"region": outer}
        if region is None:
            rings |= {f"holes[{h}]": hole for h, hole in enumerate(muscle.holes)}
        for field, ring in (rings | {"points": part.points}).items():
            _check_ring(
                face_map,
                f"{part.where}.{field}",
                ring,
                across_midline=part.across_midline,
            )
        if part.across_midline:
            _check_across_midline(face_map, f"{part.where}.region", outer)
        inside = contains(part.shape, ring_array(part.points))
        for number, ok in enumerate(inside.tolist()):
            if not ok:
                x, y = part.points[number]
                raise ValueError(
                    f"{part.where}.points[{number}]: ({x}, {y}) lies outside the "
                    "muscle's region"
                )


def check_points_reach_their_muscle(face_map: "FaceMap") -> None:
    """Reject a reference point that a tap would chart as a smaller muscle part."""
    parts = list(muscle_parts(face_map))
    for part in parts:
        points = ring_array(part.points)
        for rival in parts:
            if rival is part or rival.area >= part.area:
                continue
            for number in contains(rival.shape, points).nonzero()[0].tolist():
                x, y = part.points[number]
                raise ValueError(
                    f"{part.where}.points[{number}]: ({x}, {y}) is inside the "
                    f"smaller region of {rival.code}, so a tap there would chart "
                    f"{rival.code}"
                )


def check_zones(face_map: "FaceMap") -> None:
    """Check each zone's ring, its muscles, and that no reference point is in it.

    A zone narrowed to some roles may cover reference points: the point is right
    for the muscle, and the role is what the zone warns about.
    """
    codes = {muscle.code for muscle in face_map.muscles}
    seen: set[str] = set()
    for index, zone in enumerate(face_map.zones):
        where = f"zones[{index}] ({zone.code})"
        if zone.code in seen:
            raise ValueError(f"{where}.code: duplicate {zone.code!r}")
        seen.add(zone.code)
        for muscle in zone.muscles:
            if muscle not in codes:
                raise ValueError(f"{where}.muscles: {muscle!r} is not on the map")
        _check_ring(
            face_map, f"{where}.region", zone.region, across_midline=zone.midline
        )
        if zone.midline:
            _check_across_midline(face_map, f"{where}.region", zone.region)
        if zone.roles:
            continue
        for part in muscle_parts(face_map):
            if zone.muscles and part.code not in zone.muscles:
                continue
            inside = contains(zone.shape, np.asarray(part.points, dtype=np.float64))
            for number in inside.nonzero()[0].tolist():
                x, y = part.points[number]
                raise ValueError(
                    f"{part.where}.points[{number}]: ({x}, {y}) lies in the "
                    f"{zone.kind.replace('_', '-')} zone {zone.code}"
                )
