"""Today's clinic: bookings on the clinic's day, each with where its chart stands."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Appointment
from planner.services import drafts
from planner.services.today import ChartToday
from planner.services.today import todays_clinic
from tests.factories import ZONE
from tests.factories import make_appointment
from tests.factories import make_treatment

# A London summer day: 09:00 BST is 08:00 UTC.
TODAY = date(2026, 7, 15)
MORNING = datetime(2026, 7, 15, 8, 0, tzinfo=UTC)
SITES = [("mentalis", "left", 2.5)]

# Bookings are stored as plain rows (the factory's), not through the booking service.
pytestmark = pytest.mark.audit_exempt(
    "appointments as raw rows", tables=["appointment"]
)


def _clinic(session, **kwargs):
    return todays_clinic(session, today=TODAY, zone=ZONE, **kwargs)


def _treatment(session, patient, starts_at, **overrides):
    return make_appointment(
        session, patient.id, starts_at, kind="treatment", due_date=TODAY, **overrides
    )


def test_each_booking_shows_its_chart_state_today(session, injector, make_patient):
    none_yet = make_patient(family_name="Adams")
    drafting = make_patient(family_name="Baker")
    signed = make_patient(family_name="Cole")
    discarded = make_patient(family_name="Dunn")
    for hour, patient in enumerate((none_yet, drafting, signed, discarded)):
        _treatment(session, patient, MORNING + timedelta(hours=hour))
    draft = make_treatment(session, injector, drafting.id, SITES, when=MORNING)
    done = make_treatment(session, injector, signed.id, SITES, when=MORNING, sign=True)
    stray = make_treatment(session, injector, discarded.id, SITES, when=MORNING)
    drafts.discard_draft(session, injector, stray.id, {"reason": "Wrong patient."})
    # A signed chart from an earlier cycle is not today's.
    old = MORNING - timedelta(days=100)
    make_treatment(session, injector, none_yet.id, SITES, when=old, sign=True)

    rows = _clinic(session).bookings
    assert [row.patient.split(",")[0] for row in rows] == [
        "Adams",
        "Baker",
        "Cole",
        "Dunn",
    ]
    assert [row.time for row in rows] == ["09:00", "10:00", "11:00", "12:00"]
    states = [(row.chart, row.session_id, row.action) for row in rows]
    assert states == [
        (ChartToday.NOT_STARTED, None, "start"),
        (ChartToday.DRAFT, draft.id, "resume"),
        (ChartToday.SIGNED, done.id, "view"),
        (ChartToday.DISCARDED, stray.id, "start"),
    ]


def test_a_booking_at_half_past_midnight_is_on_the_clinic_day(session, make_patient):
    early = make_patient(family_name="Early")
    late = make_patient(family_name="Late")
    # 00:30 BST on the 15th is 23:30 UTC on the 14th: today, locally.
    _treatment(session, early, datetime(2026, 7, 14, 23, 30, tzinfo=UTC))
    # 00:30 BST on the 16th is 23:30 UTC on the 15th: tomorrow, locally.
    _treatment(session, late, datetime(2026, 7, 15, 23, 30, tzinfo=UTC))
    rows = _clinic(session).bookings
    assert [(row.patient.split(",")[0], row.time) for row in rows] == [
        ("Early", "00:30")
    ]


def test_cancelled_and_other_days_are_left_out_and_reviews_due_are_listed(
    session, make_patient, make_user
):
    kept = make_patient(family_name="Kept")
    cancelled = make_patient(family_name="Cancelled")
    review = make_patient(family_name="Review")
    clinician = make_user()
    _treatment(session, kept, MORNING, clinician_id=clinician.id)
    make_appointment(session, cancelled.id, MORNING, status="cancelled")
    session.add(
        Appointment(
            patient_id=review.id,
            kind="review",
            status="proposed",
            due_date=TODAY,
            window_start=TODAY - timedelta(days=3),
            window_end=TODAY + timedelta(days=3),
        )
    )
    session.commit()
    clinic = _clinic(session)
    assert [row.patient.split(",")[0] for row in clinic.bookings] == ["Kept"]
    assert clinic.bookings[0].clinician == clinician.name
    assert [(row.patient.split(",")[0], row.action) for row in clinic.reviews_due] == [
        ("Review", "scores")
    ]
    mine = _clinic(session, clinician_id=clinician.id)
    assert [row.patient_id for row in mine.bookings] == [kept.id]
    assert mine.reviews_due == []
