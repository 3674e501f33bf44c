"""Measurements from marked points, in millimetres, affected side against healthy.

Every measurement is taken in the eye frame: its origin halfway between the
pupils, its x axis along the line from the patient's right pupil to the left one
and its y axis at right angles to it, pointing down the face. A tilted head is
measured as if the eye line were level, and vertical means perpendicular to the
eye line, as Emotrics measures (Guarin et al., JAMA Facial Plast Surg 2018).

- Brow height: from the pupil's centre up to the top of the brow above it.
- Palpebral fissure height: from the upper lid margin down to the lower one.
- Commissure height: from the eye line down to the mouth corner.
- Commissure movement: how far a mouth corner moved between the photo at rest and
  an expression (a smile, say), each placed in its own eye frame; the smile's
  excursion is this movement on a smile.

Millimetres come from a ruler in the photo (two marks a known distance apart),
else from an iris (its two edges, ``IRIS_DIAMETER_MM`` apart), else from the
patient's pupil distance measured in another photo of the same visit. A scale
from the pupil distance says what that distance was measured with, so one that
rests on the iris is never mistaken for a ruler's.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planner.photometry.landmarks import Point
from planner.photometry.landmarks import Points
from planner.vocabulary import AffectedSide

# UNSOURCED clinic setting: the visible iris diameter taken to be the same in
# every adult. Emotrics scales by an iris diameter of this size, but no source for
# the figure is in the clinical reference; a ruler in the photo is more exact.
IRIS_DIAMETER_MM = 11.8
IRIS_DIAMETER_LABEL = (
    f"an iris diameter of {IRIS_DIAMETER_MM:g} mm (a clinic setting, UNSOURCED)"
)
IRIS_TAKEN_AS = f"taken as {IRIS_DIAMETER_MM:g} mm across (a clinic setting, UNSOURCED)"

ScaleSource = Literal["ruler", "iris", "pupil distance"]
# What the millimetres rest on in the end: a ruler, or the iris figure above.
ScaleKind = Literal["ruler", "iris"]

MEASURE_LABELS: Mapping[str, str] = {
    "brow_height": "Brow height",
    "palpebral_fissure": "Palpebral fissure height",
    "commissure_height": "Commissure height",
    "commissure_movement": "Commissure movement from rest",
}
_SIDE_POINTS: Mapping[str, tuple[str, str]] = {
    # measure: (upper point, lower point) per side; "{side}" is right or left.
    "brow_height": ("brow_{side}", "pupil_{side}"),
    "palpebral_fissure": ("upper_lid_{side}", "lower_lid_{side}"),
}


@dataclass(frozen=True)
class Scale:
    """Millimetres per pixel of one photo, and what they were read from.

    ``via`` is what the pupil distance was measured with, for a scale from the
    pupil distance; None otherwise.
    """

    mm_per_pixel: float
    source: ScaleSource
    via: ScaleKind | None = None

    def __post_init__(self) -> None:
        if (self.source == "pupil distance") != (self.via is not None):
            raise ValueError("only a scale from the pupil distance has a via")

    @property
    def kind(self) -> ScaleKind:
        """Return what the millimetres rest on: a ruler or the iris figure."""
        if self.source == "ruler" or self.via == "ruler":
            return "ruler"
        return "iris"

    def describe(self) -> str:
        """Return where the millimetres come from, as a clinician reads it."""
        if self.source == "ruler":
            return "the ruler in the photo"
        if self.source == "iris":
            return f"the iris, {IRIS_TAKEN_AS}"
        if self.kind == "ruler":
            return "the pupil distance, measured with a ruler in a photo of this visit"
        return (
            "the pupil distance, measured from the iris in a photo of this visit: "
            f"the iris {IRIS_TAKEN_AS}"
        )


@dataclass(frozen=True)
class PupilDistance:
    """The distance between the patient's pupils in mm, and what measured it."""

    mm: float
    source: ScaleKind


@dataclass(frozen=True)
class Comparison:
    """One measurement on the affected side against the healthy side, in mm.

    ``difference`` is affected minus healthy; ``ratio`` is affected over healthy
    (1 is symmetric). All None for a bilateral palsy, which has no healthy side.
    """

    affected: float | None
    healthy: float | None
    difference: float | None
    ratio: float | None


@dataclass(frozen=True)
class Bilateral:
    """One measurement on the patient's right and left sides, in mm (None: unmarked)."""

    right: float | None
    left: float | None

    def compared(self, affected: AffectedSide) -> Comparison:
        """Return this measurement as affected side against healthy side."""
        if affected == AffectedSide.BILATERAL:
            return Comparison(None, None, None, None)
        sick, well = (
            (self.right, self.left)
            if affected == AffectedSide.RIGHT
            else (self.left, self.right)
        )
        if sick is None or well is None:
            return Comparison(sick, well, None, None)
        ratio = sick / well if abs(well) > 1e-9 else None
        return Comparison(sick, well, sick - well, ratio)


@dataclass(frozen=True)
class Measurements:
    """A photo's measurements in mm; each side is None where points are missing."""

    scale: Scale | None
    brow_height: Bilateral
    palpebral_fissure: Bilateral
    commissure_height: Bilateral

    def items(self) -> tuple[tuple[str, Bilateral], ...]:
        return (
            ("brow_height", self.brow_height),
            ("palpebral_fissure", self.palpebral_fissure),
            ("commissure_height", self.commissure_height),
        )


EMPTY = Bilateral(None, None)
SIDES = ("right", "left")


def _distance(points: Points, first: str, second: str) -> float | None:
    if first not in points or second not in points:
        return None
    (x1, y1), (x2, y2) = points[first], points[second]
    return math.hypot(x2 - x1, y2 - y1)


