"""Which scale a photo of a visit is measured by, and saying so (review RF5).

The face is photographed at 4 px per mm; its pupils are 62 mm apart and its
iris, truly, 11.0 mm across. The app takes an iris as 11.8 mm (a clinic
setting, UNSOURCED), so iris millimetres here read 7 % long and ruler
millimetres are true: which one a photo used shows in its numbers.
"""

from dataclasses import dataclass
from dataclasses import field

import pytest

from planner.photometry import IRIS_DIAMETER_MM
from planner.photometry import PupilDistance
from planner.photometry import Scale
from planner.services.photo_measures import visit_measures
from planner.services.photo_measures import visit_pupil_distance
from planner.services.research_photos import scale_code

PX = 4.0
TRUE_IRIS_MM = 11.0
IRIS_MM_PER_PX = IRIS_DIAMETER_MM / (TRUE_IRIS_MM * PX)


def face(*, ruler=False, iris=False, corners_out_mm=0.0):
    """Return a face's points: right brow 25 mm above its pupil, left brow 20 mm."""
    out = corners_out_mm * PX
    points = {
        "pupil_right": [400.0, 600.0],
        "pupil_left": [400 + 62 * PX, 600.0],
        "brow_right": [400.0, 600 - 25 * PX],
        "brow_left": [648.0, 600 - 20 * PX],
        "commissure_right": [400 + 6 * PX - out, 600 + 70 * PX],
        "commissure_left": [648 - 6 * PX + out, 600 + 70 * PX],
    }
    if iris:
        points["iris_edge_a"] = [400 - TRUE_IRIS_MM / 2 * PX, 600.0]
        points["iris_edge_b"] = [400 + TRUE_IRIS_MM / 2 * PX, 600.0]
    if ruler:
        points["ruler_a"] = [100.0, 100.0]
        points["ruler_b"] = [100.0, 100 + 50 * PX]
    return points


@dataclass
class Shot:
    id: int
    view_code: str
    points: dict = field(default_factory=dict)
    ruler_mm: float | None = None


def ruler_shot(id_, view):
    return Shot(id_, view, face(ruler=True), 50.0)


def brows(found):
    [pair] = [pair for key, pair in found.values if key == "brow_height"]
    return pair.right, pair.left


def test_a_borrowed_scale_says_it_rests_on_the_iris():
    rest = Shot(1, "rest", face(iris=True))
    brow = Shot(2, "brow_raise", face())
    found = visit_measures(brow, [rest, brow])
    assert found.scale == Scale(pytest.approx(IRIS_MM_PER_PX), "pupil distance", "iris")
    assert found.scale.kind == "iris"
    assert found.scale.describe() == (
        "the pupil distance, measured from the iris in a photo of this visit: the "
        "iris taken as 11.8 mm across (a clinic setting, UNSOURCED)"
    )
    assert scale_code(found.scale) == "pupil_distance_iris"


def test_a_ruler_anywhere_in_the_visit_measures_the_pupil_distance():
    """The review's repro: the ruler is on the smile, not on the photo at rest."""
    rest = Shot(1, "rest", face(iris=True))
    brow = Shot(2, "brow_raise", face())
    smile = ruler_shot(3, "smile_open")
    visit = [rest, brow, smile]
    assert visit_pupil_distance(visit) == PupilDistance(pytest.approx(62.0), "ruler")
    found = visit_measures(brow, visit)
    assert found.scale == Scale(pytest.approx(1 / PX), "pupil distance", "ruler")
    assert brows(found) == (pytest.approx(25.0), pytest.approx(20.0))
    assert found.scale.describe() == (
        "the pupil distance, measured with a ruler in a photo of this visit"
    )
    assert scale_code(found.scale) == "pupil_distance_ruler"


def test_an_iris_photo_of_a_visit_with_a_ruler_is_measured_in_ruler_millimetres():
    rest = ruler_shot(1, "rest")
    smile = Shot(2, "smile_open", face(iris=True))
    found = visit_measures(smile, [rest, smile])
    assert found.scale.kind == "ruler"
    assert brows(found) == (pytest.approx(25.0), pytest.approx(20.0))


def test_without_a_ruler_the_iris_is_used_and_labelled():
    rest = Shot(1, "rest", face(iris=True))
    found = visit_measures(rest, [rest])
    assert found.scale == Scale(pytest.approx(IRIS_MM_PER_PX), "iris")
    assert brows(found)[0] == pytest.approx(25.0 * IRIS_DIAMETER_MM / TRUE_IRIS_MM)
    assert found.scale.describe() == (
        "the iris, taken as 11.8 mm across (a clinic setting, UNSOURCED)"
    )
    assert scale_code(found.scale) == "iris"


def test_a_photos_own_ruler_comes_first():
    rest = ruler_shot(1, "rest")
    other = Shot(2, "brow_raise", face(ruler=True), 25.0)  # its ruler read as 25 mm
    found = visit_measures(other, [rest, other])
    assert found.scale == Scale(pytest.approx(0.5 / PX), "ruler")
    assert found.scale.describe() == "the ruler in the photo"


def test_among_rulers_the_photo_at_rest_measures_the_pupil_distance():
    rest = ruler_shot(1, "rest")
    later = Shot(2, "smile_open", face(ruler=True), 25.0)
    assert visit_pupil_distance([later, rest]).mm == pytest.approx(62.0)


@pytest.mark.parametrize(
    ("source", "via"),
    [("ruler", "ruler"), ("iris", "iris"), ("pupil distance", None)],
)
def test_only_a_pupil_distance_scale_says_what_measured_it(source, via):
    with pytest.raises(ValueError, match="via"):
        Scale(0.25, source, via)
