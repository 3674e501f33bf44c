"""Which side of the face a marked point lies on: the patient's own right or left.

In a photo that is not mirrored the patient's right is on the viewer's left. The
face's midline is the line square to the eye line halfway between the pupils
(x = 0 in the eye frame), so a tilted head is judged as if it were level. A
brow, lid or mouth corner named for one side but marked on the other would swap
the two sides' measurements, and with them "affected against healthy".
"""

from planner.photometry.landmarks import LANDMARKS
from planner.photometry.landmarks import PUPILS
from planner.photometry.landmarks import Points
from planner.photometry.measures import eye_frame

VIEWER_SIDE = {"right": "left", "left": "right"}
# Side-named points other than the pupils (which define the midline), with the
# patient's side each belongs to and its name in a sentence ("right brow").
SIDED = {
    landmark.key: (landmark.key.rsplit("_", 1)[1], landmark.label.lower())
    for landmark in LANDMARKS
    if landmark.key.endswith(("_right", "_left")) and landmark.key not in PUPILS
}


def _reason(side: str, name: str) -> str:
    viewer = VIEWER_SIDE[side]
    return (
        f"must be on the viewer's {viewer} of the midline between the pupils: "
        f"the patient's {name} is on the viewer's {viewer}"
    )


def side_problems(points: Points) -> dict[str, str]:
    """Name each side-named point marked on the wrong side of the face.

    Without both pupils there is no midline and nothing is checked.

    :return: a reason per form field (``pupil_right_x``, ``brow_left_x``, ...).
    """
    right, left = (points.get(key) for key in PUPILS)
    if right is None or left is None:
        return {}
    if right[0] >= left[0]:
        return {
            "pupil_right_x": "must be to the viewer's left of the left pupil: the "
            "patient's right eye is on the viewer's left"
        }
    frame = eye_frame(points)
    if frame is None:
        return {}
    problems = {}
    for key, (side, name) in SIDED.items():
        if key not in points:
            continue
        across = float(frame.position(points[key])[0])
        # The patient's right runs from the midline towards the right pupil.
        if not (across < 0 if side == "right" else across > 0):
            problems[f"{key}_x"] = _reason(side, name)
    return problems
