"""What photo millimetres rest on, on the compare page and in the research file.

Review RF5: a scale borrowed from the pupil distance must say when that distance
rests on the iris figure (a clinic setting, UNSOURCED), and a ruler anywhere in
the visit is used first. Review RF2: within a visit a movement from rest uses
one scale for both photos; across cycles, ruler and iris millimetres are
labelled and never shown as like for like (cycle 1 is Botox and cycle 2 Dysport
there, though nothing here depends on the product). Run for patients affected
on the left and on the right.
"""

import csv
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.photometry import IRIS_DIAMETER_MM
from planner.services.photo_marks import save_marks
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from tests.conftest import assert_shows
from tests.factories import ZONE
from tests.factories import consent_to_research
from tests.factories import make_treatment
from tests.factories import research_csv
from tests.photo_images import face_jpeg

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
PX = 144 / 62  # px per mm: the pupils 62 mm apart, 144 px on the drawn face
MIDDLE = (300.0, 336.0)
TRUE_IRIS_MM = 11.0  # the app takes 11.8: iris millimetres read 7 % long


def at(x_mm, y_mm):
    """Return the photo pixel of a point x mm across and y mm down from the middle."""
    return (MIDDLE[0] + x_mm * PX, MIDDLE[1] + y_mm * PX)


def face(*, ruler=False, iris=False, corners_out_mm=0.0):
    """The right brow 25 mm above its pupil, the left 20 mm; corners 70 mm down."""
    points = {
        "pupil_right": at(-31, 0),
        "pupil_left": at(31, 0),
        "brow_right": at(-31, -25),
        "brow_left": at(31, -20),
        "commissure_right": at(-25 - corners_out_mm, 70),
        "commissure_left": at(25 + corners_out_mm, 70),
    }
    if iris:
        points["iris_edge_a"] = at(-31 - TRUE_IRIS_MM / 2, 0)
        points["iris_edge_b"] = at(-31 + TRUE_IRIS_MM / 2, 0)
    form = {"version": "1"}
    if ruler:
        points["ruler_a"], points["ruler_b"] = (20.0, 20.0), (20.0, 20 + 50 * PX)
        form["ruler_mm"] = "50"
    for key, (x, y) in points.items():
        form[f"{key}_x"], form[f"{key}_y"] = str(x), str(y)
    return form


@pytest.fixture(params=["left", "right"])
def patient(request, make_patient):
    return make_patient(affected_side=request.param)


@pytest.fixture
def visit(session, injector, patient):
    """Photograph one review visit: each view with the marks given."""
    cycle = make_treatment(session, injector, patient.id, when=WHEN)
    record_consent(session, injector, patient.id, {"consent": "teaching"}, now=WHEN)

    def take(view, form, cycle_id=cycle.id, minutes=1):
        photo = add_photo(
            session,
            injector,
            cycle_id,
            view_code=view,
            timepoint="review",
            data=face_jpeg(),
            now=WHEN + timedelta(minutes=minutes),
            zone=ZONE,
        )
        save_marks(session, injector, photo.id, form, now=WHEN)
        return photo

    return take


def compare(browser, patient, view):
    page = browser.get(
        f"/patients/{patient.id}/photos/compare?view={view}&timepoint=review"
    )
    assert page.status_code == 200
    return page.get_data(as_text=True)


def export_rows(session, injector):
    consent_to_research(session, injector)
    text = research_csv(session, injector, "photo_measurements")
    return list(csv.DictReader(io.StringIO(text)))


def cells(page, label):
    """Return each panel's row of a measurement, as the cells read."""
    rows = re.findall(
        rf'<th scope="row">{label}</th><td>(.*?)</td><td>(.*?)</td>', page
    )
    return [tuple(re.sub("<[^>]+>", "", cell) for cell in row) for row in rows]


def test_a_pupil_distance_from_the_iris_says_so(
    visit, patient, login_as, session, injector
):
    visit("rest", face(iris=True))
    visit("brow_raise", face())
    page = compare(login_as(Role.INJECTOR), patient, "brow_raise")
    assert_shows(
        page,
        "Millimetres from the pupil distance, measured from the iris in a photo of "
        "this visit: the iris taken as 11.8 mm across (a clinic setting, "
        "UNSOURCED).",
    )
    iris_mm = f"{25 * IRIS_DIAMETER_MM / TRUE_IRIS_MM:.1f} mm"
    assert cells(page, "Brow height")[0][0] == iris_mm
    codes = {row["view"]: row["scale_source"] for row in export_rows(session, injector)}
    assert codes == {"rest": "iris", "brow_raise": "pupil_distance_iris"}