def photo_scale(points: Points, *, ruler_mm: float | None = None) -> Scale | None:
    """Return the photo's scale from its ruler marks, else its iris edges, else None.

    :param ruler_mm: the distance between the two ruler marks, in mm.
    """
    ruler = _distance(points, "ruler_a", "ruler_b")
    if ruler_mm is not None and ruler is not None and ruler > 0 and ruler_mm > 0:
        return Scale(ruler_mm / ruler, "ruler")
    iris = _distance(points, "iris_edge_a", "iris_edge_b")
    if iris is not None and iris > 0:
        return Scale(IRIS_DIAMETER_MM / iris, "iris")
    return None


def pupil_distance_mm(points: Points, scale: Scale | None) -> float | None:
    """Return the distance between the pupils in mm, if both are marked and scaled."""
    pixels = _distance(points, "pupil_right", "pupil_left")
    if scale is None or pixels is None:
        return None
    return pixels * scale.mm_per_pixel


def pupil_distance(points: Points, scale: Scale | None) -> PupilDistance | None:
    """Return the pupil distance measured on a photo with its own ruler or iris."""
    distance = pupil_distance_mm(points, scale)
    if scale is None or distance is None or scale.source == "pupil distance":
        return None
    return PupilDistance(distance, scale.kind)


def scale_from_pupils(points: Points, pupils: PupilDistance) -> Scale | None:
    """Return a scale from the patient's pupil distance measured in another photo."""
    pixels = _distance(points, "pupil_right", "pupil_left")
    if pixels is None or pixels <= 0 or not pupils.mm > 0:
        return None
    return Scale(pupils.mm / pixels, "pupil distance", pupils.source)


@dataclass(frozen=True)
class EyeFrame:
    """The eye frame of one photo: origin, unit axes (image pixels), mm per pixel."""

    origin: NDArray[np.float64]
    x_axis: NDArray[np.float64]
    y_axis: NDArray[np.float64]

    def position(self, point: Point) -> NDArray[np.float64]:
        """Return the point's (across, down) offset from the origin, in pixels."""
        offset = np.asarray(point, dtype=np.float64) - self.origin
        return np.array([offset @ self.x_axis, offset @ self.y_axis])

    def below(self, upper: Point, lower: Point) -> float:
        """Return how far ``lower`` is below ``upper``, square to the eye line."""
        return float(self.position(lower)[1] - self.position(upper)[1])


def eye_frame(points: Points) -> EyeFrame | None:
    """Return the photo's eye frame, or None unless both pupils are marked apart."""
    if "pupil_right" not in points or "pupil_left" not in points:
        return None
    right = np.asarray(points["pupil_right"], dtype=np.float64)
    left = np.asarray(points["pupil_left"], dtype=np.float64)
    length = float(np.hypot(*(left - right)))
    if length <= 0:
        return None
    x_axis = (left - right) / length
    # Turned a quarter clockwise on screen (y is down): down the face.
    y_axis = np.array([-x_axis[1], x_axis[0]])
    return EyeFrame((right + left) / 2, x_axis, y_axis)


def _side_measure(
    points: Points, frame: EyeFrame, scale: Scale, measure: str, side: str
) -> float | None:
    upper, lower = (name.format(side=side) for name in _SIDE_POINTS[measure])
    if upper not in points or lower not in points:
        return None
    return frame.below(points[upper], points[lower]) * scale.mm_per_pixel


def _commissure_height(
    points: Points, frame: EyeFrame, scale: Scale, side: str
) -> float | None:
    corner = points.get(f"commissure_{side}")
    if corner is None:
        return None
    return float(frame.position(corner)[1]) * scale.mm_per_pixel


def measure(points: Points, scale: Scale | None) -> Measurements:
    """Measure one photo; without both pupils or a scale every value is None."""
    frame = eye_frame(points)
    if frame is None or scale is None:
        return Measurements(scale, EMPTY, EMPTY, EMPTY)

    def pair(name: str) -> Bilateral:
        return Bilateral(*(_side_measure(points, frame, scale, name, s) for s in SIDES))

    return Measurements(
        scale=scale,
        brow_height=pair("brow_height"),
        palpebral_fissure=pair("palpebral_fissure"),
        commissure_height=Bilateral(
            *(_commissure_height(points, frame, scale, s) for s in SIDES)
        ),
    )


def commissure_movement(
    rest: Points, rest_scale: Scale | None, moved: Points, moved_scale: Scale | None
) -> Bilateral:
    """Return how far each mouth corner moved from the photo at rest, in mm.

    Each corner is placed in its own photo's eye frame, in mm, so photos taken
    at different distances or head tilts compare. Both scales must rest on the
    same thing (a ruler, or the iris figure): some 70 mm below the eye line, a
    few per cent between two kinds of scale would read as millimetres of
    movement, so photos of different kinds give no movement at all.
    """
    rest_frame, moved_frame = eye_frame(rest), eye_frame(moved)
    if (
        rest_frame is None
        or moved_frame is None
        or rest_scale is None
        or moved_scale is None
        or rest_scale.kind != moved_scale.kind
    ):
        return EMPTY
    values: list[float | None] = []
    for side in SIDES:
        key = f"commissure_{side}"
        if key not in rest or key not in moved:
            values.append(None)
            continue
        before = rest_frame.position(rest[key]) * rest_scale.mm_per_pixel
        after = moved_frame.position(moved[key]) * moved_scale.mm_per_pixel
        values.append(float(np.hypot(*(after - before))))
    return Bilateral(*values)
