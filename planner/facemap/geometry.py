"""Hit testing and mirroring on a face map.

Coordinates are face-map viewBox units (400 x 520 for front-v1, about 20 per
cm), x to the viewer's right, y down. The patient's right side is drawn on the
viewer's left, so x below the midline is the patient's right.
"""

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planner.facemap.model import FaceMap
from planner.facemap.model import Muscle
from planner.facemap.polygon import FloatArray
from planner.facemap.polygon import Shape
from planner.facemap.polygon import crossings
from planner.facemap.polygon import mirror_shape
from planner.facemap.polygon import segment_distances
from planner.facemap.polygon import shape_area
from planner.facemap.polygon import shape_edges

Side = Literal["right", "left", "midline"]
IntArray = NDArray[np.int64]

MIDLINE_X = 200.0
DEFAULT_TOLERANCE = 12.0


@dataclass(frozen=True)
class Hit:
    """The muscle and anatomical side a tap landed on.

    ``inside`` is False when the tap was outside every region and snapped to
    the nearest one; ``distance`` is then how far it was, in viewBox units.
    """

    muscle: str
    side: Side
    inside: bool
    distance: float


@dataclass(frozen=True)
class Region:
    """One muscle's region on one side, as arrays."""

    muscle: str
    side: Side
    shape: Shape
    area: float


@dataclass(frozen=True)
class RegionTable:
    """Every region of a map, with their edges flattened for vectorised tests.

    ``edges`` has shape (m, 4) (x0, y0, x1, y1); ``starts`` has shape (r,) and
    gives each region's first edge row, edges being stored region by region.
    """

    regions: tuple[Region, ...]
    edges: FloatArray
    owner: IntArray
    starts: IntArray
    areas: FloatArray


def mirror(x: float, y: float, midline_x: float = MIDLINE_X) -> tuple[float, float]:
    """Reflect a point across the midline: the same spot on the other side."""
    return 2 * midline_x - x, y


def mirror_points(points: FloatArray, midline_x: float = MIDLINE_X) -> FloatArray:
    """Reflect points of shape (n, 2) across the midline."""
    mirrored: FloatArray = np.column_stack([2 * midline_x - points[:, 0], points[:, 1]])
    return mirrored


def side_of(x: float, midline_x: float = MIDLINE_X) -> Side:
    """Name the patient's side a point is on (right is the viewer's left)."""
    if x < midline_x:
        return "right"
    if x > midline_x:
        return "left"
    return "midline"


def muscle_regions(face_map: FaceMap, muscle: Muscle) -> tuple[Region, ...]:
    """Return a muscle's regions: one if it is midline, else right then left."""
    shape = muscle.shape
    area = shape_area(shape)
    if muscle.midline:
        return (Region(muscle.code, "midline", shape, area),)
    left = mirror_shape(shape, face_map.midline_x)
    return (
        Region(muscle.code, "right", shape, area),
        Region(muscle.code, "left", left, area),
    )


def reference_points(face_map: FaceMap, muscle: Muscle, side: Side) -> FloatArray:
    """Return a muscle's reference points on one side, shape (k, 2)."""
    points = np.asarray(muscle.points, dtype=np.float64)
    if side == "left" and not muscle.midline:
        return mirror_points(points, face_map.midline_x)
    return points


# A map is a frozen model made of tuples, so it hashes by value; a handful of
# maps exist, so a small cache holds every table for the life of the process.
@functools.lru_cache(maxsize=8)
def region_table(face_map: FaceMap) -> RegionTable:
    """Build (once per map) the arrays that hit testing works on."""
    regions = tuple(
        region
        for muscle in face_map.muscles
        for region in muscle_regions(face_map, muscle)
    )
    edge_blocks = [shape_edges(region.shape) for region in regions]
    sizes = np.array([len(block) for block in edge_blocks], dtype=np.int64)
    return RegionTable(
        regions=regions,
        edges=np.vstack(edge_blocks),
        owner=np.repeat(np.arange(len(regions), dtype=np.int64), sizes),
        starts=(np.cumsum(sizes) - sizes).astype(np.int64),
        areas=np.array([region.area for region in regions]),
    )


def locate(face_map: FaceMap, points: FloatArray) -> IntArray:
    """Find the smallest region containing each point.

    :param points: shape (n, 2), viewBox units.
    :return: shape (n,), an index into ``region_table(face_map).regions``, or -1
        where no region contains the point.
    """
    table = region_table(face_map)
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    counts = np.add.reduceat(crossings(table.edges, points), table.starts, axis=1)
    areas = np.where(counts % 2 == 1, table.areas[None, :], np.inf)
    best = areas.argmin(axis=1)
    found: IntArray = np.where(np.isfinite(areas.min(axis=1)), best, -1)
    return found


def hit_test(
    face_map: FaceMap, x: float, y: float, *, tolerance: float = DEFAULT_TOLERANCE
) -> Hit | None:
    """Say which muscle and side a tap at (x, y) charts, if any.

    Inside overlapping regions the smallest wins, so thin and small muscles
    drawn on top stay reachable. Outside every region, the tap snaps to the
    region with the nearest edge when that edge is within ``tolerance`` units.
    """
    table = region_table(face_map)
    point = np.array([[x, y]], dtype=np.float64)
    index = int(locate(face_map, point)[0])
    if index >= 0:
        region = table.regions[index]
        return Hit(region.muscle, region.side, inside=True, distance=0.0)
    distances = segment_distances(table.edges, point)[0]
    nearest = int(distances.argmin())
    if distances[nearest] > tolerance:
        return None
    region = table.regions[int(table.owner[nearest])]
    return Hit(
        region.muscle, region.side, inside=False, distance=float(distances[nearest])
    )


def region_index(face_map: FaceMap, muscle: str, side: Side) -> int:
    """Return the index of a muscle's region on one side in the region table."""
    for index, region in enumerate(region_table(face_map).regions):
        if region.muscle == muscle and region.side == side:
            return index
    raise KeyError((muscle, side))


def clearance(
    face_map: FaceMap, muscle: str, side: Side, points: FloatArray
) -> FloatArray:
    """Say how far each point may move and still hit the same muscle and side.

    That is the distance to the nearest edge of the muscle's own region or of
    any smaller region (which would win the hit test once entered).

    :param points: shape (n, 2), inside the region, viewBox units.
    :return: shape (n,), viewBox units.
    """
    table = region_table(face_map)
    own = region_index(face_map, muscle, side)
    rivals = (table.owner == own) | (table.areas[table.owner] < table.areas[own])
    distances = segment_distances(table.edges[rivals], np.atleast_2d(points))
    room: FloatArray = distances.min(axis=1)
    return room
