"""Side-named points must lie on their own side of the face's midline (review RF1).

The patient's right is on the viewer's left. A brow, lid or mouth corner tapped
on the other side would swap the two sides' measurements, and with them
"affected against healthy".
"""

import math

import pytest

from planner.photometry import LANDMARKS
from planner.photometry import Similarity
from planner.photometry import measure
from planner.photometry import photo_scale
from planner.photometry import side_problems
from planner.services.photo_marks import parse_marks
from planner.services.photo_measures import points_of
from tests.unit.test_photometry import FACE_MM
from tests.unit.test_photometry import photographed

SIDED = [
    "brow",
    "upper_lid",
    "lower_lid",
    "commissure",
]


def swapped(points, part):
    """Return the points with ``part``'s right and left marks exchanged."""
    moved = dict(points)
    moved[f"{part}_right"], moved[f"{part}_left"] = (
        points[f"{part}_left"],
        points[f"{part}_right"],
    )
    return moved


def form_of(points):
    form = {}
    for key, (x, y) in points.items():
        form[f"{key}_x"], form[f"{key}_y"] = str(x), str(y)
    return form


def test_points_on_their_own_side_pass():
    assert side_problems(photographed(FACE_MM)) == {}


@pytest.mark.parametrize("part", SIDED)
def test_a_swapped_pair_is_refused_naming_both_fields(part):
    problems = side_problems(swapped(photographed(FACE_MM), part))
    assert set(problems) == {f"{part}_right_x", f"{part}_left_x"}
    assert problems[f"{part}_right_x"].startswith(
        "must be on the viewer's left of the midline between the pupils"
    )
    assert problems[f"{part}_left_x"].startswith(
        "must be on the viewer's right of the midline"
    )


def test_the_reason_names_the_point_in_words():
    problems = side_problems(swapped(photographed(FACE_MM), "commissure"))
    assert problems["commissure_right_x"] == (
        "must be on the viewer's left of the midline between the pupils: the "
        "patient's right mouth corner is on the viewer's left"
    )
    assert problems["commissure_left_x"].endswith(
        "the patient's left mouth corner is on the viewer's right"
    )


def test_the_midline_is_square_to_a_tilted_eye_line():
    """Head tilted 40°: the mouth corners swing round the pupils' middle.

    On the photo's raw x the right mouth corner sits right of the pupils'
    middle, yet on the face it is on the patient's right: accepted. A left
    corner just across the face's own midline sits even further right on the
    photo, yet it is on the wrong side of the face: refused.
    """
    tilt = Similarity(9.0, math.radians(-40), 2000.0, 1500.0)
    tilted = photographed(FACE_MM, tilt)
    middle_x = (tilted["pupil_right"][0] + tilted["pupil_left"][0]) / 2
    assert tilted["commissure_right"][0] > middle_x
    assert side_problems(tilted) == {}
    across = photographed(dict(FACE_MM, commissure_left=(-2.0, 70.0)), tilt)
    assert across["commissure_left"][0] > middle_x
    assert list(side_problems(across)) == ["commissure_left_x"]


def test_a_point_on_the_midline_is_refused():
    on_line = dict(FACE_MM, commissure_left=(0.0, 70.0))
    assert list(side_problems(photographed(on_line))) == ["commissure_left_x"]


def test_swapped_pupils_are_named_as_before_and_nothing_else_is_judged():
    points = swapped(photographed(FACE_MM), "pupil")
    assert side_problems(points) == {
        "pupil_right_x": "must be to the viewer's left of the left pupil: the "
        "patient's right eye is on the viewer's left"
    }


def test_without_both_pupils_there_is_no_midline():
    points = swapped(photographed(FACE_MM), "brow")
    del points["pupil_left"]
    assert side_problems(points) == {}


def test_the_marking_form_refuses_a_side_swap():
    """The review's repro: right brow and corner tapped on the viewer's right."""
    points = swapped(swapped(photographed(FACE_MM), "brow"), "commissure")
    _, _, problems = parse_marks(form_of(points), width=4000, height=4000)
    assert set(problems) == {
        "brow_right_x",
        "brow_left_x",
        "commissure_right_x",
        "commissure_left_x",
    }


def test_off_the_photo_is_named_before_the_side():
    points = swapped(photographed(FACE_MM), "brow")
    _, _, problems = parse_marks(form_of(points), width=2200, height=4000)
    # The left brow, now on the viewer's left, is still on the photo.
    assert problems["brow_left_x"].startswith("must be on the viewer's right")
    assert problems["brow_right_x"] == "must lie on the photo (0 to 2200 by 0 to 4000)"


@pytest.mark.parametrize("landmark", [m for m in LANDMARKS if m.key.endswith("_right")])
def test_every_right_named_hint_says_the_viewers_left(landmark):
    assert "patient's right" in landmark.hint
    assert "(on the viewer's left)" in landmark.hint


@pytest.mark.parametrize("landmark", [m for m in LANDMARKS if m.key.endswith("_left")])
def test_every_left_named_hint_says_the_viewers_right(landmark):
    assert "patient's left" in landmark.hint
    assert "(on the viewer's right)" in landmark.hint


class Stored:
    """A photo whose marks were saved before sides were checked."""

    id = 1
    view_code = "rest"
    ruler_mm = None

    def __init__(self, points):
        self.points = {key: list(point) for key, point in points.items()}


def test_marks_saved_on_the_wrong_side_before_the_check_are_not_measured():
    points = swapped(photographed(FACE_MM), "brow")
    kept = points_of(Stored(points))
    assert "brow_right" not in kept
    assert "brow_left" not in kept
    found = measure(kept, photo_scale(kept))
    assert (found.brow_height.right, found.brow_height.left) == (None, None)
    assert found.commissure_height.left == pytest.approx(74.0)
