"""Aligning by the pupils and measuring from marked points, worked by hand.

The drawn face below is laid out in millimetres, so every expected value can be
read off it; it is then photographed (mapped to pixels) at a scale, a tilt and
an offset, and the measurements must come back in millimetres all the same.
"""

import math

import numpy as np
import pytest
from PIL import Image

from planner.photometry import IRIS_DIAMETER_MM
from planner.photometry import AlignmentError
from planner.photometry import Bilateral
from planner.photometry import Frame
from planner.photometry import PupilDistance
from planner.photometry import Similarity
from planner.photometry import align_pupils
from planner.photometry import check_points
from planner.photometry import commissure_movement
from planner.photometry import fit_similarity
from planner.photometry import measure
from planner.photometry import photo_scale
from planner.photometry import pupil_distance_mm
from planner.photometry import scale_from_pupils
from planner.photometry import scaled
from planner.vocabulary import AffectedSide
from tests.photo_images import draw_face

ALIGN_TOLERANCE_PX = 0.5


@pytest.mark.parametrize(
    ("scale", "degrees", "tx", "ty"),
    [
        (1.0, 0.0, 0.0, 0.0),
        (0.25, 12.0, 310.0, -40.0),
        (3.5, -37.0, -1200.0, 2500.0),
        (0.08, 179.0, 15.5, 0.25),
    ],
)
@pytest.mark.parametrize("count", [2, 3, 25])
def test_fit_recovers_rotation_scale_and_translation(scale, degrees, tx, ty, count):
    rng = np.random.default_rng(count)
    source = rng.uniform(0, 4000, size=(count, 2))
    truth = Similarity(scale, math.radians(degrees), tx, ty)
    found = fit_similarity(source, truth.apply(source))
    assert found.scale == pytest.approx(scale, rel=1e-9)
    assert math.degrees(found.angle) == pytest.approx(degrees, abs=1e-7)
    grid = np.stack(np.meshgrid(np.linspace(0, 4000, 9), np.linspace(0, 3000, 7)), -1)
    grid = grid.reshape(-1, 2)
    np.testing.assert_allclose(
        found.apply(grid), truth.apply(grid), atol=ALIGN_TOLERANCE_PX / 100
    )


def test_fit_with_noisy_marks_stays_within_half_a_pixel():
    """Clicks are off by a fraction of a pixel; the fit must still land well."""
    rng = np.random.default_rng(7)
    source = rng.uniform(500, 3500, size=(30, 2))
    truth = Similarity(0.18, math.radians(-8.0), 120.0, 35.0)
    noisy = truth.apply(source) + rng.normal(0, 0.3, size=source.shape)
    found = fit_similarity(source, noisy)
    grid = rng.uniform(0, 4000, size=(200, 2))
    error = np.hypot(*(found.apply(grid) - truth.apply(grid)).T)
    assert error.max() < ALIGN_TOLERANCE_PX


@pytest.mark.parametrize(
    ("right", "left"),
    [
        ((1510.0, 1320.0), (2240.0, 1395.0)),  # tilted down to the left
        ((820.0, 1700.0), (1304.0, 1610.0)),  # tilted up, smaller
        ((2000.0, 1500.0), (2001.0, 1500.0)),  # one pixel apart
    ],
)
def test_pupils_land_on_a_level_eye_line_a_common_distance_apart(right, left):
    frame = Frame(width=480, height=600, pupil_distance=150, eye_line=240)
    transform = align_pupils(right, left, frame)
    placed = transform.apply(np.array([right, left]))
    np.testing.assert_allclose(placed, frame.pupils, atol=ALIGN_TOLERANCE_PX)
    assert placed[0, 1] == pytest.approx(placed[1, 1], abs=1e-9)  # level
    assert placed[1, 0] - placed[0, 0] == pytest.approx(150.0)


def test_display_pixels_compose_with_the_alignment():
    """A display copy at a third of the size aligns to the same frame."""
    frame = Frame()
    right, left = np.array([900.0, 1200.0]), np.array([1500.0, 1260.0])
    original = align_pupils(right, left, frame)
    display = scaled(3.0).then(original)  # display pixel -> original -> frame
    np.testing.assert_allclose(
        display.apply(np.array([right, left]) / 3.0), frame.pupils, atol=1e-9
    )
    back = original.inverse()
    np.testing.assert_allclose(back.apply(frame.pupils), [right, left], atol=1e-9)


