"""Treating a patient before a booked re-treatment does not mark it attended.

Only a treatment appointment on or before the treatment's clinic day
(Europe/London) is kept by it; a booking on a later day is cancelled, saying
the patient was treated earlier, so the calendar feed shows it cancelled and
that day's Today list drops it.
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from planner.models import Role
from planner.services import calendar_files
from planner.services.audit import Actor
from planner.services.today import todays_clinic
from tests import factories as f
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import booked_retreatment
from tests.services.follow_up_steps import treat


@pytest.fixture
def actor(make_user):
    injector = make_user(Role.INJECTOR)
    return Actor(injector.id, injector.email)


@BY_PRODUCT
def test_a_later_booking_is_cancelled_not_attended(
    session, actor, make_patient, product
):
    patient = make_patient(given_name="Ada", family_name="Okafor")
    booked = booked_retreatment(session, actor, patient.id, product, "2026-04-20T10:00")
    version = booked.version
    treated = datetime(2026, 4, 13, 9, tzinfo=UTC)
    treat(session, actor, patient.id, product, treated)
    session.refresh(booked)
    assert booked.status == "cancelled"
    assert "Cancelled: treated earlier, on 13 Apr 2026 (session" in booked.notes
    assert booked.version == version + 1
    assert booked.updated_at == treated
    trail = [
        e
        for e in f.audit_events(session, "appointment")
        if e.entity_id == booked.id and (e.after or {}).get("status") == "cancelled"
    ]
    assert len(trail) == 1
    assert trail[0].after["superseded_by_session"] is not None
    # 20 Apr's Today list no longer shows the patient as attended (or at all).
    day = todays_clinic(session, today=date(2026, 4, 20), zone=f.ZONE)
    assert [r for r in day.bookings if r.patient_id == patient.id] == []
    ics = calendar_files.appointment_ics(
        session,
        booked.id,
        zone=f.ZONE,
        clinic_name="Clinic",
        domain="example.org",
        now=datetime(2026, 4, 14, tzinfo=UTC),
    ).decode()
    assert "STATUS:CANCELLED" in ics
    assert f"SEQUENCE:{version + 1}" in ics
    assert "LAST-MODIFIED:20260413T090000Z" in ics


@BY_PRODUCT
def test_a_booking_on_the_clinic_day_of_the_treatment_is_attended(
    session, actor, make_patient, product
):
    # 23:30 UTC on 12 Apr is 00:30 BST on 13 Apr: the clinic's 13 Apr.
    patient = make_patient()
    booked = booked_retreatment(session, actor, patient.id, product, "2026-04-13T10:00")
    treated = datetime(2026, 4, 12, 23, 30, tzinfo=UTC)
    treat(session, actor, patient.id, product, treated)
    session.refresh(booked)
    assert booked.status == "attended"
    assert "Treated on 13 Apr 2026" in booked.notes
    assert booked.updated_at == treated


@BY_PRODUCT
def test_a_booking_the_clinic_day_after_a_late_treatment_is_cancelled(
    session, actor, make_patient, product
):
    # 22:30 UTC on 13 Apr is 23:30 BST, still 13 Apr: a 14 Apr booking is later.
    patient = make_patient()
    booked = booked_retreatment(session, actor, patient.id, product, "2026-04-14T00:30")
    treat(
        session, actor, patient.id, product, datetime(2026, 4, 13, 22, 30, tzinfo=UTC)
    )
    session.refresh(booked)
    assert booked.status == "cancelled"