def test_a_ruler_anywhere_in_the_visit_is_used_before_the_iris(
    visit, patient, login_as, session, injector
):
    visit("rest", face(iris=True))
    visit("brow_raise", face())
    visit("smile_open", face(ruler=True))
    browser = login_as(Role.INJECTOR)
    for view in ("rest", "brow_raise"):
        page = compare(browser, patient, view)
        assert_shows(
            page,
            "Millimetres from the pupil distance, measured with a ruler in a photo "
            "of this visit.",
        )
        assert cells(page, "Brow height")[0] == ("25.0 mm", "20.0 mm")
    assert "Millimetres from the ruler in the photo." in compare(
        browser, patient, "smile_open"
    )
    codes = {
        (row["view"], row["measure"]): row["scale_source"]
        for row in export_rows(session, injector)
    }
    assert codes[("rest", "brow_height")] == "pupil_distance_ruler"
    assert codes[("brow_raise", "brow_height")] == "pupil_distance_ruler"
    assert codes[("smile_open", "brow_height")] == "ruler"


def test_the_marking_page_says_where_millimetres_come_from_without_a_ruler(
    visit, login_as
):
    photo = visit("rest", face())
    page = login_as(Role.INJECTOR).get(f"/photos/{photo.id}/mark")
    assert_shows(
        page.get_data(as_text=True),
        "Without one, millimetres come from a ruler in another photo of this visit "
        "(by the pupil distance), else from an iris diameter of 11.8 mm (a clinic "
        "setting, UNSOURCED).",
    )


MIXED = "Not like for like: cycle 1 in ruler millimetres, cycle 2 in iris millimetres."


def text_of(page):
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", page))


@pytest.fixture
def two_cycles(session, injector, patient, visit):
    """Cycle 1 (Botox) photographed with a ruler; returns cycle 2 (Dysport)."""
    visit("rest", face(ruler=True))
    return make_treatment(
        session,
        injector,
        patient.id,
        when=WHEN + timedelta(weeks=14),
        product="dysport",
        vial_units=300,
        diluent_ml=1.5,
    )


def photograph(session, injector, cycle, form):
    photo = add_photo(
        session,
        injector,
        cycle.id,
        view_code="rest",
        timepoint="review",
        data=face_jpeg(),
        now=WHEN + timedelta(weeks=18),
        zone=ZONE,
    )
    save_marks(session, injector, photo.id, form, now=WHEN)


def test_ruler_and_iris_cycles_are_labelled_and_not_like_for_like(
    two_cycles,
    session,
    injector,
    patient,
    login_as,
):
    photograph(session, injector, two_cycles, face(iris=True))
    page = compare(login_as(Role.INJECTOR), patient, "rest")
    assert_shows(text_of(page), MIXED, "a difference of a few per cent")
    assert re.findall(r'<span class="scale-kind">(.*?)</span>', page) == [
        "in ruler mm",
        "in iris mm",
    ]
    assert cells(page, "Brow height") == [
        ("25.0 mm", "20.0 mm"),
        ("26.8 mm", "21.5 mm"),
    ]


def test_cycles_on_one_kind_of_scale_carry_no_warning(
    two_cycles,
    session,
    injector,
    patient,
    login_as,
):
    photograph(session, injector, two_cycles, face(ruler=True))
    page = compare(login_as(Role.INJECTOR), patient, "rest")
    assert "data-mixed-scales" not in page
    assert page.count('<span class="scale-kind">in ruler mm</span>') == 2


def test_a_smile_that_did_not_move_reads_no_movement(
    visit,
    patient,
    login_as,
    session,
    injector,
):
    """The review's repro: rest with a ruler, the smile with only an iris."""
    visit("rest", face(ruler=True))
    visit("smile_open", face(iris=True))
    page = compare(login_as(Role.INJECTOR), patient, "smile_open")
    assert cells(page, "Commissure movement from rest") == [("0.0 mm", "0.0 mm")]
    assert_shows(
        page,
        "Movement from rest: both photos in millimetres from the pupil distance, "
        "measured with a ruler in a photo of this visit",
    )


def test_the_research_movement_row_carries_the_movements_own_scale(
    visit,
    session,
    injector,
):
    visit("rest", face(iris=True))
    visit("smile_open", face(ruler=True, corners_out_mm=5))
    rows = {
        (row["view"], row["measure"]): row for row in export_rows(session, injector)
    }
    assert rows[("smile_open", "brow_height")]["scale_source"] == "ruler"
    moved = rows[("smile_open", "commissure_movement")]
    assert moved["scale_source"] == "pupil_distance_ruler"
    assert (float(moved["right_mm"]), float(moved["left_mm"])) == (
        pytest.approx(5.0, abs=0.01),
        pytest.approx(5.0, abs=0.01),
    )