def test_svg_matrix_maps_points_as_the_transform_does():
    transform = Similarity(0.5, math.radians(30), 12.0, -7.0)
    numbers = [float(v) for v in transform.svg_matrix()[7:-1].split()]
    a, b, c, d, e, f = numbers
    x, y = 40.0, 90.0
    np.testing.assert_allclose(
        (a * x + c * y + e, b * x + d * y + f), transform.apply((x, y)), atol=1e-4
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ([[1.0, 2.0]], "at least two"),
        ([[5.0, 5.0], [5.0, 5.0]], "one place"),
        ([[0.0, 0.0], [math.nan, 1.0]], "finite"),
    ],
)
def test_fit_refuses_points_that_define_nothing(source, message):
    with pytest.raises(AlignmentError, match=message):
        fit_similarity(source, [[0.0, 0.0], [1.0, 1.0]][: len(source)])


def test_swapped_pupils_are_refused_not_turned_upside_down():
    with pytest.raises(AlignmentError, match="swapped or the photo is mirrored"):
        align_pupils((900.0, 500.0), (400.0, 500.0), Frame())


def dark_centroids(image: Image.Image) -> np.ndarray:
    """Return the centres of the dark blobs left and right of the image's middle."""
    pixels = np.asarray(image.convert("L"), dtype=np.float64)
    ys, xs = np.nonzero(pixels < 35)
    middle = image.width / 2
    return np.array(
        [
            [xs[xs < middle].mean(), ys[xs < middle].mean()],
            [xs[xs >= middle].mean(), ys[xs >= middle].mean()],
        ]
    )


def test_a_drawn_tilted_face_is_levelled_on_its_pixels():
    """Draw pupils, tilt the photo, align it with the transform: pupils on target.

    Pillow's affine takes the inverse map (frame pixel -> photo pixel), exactly
    the coefficients an SVG ``matrix()`` inverts, so this checks the convention
    the compare page relies on.
    """
    upright = draw_face(1200, 1600, pupils=((480.0, 700.0), (720.0, 700.0)))
    tilted = upright.rotate(11, resample=Image.Resampling.BICUBIC, fillcolor="white")
    right, left = dark_centroids(tilted)
    frame = Frame(width=480, height=600, pupil_distance=150, eye_line=240)
    back = align_pupils(right, left, frame).inverse().matrix
    aligned = tilted.transform(
        (480, 600),
        Image.Transform.AFFINE,
        tuple(back[:2].ravel()),
        resample=Image.Resampling.BICUBIC,
        fillcolor="white",
    )
    np.testing.assert_allclose(dark_centroids(aligned), frame.pupils, atol=1.0)


# A face laid out in millimetres: x across (patient's right negative), y down,
# origin between the pupils. Affected side: left (brow lower, corner lower).
FACE_MM = {
    "pupil_right": (-31.0, 0.0),
    "pupil_left": (31.0, 0.0),
    "brow_right": (-31.0, -24.0),
    "brow_left": (31.0, -19.0),
    "upper_lid_right": (-31.0, -5.0),
    "lower_lid_right": (-31.0, 5.0),
    "upper_lid_left": (31.0, -6.5),
    "lower_lid_left": (31.0, 4.5),
    "commissure_right": (-25.0, 70.0),
    "commissure_left": (25.0, 74.0),
    "iris_edge_a": (-31.0 - IRIS_DIAMETER_MM / 2, 0.0),
    "iris_edge_b": (-31.0 + IRIS_DIAMETER_MM / 2, 0.0),
    "ruler_a": (-60.0, 95.0),
    "ruler_b": (40.0, 95.0),
}
CAMERA = Similarity(9.0, math.radians(6.5), 2000.0, 1500.0)  # 9 px per mm


def photographed(face_mm, camera=CAMERA):
    return {key: tuple(camera.apply(point).tolist()) for key, point in face_mm.items()}


