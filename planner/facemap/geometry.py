"""Hit testing and mirroring on a face map.

Coordinates are face-map viewBox units (400 x 520, 20 per cm on front-v2), x to
the viewer's right, y down. The patient's right side is drawn on the viewer's
left, so x below the midline is the patient's right.

Hit testing folds the face in two: a point on the patient's left is mirrored onto
the right, tested against the right side's regions and the midline ones, and its
answer mirrored back. A point and its mirror image therefore always get mirrored
answers, exactly, and a point on the midline itself charts a midline part or, on
a paired muscle, no side at all.
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
from planner.facemap.polygon import fold_points
from planner.facemap.polygon import mirror_shape
from planner.facemap.polygon import segment_distances
from planner.facemap.polygon import shape_area
from planner.facemap.polygon import shape_edges
from planner.facemap.zones import no_go_at
from planner.facemap.zones import no_go_edges

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
class EdgeTable:
    """Some regions' edges flattened for vectorised tests.

    ``edges`` has shape (m, 4) (x0, y0, x1, y1); ``starts`` has shape (r,) and
    gives each region's first edge row, edges being stored region by region;
    ``owner`` has shape (m,) and ``areas`` shape (r,).
    """

    edges: FloatArray
    owner: IntArray
    starts: IntArray
    areas: FloatArray


@dataclass(frozen=True)
class RegionTable:
    """Every region of a map, and the right and midline ones that hits fold onto.

    ``edges``, ``owner``, ``starts`` and ``areas`` cover every region; ``half``
    covers the right-side and midline regions, ``half_index`` (shape (h,)) maps
    them to their index in ``regions``, and ``twin`` (shape (r,)) gives each
    region's mirror image (a midline region is its own).
    """

    regions: tuple[Region, ...]
    edges: FloatArray
    owner: IntArray
    starts: IntArray
    areas: FloatArray
    half: EdgeTable
    half_index: IntArray
    twin: IntArray
    paired: NDArray[np.bool_]


@dataclass(frozen=True)
class Miss:
    """Why a tap charts nothing: a no-go zone, the midline of a paired muscle, or
    no muscle near enough. ``message`` is for the clinician, ``field`` for the
    form field ``x``."""

    reason: Literal["no_go", "midline", "nothing"]
    message: str
    field: str
    zone: str | None = None


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
    """Return a muscle's regions: one if it is midline, else right then left,
    then its central part (midline) if it has one."""
    shape = muscle.shape
    area = shape_area(shape)
    if muscle.midline:
        return (Region(muscle.code, "midline", shape, area),)
    left = mirror_shape(shape, face_map.midline_x)
    regions: tuple[Region, ...] = (
        Region(muscle.code, "right", shape, area),
        Region(muscle.code, "left", left, area),
    )
    if muscle.central is not None:
        central = muscle.central.shape
        regions += (Region(muscle.code, "midline", central, shape_area(central)),)
    return regions


def reference_points(face_map: FaceMap, muscle: Muscle, side: Side) -> FloatArray:
    """Return a muscle's reference points on one side, shape (k, 2).

    :raises KeyError: for the midline of a paired muscle with no central part.
    """
    if side == "midline" and not muscle.midline:
        if muscle.central is None:
            raise KeyError((muscle.code, side))
        return np.asarray(muscle.central.points, dtype=np.float64)
    points = np.asarray(muscle.points, dtype=np.float64)
    if side == "left" and not muscle.midline:
        return mirror_points(points, face_map.midline_x)
    return points


def _edge_table(regions: tuple[Region, ...]) -> EdgeTable:
    blocks = [shape_edges(region.shape) for region in regions]
    sizes = np.array([len(block) for block in blocks], dtype=np.int64)
    return EdgeTable(
        edges=np.vstack(blocks),
        owner=np.repeat(np.arange(len(regions), dtype=np.int64), sizes),
        starts=(np.cumsum(sizes) - sizes).astype(np.int64),
        areas=np.array([region.area for region in regions]),
    )


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
    whole = _edge_table(regions)
    half_index = np.array(
        [i for i, region in enumerate(regions) if region.side != "left"],
        dtype=np.int64,
    )
    where = {(region.muscle, region.side): i for i, region in enumerate(regions)}
    mirrored: dict[Side, Side] = {
        "right": "left",
        "left": "right",
        "midline": "midline",
    }
    twin = np.array(
        [where[(region.muscle, mirrored[region.side])] for region in regions],
        dtype=np.int64,
    )
    return RegionTable(
        regions=regions,
        edges=whole.edges,
        owner=whole.owner,
        starts=whole.starts,
        areas=whole.areas,
        half=_edge_table(tuple(regions[i] for i in half_index)),
        half_index=half_index,
        twin=twin,
        paired=np.array([region.side != "midline" for region in regions]),
    )


def _unfold(
    table: RegionTable, points: FloatArray, index: IntArray, midline_x: float
) -> IntArray:
    """Map indices found for folded points back to the points' own regions.

    A paired region found for a point on the midline itself has no side: -1.
    """
    found = np.where(index >= 0, index, 0)
    unfolded = np.where(points[:, 0] > midline_x, table.twin[found], found)
    sideless = (points[:, 0] == midline_x) & table.paired[found]
    result: IntArray = np.where((index < 0) | sideless, -1, unfolded)
    return result


def locate(face_map: FaceMap, points: FloatArray) -> IntArray:
    """Find the smallest region containing each point (folded at the midline).

    :param points: shape (n, 2), viewBox units.
    :return: shape (n,), an index into ``region_table(face_map).regions``, or -1
        where no region contains the point, or where the point lies on the
        midline and only a paired muscle's region is found.
    """
    table = region_table(face_map)
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    folded = fold_points(points, face_map.midline_x)
    half = table.half
    counts = np.add.reduceat(crossings(half.edges, folded), half.starts, axis=1)
    areas = np.where(counts % 2 == 1, half.areas[None, :], np.inf)
    best = table.half_index[areas.argmin(axis=1)]
    index = np.where(np.isfinite(areas.min(axis=1)), best, -1)
    return _unfold(table, points, index, face_map.midline_x)


def tap_target(
    face_map: FaceMap, x: float, y: float, *, tolerance: float = DEFAULT_TOLERANCE
) -> Hit | Miss:
    """Say which muscle and side a tap at (x, y) charts, or why it charts nothing.

    A no-go zone refuses the tap outright, even over a muscle and within reach of
    one: nothing snaps onto the eye. Inside overlapping regions the smallest
    wins, so thin and small muscles drawn on top stay reachable. Outside every
    region, the tap snaps to the region with the nearest edge when that edge is
    within ``tolerance`` units.
    """
    refused = no_go_at(face_map, x, y)
    if refused is not None:
        # Short enough for the chair's three-line status; the zone's source is on
        # the map's own title for the zone and on the sign-off sheet.
        title = refused.title[:1].lower() + refused.title[1:]
        return Miss(
            "no_go",
            f"Nothing placed: {title} is a no-go zone. {refused.message}",
            f"is in a no-go zone: {refused.title}",
            refused.code,
        )
    table = region_table(face_map)
    point = np.array([[x, y]], dtype=np.float64)
    index = int(locate(face_map, point)[0])
    if index >= 0:
        region = table.regions[index]
        return Hit(region.muscle, region.side, inside=True, distance=0.0)
    folded = fold_points(point, face_map.midline_x)
    distances = segment_distances(table.half.edges, folded)[0]
    nearest = int(distances.argmin())
    if distances[nearest] > tolerance:
        return Miss(
            "nothing", "That point is not on a muscle of the map.", "is not on a muscle"
        )
    found = table.half_index[int(table.half.owner[nearest])]
    unfolded = int(_unfold(table, point, np.array([found]), face_map.midline_x)[0])
    if unfolded < 0:
        return _on_the_midline(face_map, table.regions[found].muscle)
    region = table.regions[unfolded]
    return Hit(
        region.muscle, region.side, inside=False, distance=float(distances[nearest])
    )


def _on_the_midline(face_map: FaceMap, muscle: str) -> Miss:
    name = face_map.muscle(muscle).name
    return Miss(
        "midline",
        f"Nothing placed: that point is on the midline, and the {name} is paired. "
        "Tap a little to the patient's right or left.",
        "is on the midline of a paired muscle",
    )


def hit_test(
    face_map: FaceMap, x: float, y: float, *, tolerance: float = DEFAULT_TOLERANCE
) -> Hit | None:
    """Say which muscle and side a tap at (x, y) charts, if any (see tap_target)."""
    target = tap_target(face_map, x, y, tolerance=tolerance)
    return target if isinstance(target, Hit) else None


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

    That is the distance to the nearest edge of the muscle's own region, of any
    smaller region (which would win the hit test once entered) or of a no-go zone.

    :param points: shape (n, 2), inside the region, viewBox units.
    :return: shape (n,), viewBox units.
    """
    table = region_table(face_map)
    own = region_index(face_map, muscle, side)
    rivals = (table.owner == own) | (table.areas[table.owner] < table.areas[own])
    edges = np.vstack([table.edges[rivals], no_go_edges(face_map)])
    distances = segment_distances(edges, np.atleast_2d(points))
    room: FloatArray = distances.min(axis=1)
    return room
