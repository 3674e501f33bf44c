"""Similarity transforms: level the eye line and scale to a common pupil distance.

Coordinates are image pixels with x to the right and y downwards, as Pillow and
SVG use them. A similarity transform is a rotation, a uniform scale and a
translation (no reflection, no shear): it keeps a face's proportions, so distances
measured after alignment are the photo's own distances times one factor.

In a frontal photo that is not mirrored the patient's right pupil is on the
viewer's left. ``Frame`` places it there, at the same height as the left pupil.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class AlignmentError(ValueError):
    """Points that cannot define a transform (too few, or all in one place)."""


@dataclass(frozen=True)
class Similarity:
    """``dst = scale * R(angle) @ src + (tx, ty)``; ``angle`` in radians.

    With y pointing down, a positive angle turns the image clockwise on screen.
    """

    scale: float
    angle: float
    tx: float
    ty: float

    @property
    def matrix(self) -> FloatArray:
        """Return the 3x3 homogeneous matrix, shape (3, 3)."""
        cos = self.scale * math.cos(self.angle)
        sin = self.scale * math.sin(self.angle)
        return np.array(
            [[cos, -sin, self.tx], [sin, cos, self.ty], [0.0, 0.0, 1.0]],
            dtype=np.float64,
        )

    def apply(self, points: ArrayLike) -> FloatArray:
        """Map points of shape (n, 2), or one of shape (2,), through the transform."""
        array = np.asarray(points, dtype=np.float64)
        flat = array.reshape(-1, 2)
        moved = flat @ self.matrix[:2, :2].T + self.matrix[:2, 2]
        return moved.reshape(array.shape)

    def then(self, other: "Similarity") -> "Similarity":
        """Return the transform that applies ``self`` first and ``other`` after."""
        tx, ty = other.apply((self.tx, self.ty)).tolist()
        return Similarity(
            self.scale * other.scale, self.angle + other.angle, float(tx), float(ty)
        )

    def inverse(self) -> "Similarity":
        """Return the transform that undoes this one."""
        back = Similarity(1.0 / self.scale, -self.angle, 0.0, 0.0)
        tx, ty = back.apply((-self.tx, -self.ty)).tolist()
        return Similarity(back.scale, back.angle, float(tx), float(ty))

    def svg_matrix(self) -> str:
        """Return the transform as an SVG ``matrix(a b c d e f)`` attribute value."""
        m = self.matrix
        values = (m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])
        return "matrix(" + " ".join(f"{v:.6g}" for v in values) + ")"


def scaled(factor: float) -> Similarity:
    """Return a pure scale about the origin (display pixels to original ones, say)."""
    if not math.isfinite(factor) or factor <= 0:
        raise AlignmentError("the scale factor must be a positive number")
    return Similarity(factor, 0.0, 0.0, 0.0)


def fit_similarity(source: ArrayLike, target: ArrayLike) -> Similarity:
    """Return the least-squares similarity taking ``source`` points onto ``target``.

    Umeyama's method (IEEE PAMI 13(4), 1991) without reflection. Two distinct
    points fix the transform exactly; more are fitted in the least-squares sense.

    :param source: shape (n, 2), n >= 2, pixels.
    :param target: shape (n, 2), pixels.
    :raises AlignmentError: for fewer than two points or coincident points.
    """
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    if src.ndim != 2 or src.shape[1] != 2 or src.shape != dst.shape:
        raise AlignmentError("source and target must both have shape (n, 2)")
    if src.shape[0] < 2:
        raise AlignmentError("at least two points are needed")
    if not (np.isfinite(src).all() and np.isfinite(dst).all()):
        raise AlignmentError("points must be finite numbers")
    src_mean = src.mean(axis=0)
    dst_mean = dst.mean(axis=0)
    src_c = src - src_mean
    dst_c = dst - dst_mean
    variance = float((src_c**2).sum(axis=1).mean())
    if variance < 1e-12 or float((dst_c**2).sum(axis=1).mean()) < 1e-12:
        raise AlignmentError("the points must not all be in one place")
    covariance = dst_c.T @ src_c / src.shape[0]
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1] = -1.0
    rotation = u @ np.diag(sign) @ vt
    scale = float((singular * sign).sum() / variance)
    translation = dst_mean - scale * rotation @ src_mean
    angle = math.atan2(rotation[1, 0], rotation[0, 0])
    return Similarity(scale, angle, float(translation[0]), float(translation[1]))


@dataclass(frozen=True)
class Frame:
    """The common frame every photo of a comparison is drawn into.

    ``width`` and ``height`` are the frame's size, ``pupil_distance`` the distance
    both pupils end up apart and ``eye_line`` the height of the levelled eye line,
    all in frame pixels.
    """

    width: float = 480.0
    height: float = 600.0
    pupil_distance: float = 150.0
    eye_line: float = 240.0

    def __post_init__(self) -> None:
        for name in ("width", "height", "pupil_distance", "eye_line"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise AlignmentError(f"{name} must be a positive number")

    @property
    def pupils(self) -> FloatArray:
        """Return where the right and left pupils go, shape (2, 2)."""
        middle = self.width / 2
        half = self.pupil_distance / 2
        return np.array(
            [[middle - half, self.eye_line], [middle + half, self.eye_line]],
            dtype=np.float64,
        )


def align_pupils(
    right_pupil: ArrayLike, left_pupil: ArrayLike, frame: Frame
) -> Similarity:
    """Return the transform putting the patient's two pupils where ``frame`` wants.

    :raises AlignmentError: if the pupils coincide, or the patient's right pupil
        is not on the viewer's left (a mirrored photo or swapped marks).
    """
    right = np.asarray(right_pupil, dtype=np.float64)
    left = np.asarray(left_pupil, dtype=np.float64)
    if right.shape != (2,) or left.shape != (2,):
        raise AlignmentError("each pupil is one (x, y) point")
    if right[0] >= left[0]:
        raise AlignmentError(
            "the patient's right pupil must be on the viewer's left of the left "
            "pupil; the marks are swapped or the photo is mirrored"
        )
    return fit_similarity(np.stack([right, left]), frame.pupils)
