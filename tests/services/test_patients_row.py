"""One patient's row, fetched by its key, is not found under another patient.

``lookup.get_patients_row`` serves therapy courses, procedures, toxin given
elsewhere and diary links: a missing row and another patient's row are both
NotFound with the caller's message, and nothing is changed.
"""

from datetime import date

import pytest

from planner.errors import NotFound
from planner.models.therapy import Procedure
from planner.models.therapy import TherapyCourse
from planner.services import therapy
from planner.services.lookup import get_patients_row

TODAY = date(2026, 11, 20)


@pytest.fixture
def course(session, injector, make_patient):
    owner = make_patient()
    return therapy.add_therapy_course(
        session,
        injector,
        owner.id,
        {"kind": "nmrt", "started_on": "2026-09-01", "therapist": "Ann Therapist"},
        today=TODAY,
    )


def test_the_patients_own_row_is_returned(session, course):
    assert (
        get_patients_row(session, TherapyCourse, course.id, course.patient_id, "x")
        == course
    )


def test_a_missing_row_and_another_patients_row_are_not_found(
    session, course, make_patient
):
    other = make_patient()
    with pytest.raises(NotFound) as missing:
        get_patients_row(
            session, TherapyCourse, course.id + 1000, course.patient_id, "none"
        )
    assert missing.value.message == "none"
    with pytest.raises(NotFound) as theirs:
        get_patients_row(session, TherapyCourse, course.id, other.id, "not theirs")
    assert theirs.value.message == "not theirs"


def test_another_patients_course_is_neither_changed_nor_removed(
    session, injector, course, make_patient
):
    other = make_patient()
    with pytest.raises(NotFound) as changed:
        therapy.update_therapy_course(
            session,
            injector,
            other.id,
            course.id,
            {"ended_on": "2026-10-01"},
            today=TODAY,
        )
    assert changed.value.message == "There is no such therapy course on this record."
    with pytest.raises(NotFound) as removed:
        therapy.remove_therapy_course(session, injector, other.id, course.id)
    assert removed.value.message == "There is no such therapy course on this record."
    session.refresh(course)
    assert course.ended_on is None


def test_a_missing_procedure_is_named_as_a_procedure(session, injector, make_patient):
    patient = make_patient()
    with pytest.raises(NotFound) as removed:
        therapy.remove_procedure(session, injector, patient.id, 999_999)
    assert removed.value.message == "There is no such procedure on this record."
    assert session.get(Procedure, 999_999) is None
