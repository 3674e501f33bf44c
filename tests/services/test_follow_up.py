"""Follow-up: proposals on signing, booking with its checks, the worklist."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Appointment
from planner.models import ClosedDay
from planner.models import CycleResponse
from planner.models import Role
from planner.models import TreatmentSession
from planner.models import WorkingHours
from planner.services import appointments as service
from planner.services.audit import Actor
from planner.services.followup import propose_follow_up
from planner.services.worklist import build_worklist
from planner.services.worklist import week_view

# The audit guard (tests/audit_guard.py) still checks every other table here.
pytestmark = pytest.mark.audit_exempt(
    "signed_full stores signed sessions directly; signing is tested in test_chart",
    tables=["treatment_session"],
)
ZONE = ZoneInfo("Europe/London")


@pytest.fixture
def clinician(make_user):
    user = make_user(Role.INJECTOR, name="Dr Ada Clinician")
    return user


@pytest.fixture
def actor(clinician):
    return Actor(clinician.id, clinician.email)


def signed_full(
    session, patient, clinician, when, *, kind="full", cycle=1, product="botox"
):
    from planner.models import Product

    product = session.exec(select(Product).where(Product.code == product)).one()
    record = TreatmentSession(
        patient_id=patient.id,
        injector_id=clinician.id,
        kind=kind,
        cycle_number=cycle,
        product_id=product.id,
        performed_at=when,
        status="signed",
        signed_at=when,
        signed_by_id=clinician.id,
    )
    session.add(record)
    session.commit()
    return record


def sign_and_propose(session, actor, patient, clinician, when, **kind):
    """Sign a treatment at ``when`` and propose its follow-up appointments."""
    record = signed_full(session, patient, clinician, when, **kind)
    return propose_follow_up(session, actor, record, zone=ZONE, now=record.performed_at)


def test_signing_proposes_the_review_and_the_window(
    session, make_patient, clinician, actor
):
    patient = make_patient()
    review, retreat = sign_and_propose(
        session, actor, patient, clinician, datetime(2026, 1, 31, 10, tzinfo=UTC)
    )
    session.commit()
    assert (review.kind, review.status) == ("review", "proposed")
    assert (review.window_start, review.due_date, review.window_end) == (
        date(2026, 2, 11),
        date(2026, 2, 14),
        date(2026, 2, 17),
    )
    assert (retreat.window_start, retreat.window_end) == (
        date(2026, 4, 25),
        date(2026, 5, 23),
    )
    assert retreat.due_date == date(2026, 4, 25)
    assert "Not enough history" in retreat.notes


def test_late_evening_treatment_counts_on_the_clinics_calendar_day(
    session, make_patient, clinician, actor
):
    patient = make_patient()
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    review, _ = sign_and_propose(
        session, actor, patient, clinician, datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )
    assert review.due_date == date(2026, 7, 15)


@pytest.mark.audit_exempt(
    "stores earlier cycles' responses directly",
    tables=["cycle_response"],
)
def test_wear_off_history_moves_the_suggested_day(
    session, make_patient, clinician, actor
):
    patient = make_patient()
    for cycle, weeks in enumerate((14.0, 15.0, 15.0), start=1):
        old = signed_full(
            session,
            patient,
            clinician,
            datetime(2025, 1, 1, tzinfo=UTC) + timedelta(weeks=16 * cycle),
            cycle=cycle,
        )
        session.add(
            CycleResponse(
                session_id=old.id, wear_off_weeks=weeks, recorded_by_id=clinician.id
            )
        )
    session.commit()
    _, retreat = sign_and_propose(
        session,
        actor,
        patient,
        clinician,
        datetime(2026, 3, 2, 10, tzinfo=UTC),
        cycle=4,
    )
    assert retreat.due_date == date(2026, 3, 2) + timedelta(weeks=15)
    assert "median 15" in retreat.notes


@pytest.mark.audit_exempt(
    "stores earlier cycles' responses directly",
    tables=["cycle_response"],
)
@pytest.mark.parametrize(
    ("product", "weeks"), [("botox", 15), ("dysport", 13), ("xeomin", None)]
)
def test_the_suggested_day_reads_only_the_same_products_wear_off(
    session, make_patient, clinician, actor, product, weeks
):
    """Botox cycles wore off at 15 weeks, Dysport's at 13: neither moves the other."""
    patient = make_patient()
    history = [("botox", 15.0), ("dysport", 13.0)] * 3
    for cycle, (given, lasted) in enumerate(history, start=1):
        old = signed_full(
            session,
            patient,
            clinician,
            datetime(2024, 1, 1, tzinfo=UTC) + timedelta(weeks=16 * cycle),
            cycle=cycle,
            product=given,
        )
        session.add(
            CycleResponse(
                session_id=old.id, wear_off_weeks=lasted, recorded_by_id=clinician.id
            )
        )
    session.commit()
    treated = datetime(2026, 3, 2, 10, tzinfo=UTC)
    _, retreat = sign_and_propose(
        session, actor, patient, clinician, treated, cycle=7, product=product
    )
    if weeks is None:
        # No Xeomin history: the window's own day, not the other products' median.
        assert "Not enough history" in retreat.notes
        assert retreat.due_date == retreat.window_start
    else:
        assert retreat.due_date == date(2026, 3, 2) + timedelta(weeks=weeks)
        assert f"median {weeks}" in retreat.notes


