"""Booking writes the appointment as every appointment change does: only at the
version the page read, with one audit event of the fields that changed, and
committed. Botox and Dysport reviews, each proposed by its own treatment."""

import pytest

from planner.errors import StaleWrite
from planner.services.appointments import STALE
from planner.services.appointments import book_appointment
from planner.services.audit import Actor
from tests import factories as f
from tests.services.follow_up_steps import FIRST
from tests.services.follow_up_steps import book
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import treat

WHEN = "2026-01-26T10:00"


@pytest.fixture(params=["botox", "dysport"])
def review(request, session, injector, make_patient):
    """The review a signed full treatment with each product proposes."""
    patient = make_patient()
    treat(session, injector, patient.id, request.param, FIRST)
    return follow_up(session, patient.id, "review")


def test_booking_audits_the_fields_that_changed_and_commits(
    session, injector: Actor, review
):
    version = review.version
    booked = book(session, injector, review, WHEN)
    session.rollback()  # committed: nothing left to undo
    session.refresh(booked)

    assert (booked.status, booked.version) == ("booked", version + 1)
    event = [
        e for e in f.audit_events(session, "appointment") if e.entity_id == review.id
    ][-1]
    assert (event.action, event.patient_id) == ("update", review.patient_id)
    assert set(event.after) == {
        "status",
        "starts_at",
        "ends_at",
        "override_reason",
        "updated_at",
        "version",
    }
    assert set(event.before) == set(event.after)
    assert (event.before["status"], event.after["status"]) == ("proposed", "booked")
    assert event.before["version"] == version
    assert event.after["version"] == version + 1


def test_a_stale_booking_is_refused_and_leaves_no_event(
    session, injector: Actor, review
):
    stale = review.version
    book(session, injector, review, WHEN)
    count = len(f.audit_events(session, "appointment"))
    with pytest.raises(StaleWrite) as info:
        book_appointment(
            session,
            injector,
            review.id,
            {
                "version": stale,
                "clinician_id": injector.user_id,
                "starts_at": "2026-01-27T10:00",
                "override_reason": "Test booking",
            },
            zone=f.ZONE,
        )
    assert info.value.message == STALE
    assert len(f.audit_events(session, "appointment")) == count
    session.refresh(review)
    assert review.version == stale + 1
    assert review.starts_at.day == 26
