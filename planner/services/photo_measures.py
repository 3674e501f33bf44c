"""Measure a photo within its visit: its own scale, or the visit's pupil distance.

Shared by the compare page and the research export, so both report the same
millimetres. A visit is the photos of one cycle at one timepoint: the newest
photo at rest is what movement is measured from, with one scale for both photos
(the visit's pupil distance), so a difference between the two photos' own
scales is never read as the mouth moving.

The patient's pupil distance is measured once per visit, with a ruler if any
photo of the visit has one (the photo at rest first), else from an iris. A
photo's own ruler is its best scale; next comes that pupil distance when a ruler
measured it, so an iris-only photo of a visit with a ruler is measured in ruler
millimetres; then the photo's own iris; then the pupil distance from an iris.
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
    """A photo's scale and its measurements by key (``MEASURE_LABELS``), in mm.

    ``movement_scale`` is the scale both photos of ``commissure_movement`` were
    measured by (the visit's pupil distance); None without a movement.
    """

    scale: photometry.Scale | None
    values: tuple[tuple[str, photometry.Bilateral], ...]
    movement_scale: photometry.Scale | None = None


def points_of(photo: MarkedPhoto) -> dict[str, photometry.Point]:
    """Return the photo's points, leaving out any marked on the wrong side.

    Marks are checked for side when saved; ones saved before that check would
    otherwise swap a measurement's two sides.
    """
    points = {key: (value[0], value[1]) for key, value in photo.points.items()}
    wrong = photometry.side_problems(points)
    return {key: point for key, point in points.items() if f"{key}_x" not in wrong}


def visit_pupil_distance(
    photos: Iterable[MarkedPhoto],
) -> photometry.PupilDistance | None:
    """Return the visit's pupil distance: by a ruler if any photo has one, else an iris.

    Among photos alike, the newest at rest comes first, then the newest.
    """
    found = []
    for photo in photos:
        points = points_of(photo)
        scale = photometry.photo_scale(points, ruler_mm=photo.ruler_mm)
        distance = photometry.pupil_distance(points, scale)
        if distance is not None:
            rank = (distance.source != "ruler", photo.view_code != photometry.REST)
            found.append((rank, -(photo.id or 0), distance))
    return min(found, key=lambda item: item[:2])[2] if found else None


def _scale(
    photo: MarkedPhoto, pupils: photometry.PupilDistance | None
) -> photometry.Scale | None:
    points = points_of(photo)
    own = photometry.photo_scale(points, ruler_mm=photo.ruler_mm)
    borrowed = None if pupils is None else photometry.scale_from_pupils(points, pupils)
    # A ruler anywhere in the visit is preferred to the iris figure; between
    # scales alike, the photo's own (min keeps the first of equals).
    scales = [scale for scale in (own, borrowed) if scale is not None]
    return min(scales, key=lambda scale: scale.kind != "ruler", default=None)


def visit_measures(photo: MarkedPhoto, visit: Sequence[MarkedPhoto]) -> PhotoMeasures:
    """Measure ``photo``, one of ``visit`` (the photos of its cycle and timepoint)."""
    pupils = visit_pupil_distance(visit)
    scale = _scale(photo, pupils)
    points = points_of(photo)
    values = list(photometry.measure(points, scale).items())
    rests = [p for p in visit if p.view_code == photometry.REST]
    rest = max(rests, key=lambda p: p.id or 0) if rests else None
    if rest is None or rest.id == photo.id:
        return PhotoMeasures(scale, tuple(values))
    # One scale for both photos: each photo's own pupils against the visit's
    # pupil distance in mm, whatever ruler or iris either photo has.
    rest_points = points_of(rest)
    rest_scale, moved_scale = (
        None if pupils is None else photometry.scale_from_pupils(marked, pupils)
        for marked in (rest_points, points)
    )
    moved = photometry.commissure_movement(rest_points, rest_scale, points, moved_scale)
    values.append(("commissure_movement", moved))
    return PhotoMeasures(scale, tuple(values), moved_scale)
