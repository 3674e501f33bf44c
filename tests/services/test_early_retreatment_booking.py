"""Issue 13 finding 9: a re-treatment before the minimum interval (12 weeks for
Botox) is an injector's booking, with a clinical reason kept as such; the chair
still asks for its own."""

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import AuditEvent
from planner.models import Role
from planner.services import appointments as service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.retreatment_floor import treatment_floor
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment
from tests.factories import proposed_treatment
from tests.services.test_follow_up import book as follow_up_book

SYDNEY = ZoneInfo("Australia/Sydney")
# The last full treatment: Monday 2 March 2026; the floor is Monday 25 May.
TREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EIGHT_WEEKS = "2026-04-27T10:00"
REASON = "Severe synkinesis returned at 6 weeks; discussed earlier dose"


@pytest.fixture
def people(make_user):
    def actor(role):
        user = make_user(role)
        return Actor(user.id, user.email), user

    return {role: actor(role) for role in Role}


@pytest.fixture
def treatment(session, make_patient, people):
    """The re-treatment proposed when the 2 March full treatment was signed."""
    injector, _ = people[Role.INJECTOR]
    patient = make_patient(affected_side="left")
    return proposed_treatment(session, injector, patient.id, when=TREATED)


def book(session, actor, appointment, clinician, when, **extra):
    session.refresh(appointment)  # its version moves with each booking
    return follow_up_book(session, actor, appointment, clinician, when, **extra)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_only_an_injector_books_before_the_floor(session, people, treatment, role):
    actor, _ = people[role]
    _, clinician = people[Role.INJECTOR]
    with pytest.raises(Forbidden) as info:
        book(session, actor, treatment, clinician, EIGHT_WEEKS, clinical_reason=REASON)
    assert info.value.message.startswith(
        "Only an injector can book a re-treatment before the minimum interval"
    )
    assert "8 weeks after the last full treatment on 2 Mar 2026" in (info.value.message)
    assert "Choose a day from 25 May 2026" in info.value.message
    assert "starts_at" in info.value.fields
    session.refresh(treatment)
    assert (treatment.status, treatment.starts_at) == ("proposed", None)


def test_the_generic_reason_does_not_book_around_the_floor(session, people, treatment):
    staff, _ = people[Role.STAFF]
    injector, clinician = people[Role.INJECTOR]
    with pytest.raises(Forbidden):
        book(
            session,
            staff,
            treatment,
            clinician,
            EIGHT_WEEKS,
            override_reason="patient asked",
        )
    with pytest.raises(InvalidInput) as info:
        book(
            session,
            injector,
            treatment,
            clinician,
            EIGHT_WEEKS,
            override_reason="patient asked",
        )
    assert info.value.fields["clinical_reason"].startswith("is required: this time")


def test_an_injector_books_early_with_the_clinical_reason_kept_as_such(
    session, people, treatment
):
    injector, clinician = people[Role.INJECTOR]
    booked = book(
        session, injector, treatment, clinician, EIGHT_WEEKS, clinical_reason=REASON
    )
    assert booked.status == "booked"
    assert booked.clinical_reason == REASON
    # Its reason answers for the window as well: no generic override is asked for.
    assert booked.override_reason is None
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "appointment", AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["clinical_reason"] == REASON
    assert event.actor_id == injector.user_id


def test_the_floor_day_itself_is_not_early_and_needs_no_clinical_reason(
    session, people, treatment
):
    staff, _ = people[Role.STAFF]
    _, clinician = people[Role.INJECTOR]
    booked = book(
        session, staff, treatment, clinician, "2026-05-25T10:00", clinical_reason="x"
    )
    assert booked.status == "booked"
    assert booked.clinical_reason is None


def test_staff_cannot_move_an_early_booking_but_can_move_it_past_the_floor(
    session, people, treatment
):
    injector, clinician = people[Role.INJECTOR]
    staff, _ = people[Role.STAFF]
    book(session, injector, treatment, clinician, EIGHT_WEEKS, clinical_reason=REASON)
    with pytest.raises(Forbidden):
        book(session, staff, treatment, clinician, "2026-04-28T10:00")
    moved = book(session, staff, treatment, clinician, "2026-05-26T10:00")
    assert moved.clinical_reason is None


def test_a_review_at_eight_weeks_is_not_a_re_treatment(session, people, treatment):
    staff, _ = people[Role.STAFF]
    _, clinician = people[Role.INJECTOR]
    review = session.exec(
        select(Appointment).where(
            Appointment.patient_id == treatment.patient_id,
            Appointment.kind == "review",
        )
    ).one()
    booked = book(
        session,
        staff,
        review,
        clinician,
        EIGHT_WEEKS,
        override_reason="Patient away in March",
    )
    assert booked.status == "booked"


def test_the_floor_is_counted_in_the_clinics_local_days(session, make_patient, people):
    """13:30 UTC on 1 March is 00:30 on 2 March in Sydney: the floor is 25 May there."""
    injector, clinician = people[Role.INJECTOR]
    staff, _ = people[Role.STAFF]
    patient = make_patient(affected_side="left")
    treatment = proposed_treatment(
        session, injector, patient.id, when=datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    )
    # 24 May in Sydney is day 83 there (day 84 by the UTC calendar).
    data = {"version": 1, "clinician_id": clinician.id, "starts_at": "2026-05-24T10:00"}
    with pytest.raises(Forbidden):
        service.book_appointment(session, staff, treatment.id, data, zone=SYDNEY)
    assert treatment_floor(session, treatment, SYDNEY, datetime.now(UTC))[1].day == 25


def test_the_chair_still_asks_for_a_reason_to_sign_the_early_treatment(
    session, people, treatment
):
    injector, clinician = people[Role.INJECTOR]
    book(session, injector, treatment, clinician, EIGHT_WEEKS, clinical_reason=REASON)
    when = datetime(2026, 4, 27, 9, 0, tzinfo=UTC)
    chart = make_treatment(
        session, injector, treatment.patient_id, [("mentalis", "left", 4)], when=when
    )
    state = chart_state(
        session, chart.id, face_map=FACE_MAP, zone=ZONE, now=when
    ).as_json()
    (interval,) = [w for w in state["warnings"] if w["code"] == "interval_short"]
    assert (interval["severity"], interval["needs_reason"]) == ("warning", True)
    assert interval["message"].startswith("56 days since the last full treatment")
    other_reasons = {
        w["key"]: "Noted" for w in state["warnings"] if w["code"] != "interval_short"
    }
    sign = {"version": chart.version, "consent_obtained": True}
    ensure_consent(session, injector, chart.id, when=when)
    with pytest.raises(InvalidInput) as info:
        session_service.sign_session(
            session,
            injector,
            chart.id,
            {**sign, "reasons": other_reasons},
            zone=ZONE,
            now=when,
        )
    assert any(interval["key"] in field for field in info.value.fields)
    signed = session_service.sign_session(
        session,
        injector,
        chart.id,
        {**sign, "reasons": {**other_reasons, interval["key"]: REASON}},
        zone=ZONE,
        now=when,
    )
    assert signed.status == "signed"
    kept = [w for w in signed.warnings if w["code"] == "interval_short"]
    assert kept[0]["reason"] == REASON
