"""Issue 13 finding 9 through the booking page: staff are refused a re-treatment
before the minimum interval with a clear message; an injector books it with a reason."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.db_types import utc_now
from planner.models import Role
from planner.models import User
from tests.conftest import assert_shows
from tests.factories import proposed_treatment

TREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EIGHT_WEEKS = "2026-04-27T10:00"


@pytest.fixture
def treatment(session, make_patient, injector):
    patient = make_patient(affected_side="left")
    return proposed_treatment(session, injector, patient.id, when=TREATED)


def booking(session, treatment, **extra):
    session.refresh(treatment)
    clinician = session.get(User, treatment.clinician_id)
    return {
        "version": str(treatment.version),
        "clinician_id": str(clinician.id),
        "starts_at": EIGHT_WEEKS,
        **extra,
    }


def test_staff_are_refused_an_early_re_treatment_with_a_clear_message(
    login_as, session, treatment
):
    staff = login_as(Role.STAFF)
    path = f"/appointments/{treatment.id}/book"
    form = staff.get(path).get_data(as_text=True)
    assert_shows(
        form,
        "Last full treatment 2 Mar 2026: re-treatment no sooner than",
        "25 May 2026",
        "Only an injector can book a time before then.",
    )
    assert 'name="clinical_reason"' not in form
    response = staff.post_form(
        path, booking(session, treatment, override_reason="patient asked")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert_shows(
        page,
        "Only an injector can book a re-treatment before the minimum interval",
        "8 weeks after the last full treatment on 2 Mar 2026",
        'id="starts_at-error"',
    )
    session.refresh(treatment)
    assert treatment.status == "proposed"


def test_an_injector_books_early_with_a_clinical_reason(login_as, session, treatment):
    browser = login_as(Role.INJECTOR)
    path = f"/appointments/{treatment.id}/book"
    form = browser.get(path).get_data(as_text=True)
    assert 'name="clinical_reason"' in form
    missing = browser.post_form(path, booking(session, treatment))
    assert missing.status_code == 400
    assert_shows(
        missing.get_data(as_text=True),
        'id="clinical_reason-error"',
        "Clinical reason to re-treat before the minimum interval is required",
    )
    reason = "Synkinesis back at 6 weeks, painful"
    done = browser.post_form(path, booking(session, treatment, clinical_reason=reason))
    assert done.status_code == 302
    page = browser.get(path).get_data(as_text=True)
    assert f"Booked before the minimum interval by an injector: {reason}" in page
    session.refresh(treatment)
    assert (treatment.status, treatment.clinical_reason) == ("booked", reason)


def test_the_patient_page_shows_an_upcoming_early_booking_and_its_reason(
    login_as, session, make_patient, injector
):
    treated = utc_now() - timedelta(days=7)
    patient = make_patient(affected_side="left")
    treatment = proposed_treatment(session, injector, patient.id, when=treated)
    browser = login_as(Role.INJECTOR)
    when = (treated + timedelta(weeks=5)).strftime("%Y-%m-%dT10:00")
    reason = "Eye closure on smiling, not tolerable"
    done = browser.post_form(
        f"/appointments/{treatment.id}/book",
        booking(session, treatment, starts_at=when, clinical_reason=reason),
    )
    assert done.status_code == 302
    page = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert f"Before the minimum interval, clinical reason: {reason}" in page


@pytest.mark.parametrize("clinician_id", ["²", "１", "12345678901"])
def test_a_clinician_id_not_in_ascii_digits_is_a_form_error_not_a_500(
    login_as, session, treatment, clinician_id
):
    """The forms fuzz found "²": str.isdigit() takes it, int() does not."""
    admin = login_as(Role.ADMIN)
    path = f"/appointments/{treatment.id}/book"
    response = admin.post_form(
        path,
        booking(session, treatment, clinician_id=clinician_id, starts_at="not a time"),
    )
    assert response.status_code == 400
    assert 'id="starts_at-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("junk", ["²", "٣", "１２"])
def test_other_numbers_typed_in_queries_are_refused_or_ignored_never_a_500(
    login_as, make_patient, junk
):
    admin = login_as(Role.ADMIN)
    audit = admin.get(f"/audit/?patient_id={junk}")
    assert audit.status_code == 400
    assert "Enter a whole number." in audit.get_data(as_text=True)
    # No longer ignored: refused naming the parameter (test_query_choices.py).
    worklist = admin.get(f"/schedule/?clinician={junk}")
    assert worklist.status_code == 400
    assert "<strong>clinician</strong>" in worklist.get_data(as_text=True)
    patient = make_patient()
    cycles = admin.get(f"/patients/{patient.id}/cycles?cycle={junk}")
    assert cycles.status_code == 400
    assert "<strong>cycle</strong>" in cycles.get_data(as_text=True)