def test_a_top_up_proposes_nothing_and_a_new_cycle_closes_the_old_window(
    session, make_patient, clinician, actor
):
    patient = make_patient()
    first = signed_full(
        session, patient, clinician, datetime(2026, 1, 5, 10, tzinfo=UTC)
    )
    propose_follow_up(session, actor, first, zone=ZONE, now=first.performed_at)
    top_up = signed_full(
        session,
        patient,
        clinician,
        datetime(2026, 1, 19, 10, tzinfo=UTC),
        kind="top_up",
    )
    assert (
        propose_follow_up(session, actor, top_up, zone=ZONE, now=top_up.performed_at)
        == []
    )
    second = signed_full(
        session, patient, clinician, datetime(2026, 4, 6, 10, tzinfo=UTC), cycle=2
    )
    propose_follow_up(session, actor, second, zone=ZONE, now=second.performed_at)
    session.commit()
    kept = session.exec(
        select(Appointment).where(
            Appointment.source_session_id == first.id, Appointment.kind == "treatment"
        )
    ).one()
    assert kept.status == "attended"


@pytest.fixture
def review(session, make_patient, clinician, actor):
    patient = make_patient()
    found, _ = sign_and_propose(
        session, actor, patient, clinician, datetime(2026, 3, 2, 10, tzinfo=UTC)
    )
    session.commit()
    return found


def book(session, actor, appointment, clinician, when, **extra):
    return service.book_appointment(
        session,
        actor,
        appointment.id,
        {
            "version": appointment.version,
            "clinician_id": clinician.id,
            "starts_at": when,
            **extra,
        },
        zone=ZONE,
    )


def test_booking_sets_the_slot_length_and_refuses_a_double_booking(
    session, review, clinician, actor, make_patient
):
    booked = book(session, actor, review, clinician, "2026-03-16T10:00")
    assert booked.status == "booked"
    # 10:00 London time in March (GMT) is 10:00 UTC; a review is 15 minutes.
    assert booked.starts_at == datetime(2026, 3, 16, 10, tzinfo=UTC)
    assert booked.ends_at - booked.starts_at == timedelta(minutes=15)
    other = make_patient()
    second, _ = sign_and_propose(
        session, actor, other, clinician, datetime(2026, 3, 2, 11, tzinfo=UTC)
    )
    session.commit()
    with pytest.raises(Conflict) as info:
        book(session, actor, second, clinician, "2026-03-16T10:10")
    assert "Double booking" in info.value.message
    back_to_back = book(session, actor, second, clinician, "2026-03-16T10:15")
    assert back_to_back.status == "booked"


