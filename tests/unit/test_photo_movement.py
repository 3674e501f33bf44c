"""A mouth corner's movement from rest is measured with one scale (review RF2).

Some 70 mm below the eye line, a few per cent between two photos' scales reads
as millimetres of movement: the review's face "smiled" 5.4 mm without moving.
"""

import pytest

from planner.photometry import Bilateral
from planner.photometry import Scale
from planner.photometry import commissure_movement
from planner.services.photo_measures import visit_measures
from planner.services.research_photos import scale_code
from tests.unit.test_photo_scales import Shot
from tests.unit.test_photo_scales import face
from tests.unit.test_photo_scales import ruler_shot


def movement(found):
    [pair] = [pair for key, pair in found.values if key == "commissure_movement"]
    return pair.right, pair.left


def test_unmoved_corners_do_not_move_across_a_ruler_and_an_iris():
    """The review's repro: rest with a ruler, the smile with only an iris."""
    rest = ruler_shot(1, "rest")
    smile = Shot(2, "smile_open", face(iris=True))
    found = visit_measures(smile, [rest, smile])
    assert movement(found) == (pytest.approx(0.0), pytest.approx(0.0))
    assert found.movement_scale.kind == "ruler"


def test_corners_moved_5_mm_read_5_mm_whichever_photo_has_the_ruler():
    for rest, smile in (
        (
            ruler_shot(1, "rest"),
            Shot(2, "smile_open", face(iris=True, corners_out_mm=5)),
        ),
        (
            Shot(1, "rest", face(iris=True)),
            Shot(2, "smile_open", face(ruler=True, corners_out_mm=5), 50.0),
        ),
    ):
        found = visit_measures(smile, [rest, smile])
        assert movement(found) == (pytest.approx(5.0), pytest.approx(5.0))
        assert scale_code(found.movement_scale) == "pupil_distance_ruler"


def test_the_movement_says_which_scale_both_photos_shared():
    rest = Shot(1, "rest", face(iris=True))
    smile = Shot(2, "smile_open", face(ruler=True), 50.0)
    found = visit_measures(smile, [rest, smile])
    # The smile's own measurements use its ruler; its movement, the pupil
    # distance that ruler measured, applied to both photos alike.
    assert found.scale == Scale(pytest.approx(0.25), "ruler")
    assert found.movement_scale == Scale(pytest.approx(0.25), "pupil distance", "ruler")
    assert found.movement_scale.describe() == (
        "the pupil distance, measured with a ruler in a photo of this visit"
    )


def test_without_a_rest_photo_there_is_no_movement_and_no_movement_scale():
    smile = Shot(2, "smile_open", face(iris=True))
    found = visit_measures(smile, [smile])
    assert "commissure_movement" not in dict(found.values)
    assert found.movement_scale is None


def test_a_movement_across_two_kinds_of_scale_is_refused():
    rest_points = {key: (x, y) for key, (x, y) in face(ruler=True).items()}
    smile_points = {key: (x, y) for key, (x, y) in face(iris=True).items()}
    ruler, iris = Scale(0.25, "ruler"), Scale(0.2682, "iris")
    refused = commissure_movement(rest_points, ruler, smile_points, iris)
    assert refused == Bilateral(None, None)
    from_ruler = Scale(0.25, "pupil distance", "ruler")
    moved = commissure_movement(rest_points, ruler, smile_points, from_ruler)
    assert (moved.right, moved.left) == (pytest.approx(0.0), pytest.approx(0.0))
