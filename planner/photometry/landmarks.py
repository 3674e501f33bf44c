"""The points a clinician marks on a photo, and the seam for a detector of them.

Points are in the stored photo's own pixels (the re-encoded original, orientation
applied), x to the right and y down. "Right" and "left" are the patient's own:
in a photo that is not mirrored the patient's right is on the viewer's left.

Measurement works from these points alone, whoever placed them. Today the
clinician does (as in Emotrics, with clinician-placed points rather than a
model): no offline landmark model with a suitable licence was found that is
reliable on palsied faces. A detector added later implements
``LandmarkDetector`` and proposes points for the clinician to confirm.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]
Points = Mapping[str, Point]


@dataclass(frozen=True)
class Landmark:
    """One point to mark: its key, its name and where exactly it goes."""

    key: str
    label: str
    hint: str


LANDMARKS: tuple[Landmark, ...] = (
    Landmark(
        "pupil_right",
        "Right pupil",
        "Centre of the patient's right pupil (on the viewer's left).",
    ),
    Landmark(
        "pupil_left",
        "Left pupil",
        "Centre of the patient's left pupil (on the viewer's right).",
    ),
    Landmark(
        "brow_right",
        "Right brow",
        "Top edge of the patient's right brow (on the viewer's left), over the pupil.",
    ),
    Landmark(
        "brow_left",
        "Left brow",
        "Top edge of the patient's left brow (on the viewer's right), over the pupil.",
    ),
    Landmark(
        "upper_lid_right",
        "Right upper lid",
        "The patient's right upper lid margin (on the viewer's left), over the pupil.",
    ),
    Landmark(
        "lower_lid_right",
        "Right lower lid",
        "The patient's right lower lid margin (on the viewer's left), under the pupil.",
    ),
    Landmark(
        "upper_lid_left",
        "Left upper lid",
        "The patient's left upper lid margin (on the viewer's right), over the pupil.",
    ),
    Landmark(
        "lower_lid_left",
        "Left lower lid",
        "The patient's left lower lid margin (on the viewer's right), under the pupil.",
    ),
    Landmark(
        "commissure_right",
        "Right mouth corner",
        "The patient's right oral commissure (on the viewer's left).",
    ),
    Landmark(
        "commissure_left",
        "Left mouth corner",
        "The patient's left oral commissure (on the viewer's right).",
    ),
    Landmark(
        "iris_edge_a",
        "Iris edge, one side",
        "Either eye: one edge of the coloured iris, level with the pupil.",
    ),
    Landmark(
        "iris_edge_b",
        "Iris edge, other side",
        "The same iris's opposite edge, level with the pupil.",
    ),
    Landmark("ruler_a", "Ruler mark", "A mark on a ruler held beside the face."),
    Landmark(
        "ruler_b", "Second ruler mark", "Another mark on the same ruler, far from it."
    ),
)
LANDMARK_KEYS: frozenset[str] = frozenset(landmark.key for landmark in LANDMARKS)
PUPILS = ("pupil_right", "pupil_left")


def check_points(points: Points, *, width: int, height: int) -> dict[str, str]:
    """Name each point that is unknown or off the photo, with the reason.

    :param width: the photo's width in pixels; ``height`` likewise.
    """
    problems: dict[str, str] = {}
    for key, (x, y) in points.items():
        if key not in LANDMARK_KEYS:
            problems[key] = "is not a point this page marks"
        elif not (math.isfinite(x) and math.isfinite(y)):
            problems[key] = "must be a number"
        elif not (0 <= x <= width and 0 <= y <= height):
            problems[key] = f"must lie on the photo (0 to {width} by 0 to {height})"
    return problems


class LandmarkDetector(Protocol):
    """Propose points on a photo; the clinician confirms or moves each one.

    :param image: the photo as an 8-bit RGB array, shape (height, width, 3).
    :return: points by ``LANDMARKS`` key, in the photo's pixels; a point the
        detector is unsure of is left out.
    """

    def detect(self, image: NDArray[np.uint8]) -> dict[str, Point]: ...
