"""Photo measurements in the research export: numbers for teaching consent only."""

import math
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.photometry import IRIS_DIAMETER_MM
from planner.services.audit import Actor
from planner.services.photo_marks import save_marks
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from tests.factories import ZONE
from tests.factories import consent_to_research
from tests.factories import make_treatment
from tests.factories import research_csv
from tests.photo_images import face_jpeg
from tests.views.test_research_export import download
from tests.views.test_research_export import parse

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
PX_PER_MM = 4.0
# Pupils 62 mm apart, 248 px: the face drawn by tests.photo_images is 600 x 800.
REST = {
    "pupil_right": (176.0, 336.0),
    "pupil_left": (424.0, 336.0),
    "iris_edge_a": (176.0 - IRIS_DIAMETER_MM * PX_PER_MM / 2, 336.0),
    "iris_edge_b": (176.0 + IRIS_DIAMETER_MM * PX_PER_MM / 2, 336.0),
    "brow_right": (176.0, 336.0 - 24 * PX_PER_MM),
    "brow_left": (424.0, 336.0 - 19 * PX_PER_MM),
    "commissure_right": (240.0, 336.0 + 70 * PX_PER_MM),
    "commissure_left": (360.0, 336.0 + 74 * PX_PER_MM),
}
# The smile: no scale of its own (it borrows the visit's pupil distance); the
# right corner moves 3 mm out and 4 up (5 mm), the left does not move.
SMILE = {
    "pupil_right": REST["pupil_right"],
    "pupil_left": REST["pupil_left"],
    "commissure_right": (240.0 - 3 * PX_PER_MM, 336.0 + 66 * PX_PER_MM),
    "commissure_left": REST["commissure_left"],
}


def marks_form(points, version=1):
    form = {"version": str(version)}
    for key, (x, y) in points.items():
        form[f"{key}_x"], form[f"{key}_y"] = str(x), str(y)
    return form


@pytest.fixture
def photographed(session, make_patient, injector):
    """Three patients photographed alike; consent teaching, clinical, withdrawn."""
    found = {}
    for consent in ("teaching", "clinical", "withdrawn"):
        patient = make_patient(affected_side="left")
        cycle = make_treatment(session, injector, patient.id, when=WHEN)
        record_consent(session, injector, patient.id, {"consent": "teaching"}, now=WHEN)
        for view, points in (("rest", REST), ("smile_open", SMILE)):
            photo = add_photo(
                session,
                injector,
                cycle.id,
                view_code=view,
                timepoint="pre_treatment",
                data=face_jpeg(),
                now=WHEN + timedelta(minutes=1),
                zone=ZONE,
            )
            save_marks(session, injector, photo.id, marks_form(points), now=WHEN)
        if consent != "teaching":
            record_consent(
                session, injector, patient.id, {"consent": consent}, now=WHEN
            )
        found[consent] = (patient, cycle)
    # All three agreed to research use; the photography consent decides here.
    consent_to_research(session, injector)
    return found


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def test_only_teaching_consent_is_exported_measured_in_millimetres(
    photographed, admin, session
):
    header, rows = parse(download(admin, "photo_measurements"))
    assert header[:3] == ["photo_id", "patient_ref", "session_id"]
    _, cycle = photographed["teaching"]
    assert {row["session_id"] for row in rows} == {str(cycle.id)}
    by_measure = {(row["view"], row["measure"]): row for row in rows}
    brow = by_measure[("rest", "brow_height")]
    assert (brow["right_mm"], brow["left_mm"]) == ("24", "19")
    assert brow["affected_minus_healthy_mm"] == "-5"
    assert float(brow["affected_to_healthy_ratio"]) == pytest.approx(19 / 24, abs=5e-4)
    assert brow["scale_source"] == "iris"
    assert brow["timepoint"] == "pre_treatment"
    assert brow["affected_side"] == "left"
    corner = by_measure[("rest", "commissure_height")]
    assert (corner["right_mm"], corner["left_mm"]) == ("70", "74")
    moved = by_measure[("smile_open", "commissure_movement")]
    assert moved["scale_source"] == "pupil_distance_iris"
    assert float(moved["right_mm"]) == pytest.approx(5.0)
    assert float(moved["left_mm"]) == pytest.approx(0.0)
    assert math.isclose(float(moved["affected_minus_healthy_mm"]), -5.0)
    # Nothing unmarked is reported: no lids were marked.
    assert ("rest", "palpebral_fissure") not in by_measure
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert event.after["file"].startswith("photo_measurements")


def test_the_file_carries_no_image_and_no_identifier(photographed, admin):
    text = download(admin, "photo_measurements").get_data(as_text=True)
    for patient, _ in photographed.values():
        assert patient.mrn not in text
    assert "base64" not in text
    assert "/9j/" not in text  # the start of a base64 JPEG
    assert len(text) < 10_000


def test_an_injector_may_not_download_it(photographed, login_as):
    response = login_as(Role.INJECTOR).get("/exports/photo_measurements.csv")
    assert response.status_code == 403


def test_the_file_is_the_same_whatever_the_page_size(photographed, session, make_user):
    """Pages of one photo (its visit read alone) give the same file as one page."""
    user = make_user(Role.ADMIN)
    texts = {
        research_csv(
            session, Actor(user.id, user.email), "photo_measurements", page_size=size
        )
        for size in (1, 2, 10_000)
    }
    [text] = texts
    assert text.count("\r\n") == 5  # the header and four measurements
