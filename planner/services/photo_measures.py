"""Measure a photo within its visit: its own scale, or the visit's pupil distance.

Shared by the compare page and the research export, so both report the same
millimetres. A visit is the photos of one cycle at one timepoint: the newest
photo at rest is what movement is measured from, and a photo with neither a
ruler nor an iris marked borrows the pupil distance measured in another photo
of the visit (the one at rest first).
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from planner import photometry


class MarkedPhoto(Protocol):
    """What measuring needs of a photo: a stored row or a query's row will do."""

    @property
    def id(self) -> int | None: ...
    @property
    def view_code(self) -> str: ...
    @property
    def points(self) -> dict[str, list[float]]: ...
    @property
    def ruler_mm(self) -> float | None: ...


@dataclass(frozen=True)
class PhotoMeasures:
    """A photo's scale and its measurements by key (``MEASURE_LABELS``), in mm."""

    scale: photometry.Scale | None
    values: tuple[tuple[str, photometry.Bilateral], ...]


def points_of(photo: MarkedPhoto) -> dict[str, photometry.Point]:
    """Return the photo's points, leaving out any marked on the wrong side.

    Marks are checked for side when saved; ones saved before that check would
    otherwise swap a measurement's two sides.
    """
    points = {key: (value[0], value[1]) for key, value in photo.points.items()}
    wrong = photometry.side_problems(points)
    return {key: point for key, point in points.items() if f"{key}_x" not in wrong}


def visit_pupil_distance(photos: Iterable[MarkedPhoto]) -> float | None:
    """Return the pupil distance in mm from the visit's first photo with a scale."""
    ordered = sorted(
        photos, key=lambda p: (p.view_code != photometry.REST, -(p.id or 0))
    )
    for photo in ordered:
        points = points_of(photo)
        scale = photometry.photo_scale(points, ruler_mm=photo.ruler_mm)
        distance = photometry.pupil_distance_mm(points, scale)
        if distance is not None:
            return distance
    return None


def _scale(photo: MarkedPhoto, pupils_mm: float | None) -> photometry.Scale | None:
    points = points_of(photo)
    scale = photometry.photo_scale(points, ruler_mm=photo.ruler_mm)
    if scale is None and pupils_mm is not None:
        scale = photometry.scale_from_pupils(points, pupils_mm)
    return scale


def visit_measures(photo: MarkedPhoto, visit: Sequence[MarkedPhoto]) -> PhotoMeasures:
    """Measure ``photo``, one of ``visit`` (the photos of its cycle and timepoint)."""
    pupils_mm = visit_pupil_distance(visit)
    scale = _scale(photo, pupils_mm)
    values = list(photometry.measure(points_of(photo), scale).items())
    rests = [p for p in visit if p.view_code == photometry.REST]
    rest = max(rests, key=lambda p: p.id or 0) if rests else None
    if rest is not None and rest.id != photo.id:
        moved = photometry.commissure_movement(
            points_of(rest), _scale(rest, pupils_mm), points_of(photo), scale
        )
        values.append(("commissure_movement", moved))
    return PhotoMeasures(scale, tuple(values))