def test_each_measurement_of_the_drawn_face_in_millimetres():
    points = photographed(FACE_MM)
    scale = photo_scale(points)
    assert scale is not None
    assert scale.source == "iris"
    assert scale.mm_per_pixel == pytest.approx(1 / 9)
    found = measure(points, scale)
    assert found.brow_height.right == pytest.approx(24.0)
    assert found.brow_height.left == pytest.approx(19.0)
    assert found.palpebral_fissure.right == pytest.approx(10.0)
    assert found.palpebral_fissure.left == pytest.approx(11.0)
    assert found.commissure_height.right == pytest.approx(70.0)
    assert found.commissure_height.left == pytest.approx(74.0)
    assert pupil_distance_mm(points, scale) == pytest.approx(62.0)


def test_a_ruler_in_the_photo_wins_over_the_iris():
    points = photographed(FACE_MM)
    scale = photo_scale(points, ruler_mm=100.0)
    assert scale is not None
    assert scale.source == "ruler"
    assert measure(points, scale).brow_height.right == pytest.approx(24.0)
    # A ruler read as 50 mm halves every distance: the ruler really is used.
    half = measure(points, photo_scale(points, ruler_mm=50.0))
    assert half.brow_height.right == pytest.approx(12.0)


def test_affected_side_against_healthy_side():
    found = measure(photographed(FACE_MM), photo_scale(photographed(FACE_MM)))
    brow = found.brow_height.compared(AffectedSide.LEFT)
    assert (brow.affected, brow.healthy) == (pytest.approx(19.0), pytest.approx(24.0))
    assert brow.difference == pytest.approx(-5.0)
    assert brow.ratio == pytest.approx(19.0 / 24.0)
    corner = found.commissure_height.compared(AffectedSide.RIGHT)
    assert corner.difference == pytest.approx(-4.0)
    both = found.brow_height.compared(AffectedSide.BILATERAL)
    assert both.affected is None
    assert both.difference is None


def test_smile_excursion_is_the_corners_movement_from_rest():
    """Right corner moves 6 mm out and 8 up (10 mm), left 3 out and 4 up (5 mm)."""
    smile = dict(FACE_MM)
    smile["commissure_right"] = (-31.0, 62.0)
    smile["commissure_left"] = (28.0, 70.0)
    rest_points = photographed(FACE_MM)
    # The smile is photographed closer, tilted the other way, elsewhere in frame.
    smile_points = photographed(smile, Similarity(12.0, math.radians(-4), 800, 600))
    moved = commissure_movement(
        rest_points,
        photo_scale(rest_points),
        smile_points,
        photo_scale(smile_points),
    )
    assert moved.right == pytest.approx(10.0)
    assert moved.left == pytest.approx(5.0)


def test_a_photo_without_iris_or_ruler_takes_its_scale_from_the_pupils():
    unscaled = {
        k: v
        for k, v in photographed(FACE_MM, Similarity(5.0, 0.0, 100, 100)).items()
        if not k.startswith(("iris", "ruler"))
    }
    assert photo_scale(unscaled) is None
    scale = scale_from_pupils(unscaled, PupilDistance(62.0, "iris"))
    assert scale is not None
    assert scale.source == "pupil distance"
    assert measure(unscaled, scale).commissure_height.left == pytest.approx(74.0)


def test_missing_points_give_no_value_and_no_scale_gives_none():
    points = photographed(FACE_MM)
    del points["brow_left"]
    found = measure(points, photo_scale(points))
    assert found.brow_height == Bilateral(pytest.approx(24.0), None)
    assert found.brow_height.compared(AffectedSide.LEFT).difference is None
    nothing = measure(points, None)
    assert nothing.palpebral_fissure == Bilateral(None, None)
    no_pupils = {k: v for k, v in points.items() if not k.startswith("pupil")}
    assert measure(no_pupils, photo_scale(points)).brow_height == Bilateral(None, None)


def test_points_off_the_photo_or_unknown_are_named():
    problems = check_points(
        {"pupil_right": (10.0, 10.0), "pupil_left": (700.0, 5.0), "nose": (1.0, 1.0)},
        width=600,
        height=800,
    )
    assert problems == {
        "pupil_left": "must lie on the photo (0 to 600 by 0 to 800)",
        "nose": "is not a point this page marks",
    }
