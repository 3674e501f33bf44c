"""Caution and no-go zones: which zones a point lies in, folded at the midline.

A zone is stored for the patient's right side (the left is its mirror) or once
across the midline, like a muscle's region. A point on the left is mirrored onto
the right before it is tested, so a point and its mirror image lie in the same
zones. A no-go zone refuses a tap; a caution zone warns about the site placed
there, when it applies to the site's muscle and role.
"""

import functools

import numpy as np
from numpy.typing import NDArray

from planner.facemap.model import FaceMap
from planner.facemap.model import Zone
from planner.facemap.polygon import FloatArray
from planner.facemap.polygon import crossings
from planner.facemap.polygon import fold_points
from planner.facemap.polygon import mirror_shape
from planner.facemap.polygon import shape_edges

IntArray = NDArray[np.int64]


# Maps are frozen and hash by value; a few exist, so every table stays cached.
@functools.lru_cache(maxsize=8)
def _stored_edges(face_map: FaceMap) -> tuple[FloatArray, IntArray]:
    """Return the stored zones' edges (m, 4) and each zone's first edge row (z,)."""
    blocks = [shape_edges(zone.shape) for zone in face_map.zones]
    sizes = np.array([len(block) for block in blocks], dtype=np.int64)
    starts: IntArray = (np.cumsum(sizes) - sizes).astype(np.int64)
    return np.vstack(blocks), starts


def zones_at(face_map: FaceMap, x: float, y: float) -> tuple[Zone, ...]:
    """Return every zone (caution or no-go) that contains the point, in map order."""
    if not face_map.zones:
        return ()
    point = fold_points(np.array([[x, y]], dtype=np.float64), face_map.midline_x)
    edges, starts = _stored_edges(face_map)
    counts = np.add.reduceat(crossings(edges, point)[0], starts)
    return tuple(
        zone
        for zone, count in zip(face_map.zones, counts.tolist(), strict=True)
        if count % 2 == 1
    )


def no_go_at(face_map: FaceMap, x: float, y: float) -> Zone | None:
    """Return the first no-go zone containing the point, if any."""
    for zone in zones_at(face_map, x, y):
        if zone.kind == "no_go":
            return zone
    return None


def site_cautions(
    face_map: FaceMap, x: float, y: float, *, muscle: str, role: str
) -> tuple[Zone, ...]:
    """Return the caution zones that warn about a site on this muscle with this role.

    :param role: "affected", "contralateral" or "midline".
    """
    return tuple(
        zone
        for zone in zones_at(face_map, x, y)
        if zone.kind == "caution"
        and (not zone.muscles or muscle in zone.muscles)
        and (not zone.roles or role in zone.roles)
    )


def zone_shapes(face_map: FaceMap, zone: Zone) -> tuple[FloatArray, ...]:
    """Return a zone's rings as drawn: the right side's and its mirror, or one."""
    shape = zone.shape
    if zone.midline:
        return (shape[0],)
    return (shape[0], mirror_shape(shape, face_map.midline_x)[0])


@functools.lru_cache(maxsize=8)
def no_go_edges(face_map: FaceMap) -> FloatArray:
    """Return the edges (m, 4) of every no-go zone on both sides, for clearances."""
    rings = [
        ring
        for zone in face_map.zones
        if zone.kind == "no_go"
        for ring in zone_shapes(face_map, zone)
    ]
    if not rings:
        return np.zeros((0, 4))
    return shape_edges(tuple(rings))