@pytest.mark.audit_exempt(
    "stores working hours and a closed day directly",
    tables=["working_hours", "closed_day"],
)
def test_outside_the_window_or_hours_needs_a_reason(session, review, clinician, actor):
    with pytest.raises(InvalidInput) as info:
        book(session, actor, review, clinician, "2026-03-25T10:00")
    assert "outside the window" in info.value.fields["starts_at"]
    session.add(
        WorkingHours(
            clinician_id=clinician.id, weekday=0, starts=time(9), ends=time(12)
        )
    )
    session.add(ClosedDay(day=date(2026, 3, 17), reason="Training day"))
    session.commit()
    with pytest.raises(InvalidInput) as info:
        book(session, actor, review, clinician, "2026-03-16T13:00")
    assert "working hours" in info.value.fields["starts_at"]
    with pytest.raises(InvalidInput) as info:
        book(session, actor, review, clinician, "2026-03-17T10:00")
    assert "closed" in info.value.fields["starts_at"]
    booked = book(
        session,
        actor,
        review,
        clinician,
        "2026-03-25T10:00",
        override_reason="Patient away until then",
    )
    assert booked.override_reason == "Patient away until then"


def test_stale_booking_and_closed_appointments(session, review, clinician, actor):
    book(session, actor, review, clinician, "2026-03-16T10:00")
    stale = {
        "version": 1,
        "clinician_id": clinician.id,
        "starts_at": "2026-03-16T11:00",
    }
    with pytest.raises(StaleWrite):
        service.book_appointment(session, actor, review.id, stale, zone=ZONE)
    done = service.set_status(
        session, actor, review.id, {"version": 2, "status": "attended"}
    )
    assert done.status == "attended"
    with pytest.raises(Conflict):
        service.set_status(
            session, actor, review.id, {"version": 3, "status": "missed"}
        )


def test_missed_needs_a_past_appointment_and_cancel_needs_a_reason(
    session, review, clinician, actor
):
    booked = book(session, actor, review, clinician, "2026-03-16T10:00")
    before = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        service.set_status(
            session,
            actor,
            review.id,
            {"version": booked.version, "status": "missed"},
            now=before,
        )
    with pytest.raises(InvalidInput) as info:
        service.set_status(
            session,
            actor,
            review.id,
            {"version": booked.version, "status": "cancelled"},
        )
    assert "reason" in info.value.fields


def test_worklist_sections(session, make_patient, clinician, actor):
    patient = make_patient(family_name="Worklist")
    review, retreat = sign_and_propose(
        session, actor, patient, clinician, datetime(2026, 3, 2, 10, tzinfo=UTC)
    )
    session.commit()
    # Monday 16 March: the review (due 16 Mar) is due this week, its window is open.
    worklist = build_worklist(session, today=date(2026, 3, 16), zone=ZONE)
    due, overdue, unbooked, missed, _cancelled = worklist.sections
    assert [row.id for row in due.rows] == [review.id]
    assert [row.id for row in unbooked.rows] == [review.id]
    assert overdue.rows == []
    # Three weeks on, the review window has passed with nothing booked.
    later = build_worklist(session, today=date(2026, 4, 6), zone=ZONE)
    assert [row.id for row in later.sections[1].rows] == [review.id]
    booked = book(
        session, actor, review, clinician, "2026-03-16T10:00", override_reason=None
    )
    service.set_status(
        session,
        actor,
        review.id,
        {"version": booked.version, "status": "missed"},
        now=datetime(2026, 3, 17, tzinfo=UTC),
    )
    after = build_worklist(session, today=date(2026, 3, 18), zone=ZONE)
    assert [row.id for row in after.sections[3].rows] == [review.id]
    assert (
        build_worklist(
            session, today=date(2026, 3, 18), zone=ZONE, clinician_id=clinician.id + 99
        )
        .sections[3]
        .rows
        == []
    )
    days = week_view(
        session, clinician_id=clinician.id, week_start=date(2026, 3, 16), zone=ZONE
    )
    assert [len(day.rows) for day in days] == [1, 0, 0, 0, 0, 0, 0]


def test_the_next_treatment_retires_an_unbooked_review(
    session, make_patient, clinician, actor
):
    patient = make_patient()
    old_review, _ = sign_and_propose(
        session, actor, patient, clinician, datetime(2026, 1, 5, 10, tzinfo=UTC)
    )
    second = signed_full(
        session, patient, clinician, datetime(2026, 4, 6, 10, tzinfo=UTC), cycle=2
    )
    propose_follow_up(session, actor, second, zone=ZONE, now=second.performed_at)
    session.commit()
    session.refresh(old_review)
    assert old_review.status == "cancelled"
    assert "next treatment" in old_review.notes
