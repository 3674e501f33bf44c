"""Plane geometry on polygons with holes, vectorised with numpy.

A shape is a tuple of rings: the outer ring first, then any holes. Each ring
is an array of shape (k, 2) holding (x, y) vertices in face-map viewBox units,
closed implicitly (the last vertex joins the first). Even-odd filling makes
holes work without any orientation rule.
"""

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Shape = tuple[FloatArray, ...]


def ring_array(vertices: object) -> FloatArray:
    """Return vertices as a float array of shape (k, 2)."""
    ring = np.asarray(vertices, dtype=np.float64)
    if ring.ndim != 2 or ring.shape[1] != 2:
        raise ValueError(f"expected a list of [x, y] pairs, got shape {ring.shape}")
    return ring


def shape_edges(shape: Shape) -> FloatArray:
    """Return the edges of every ring as an array (m, 4) of x0, y0, x1, y1."""
    parts = [np.hstack([ring, np.roll(ring, -1, axis=0)]) for ring in shape]
    return np.vstack(parts)


def crossings(edges: FloatArray, points: FloatArray) -> NDArray[np.int64]:
    """Count, per point and edge, rightward rays that cross the edge.

    :param edges: shape (m, 4), x0, y0, x1, y1.
    :param points: shape (n, 2).
    :return: shape (n, m), 1 where the ray from the point towards +x crosses.
    """
    x0, y0, x1, y1 = (edges[:, i][None, :] for i in range(4))
    px = points[:, 0][:, None]
    py = points[:, 1][:, None]
    # Half-open rule on y, so a ray through a shared vertex counts once.
    straddles = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    crossed: NDArray[np.int64] = (straddles & (px < x_at)).astype(np.int64)
    return crossed


def contains(shape: Shape, points: FloatArray) -> BoolArray:
    """Test which points lie inside the shape (even-odd rule).

    :param points: shape (n, 2), viewBox units.
    :return: shape (n,), True inside.
    """
    count = crossings(shape_edges(shape), np.atleast_2d(points)).sum(axis=1)
    inside: BoolArray = count % 2 == 1
    return inside


def segment_distances(edges: FloatArray, points: FloatArray) -> FloatArray:
    """Return the distance from each point to each edge segment.

    :param edges: shape (m, 4).
    :param points: shape (n, 2).
    :return: shape (n, m), viewBox units.
    """
    x0, y0, x1, y1 = (edges[:, i][None, :] for i in range(4))
    px = points[:, 0][:, None]
    py = points[:, 1][:, None]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, ((px - x0) * dx + (py - y0) * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    distance: FloatArray = np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))
    return distance


def distance_to_boundary(shape: Shape, points: FloatArray) -> FloatArray:
    """Return each point's distance to the nearest edge of the shape, shape (n,)."""
    nearest: FloatArray = segment_distances(
        shape_edges(shape), np.atleast_2d(points)
    ).min(axis=1)
    return nearest


def ring_area(ring: FloatArray) -> float:
    """Return the unsigned area of one ring (shoelace), in square units."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2)


def shape_area(shape: Shape) -> float:
    """Return the outer ring's area less its holes', in square units."""
    return ring_area(shape[0]) - sum(ring_area(hole) for hole in shape[1:])


def ring_centroid(ring: FloatArray) -> tuple[float, float]:
    """Return the area centroid (x, y) of one simple ring."""
    x, y = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    return (
        float(((x + xn) * cross).sum() / (6 * area)),
        float(((y + yn) * cross).sum() / (6 * area)),
    )


def shape_centroid(shape: Shape) -> tuple[float, float]:
    """Return the area centroid (x, y) of a shape, holes subtracted."""
    weights = [ring_area(shape[0])] + [-ring_area(hole) for hole in shape[1:]]
    centres = [ring_centroid(ring) for ring in shape]
    total = sum(weights)
    return (
        sum(w * c[0] for w, c in zip(weights, centres, strict=True)) / total,
        sum(w * c[1] for w, c in zip(weights, centres, strict=True)) / total,
    )


def mirror_shape(shape: Shape, midline_x: float) -> Shape:
    """Reflect every ring across the vertical line x = midline_x."""
    return tuple(
        np.column_stack([2 * midline_x - ring[:, 0], ring[:, 1]]) for ring in shape
    )


def fold_points(points: FloatArray, midline_x: float) -> FloatArray:
    """Mirror the points (n, 2) right of x = midline_x onto its left; keep the rest.

    Mirroring is the same expression as ``mirror_shape``'s, so a point and its
    mirror image fold onto exactly the same point.
    """
    x = points[:, 0]
    folded: FloatArray = np.column_stack(
        [np.where(x > midline_x, 2 * midline_x - x, x), points[:, 1]]
    )
    return folded
