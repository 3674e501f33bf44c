"""The re-treatment window and the booking floor follow each product's interval.

Dysport's minimum interval is the clinic's setting ``min_interval_days.dysport``
(no source gives one); the chair's ``interval_short`` reads it through
``product_rules.checked_product``. The next-cycle window proposed on signing, the
floor a booking is held to and the day the booking page names read the same
figure, for the product of the last full treatment: a Dysport patient gets
Dysport's interval, a Botox or Daxxify patient keeps the label's 84 days.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import Forbidden
from planner.models import Appointment
from planner.models import AuditEvent
from planner.models import Role
from planner.services import appointments as appointment_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.retreatment_floor import treatment_floor
from planner.services.settings import save_setting
from planner.services.settings import update_setting
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment

KEY = "min_interval_days.dysport"
# Monday 2 March 2026, 10:00 in London (GMT).
TREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TREATED_ON = date(2026, 3, 2)
# One mentalis site of the product's usual size, from a vial of its usual size.
DOSES = {"botox": (4, 100), "dysport": (10, 300), "daxxify": (8, 100)}


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN, name="Dr Rosa Lind")
    return Actor(user.id, user.email)


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF)
    return Actor(user.id, user.email)


def set_dysport_interval(session, admin, days):
    update_setting(
        session,
        admin,
        KEY,
        str(days),
        version=1,
        now=TREATED - timedelta(days=1),
        zone=ZONE,
    )


def sign_full(session, injector, patient_id, product, when=TREATED):
    units, vial = DOSES[product]
    return make_treatment(
        session,
        injector,
        patient_id,
        [("mentalis", "left", units)],
        when=when,
        sign=True,
        product=product,
        vial_units=vial,
        lot_number=f"{product.upper()}1",
        **({"dilution_confirmed": "true"} if product == "daxxify" else {}),
    )


def proposed_retreatment(session, patient_id):
    return session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient_id,
            Appointment.kind == "treatment",
            Appointment.status == "proposed",
        )
    ).one()


@pytest.mark.parametrize(
    ("product", "dysport_days", "opens_after"),
    [
        # The clinic's longer Dysport interval moves the window's opening.
        ("dysport", 100, 100),
        # A shorter one never opens the window before the clinic's 12 weeks.
        ("dysport", 70, 84),
        ("dysport", 84, 84),
        # Botox and Daxxify keep their labels' 84 days whatever Dysport's is.
        ("botox", 100, 84),
        ("daxxify", 100, 84),
    ],
)
def test_the_proposed_window_opens_no_sooner_than_the_products_interval(
    session, make_patient, injector, admin, product, dysport_days, opens_after
):
    set_dysport_interval(session, admin, dysport_days)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, product)
    proposal = proposed_retreatment(session, patient.id)
    assert proposal.window_start == TREATED_ON + timedelta(days=opens_after)
    assert proposal.due_date >= proposal.window_start
    assert proposal.window_end >= proposal.window_start


def test_an_interval_past_the_clinics_close_leaves_a_bookable_window(
    session, make_patient, injector, admin
):
    """A 20-week Dysport interval opens the window after the 16-week close."""
    set_dysport_interval(session, admin, 140)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, "dysport")
    proposal = proposed_retreatment(session, patient.id)
    opens = TREATED_ON + timedelta(days=140)
    assert (proposal.window_start, proposal.due_date) == (opens, opens)
    assert proposal.window_end >= opens


def test_booking_the_windows_first_day_trips_no_interval_warning(
    session, make_patient, injector, admin, staff
):
    """The day the window opens is a day the chair finds no interval short on."""
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, "dysport")
    proposal = proposed_retreatment(session, patient.id)
    booked = appointment_service.book_appointment(
        session,
        staff,
        proposal.id,
        {
            "version": proposal.version,
            "clinician_id": injector.user_id,
            "starts_at": f"{proposal.window_start.isoformat()}T10:00",
        },
        zone=ZONE,
    )
    when = booked.starts_at
    units, vial = DOSES["dysport"]
    chart = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", units)],
        when=when,
        product="dysport",
        vial_units=vial,
        lot_number="DYSPORT2",
    )
    state = chart_state(session, chart.id, face_map=FACE_MAP, zone=ZONE, now=when)
    assert [w for w in state.warnings if w.code == "interval_short"] == []


@pytest.mark.parametrize(
    ("product", "dysport_days", "floor_after"),
    [
        ("dysport", 100, 100),
        ("dysport", 70, 70),
        ("botox", 100, 84),
        ("botox", 70, 84),
        ("daxxify", 100, 84),
    ],
)
def test_the_booking_floor_is_the_last_treatments_products_interval(
    session, make_patient, injector, admin, product, dysport_days, floor_after
):
    set_dysport_interval(session, admin, dysport_days)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, product)
    proposal = proposed_retreatment(session, patient.id)
    floor = treatment_floor(session, proposal, ZONE, TREATED + timedelta(days=1))
    assert floor[:2] == (TREATED_ON, TREATED_ON + timedelta(days=floor_after))


def test_staff_cannot_book_inside_dysports_longer_interval(
    session, make_patient, injector, admin, staff
):
    """At day 90 a 100-day Dysport interval has not passed: the chair would warn."""
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, "dysport")
    proposal = proposed_retreatment(session, patient.id)
    with pytest.raises(Forbidden) as refused:
        appointment_service.book_appointment(
            session,
            staff,
            proposal.id,
            {
                "version": proposal.version,
                "clinician_id": injector.user_id,
                "starts_at": "2026-05-31T10:00",
                "override_reason": "Patient asked",
            },
            zone=ZONE,
        )
    assert "Choose a day from 10 Jun 2026" in refused.value.message
    assert "Dysport" in refused.value.message


def test_staff_book_after_dysports_shorter_interval_with_the_windows_reason(
    session, make_patient, injector, admin, staff
):
    """At day 75 a 70-day Dysport interval has passed: the chair finds nothing
    short, so no clinical reason is asked; the day is still outside the window."""
    set_dysport_interval(session, admin, 70)
    patient = make_patient(affected_side="left")
    sign_full(session, injector, patient.id, "dysport")
    proposal = proposed_retreatment(session, patient.id)
    booked = appointment_service.book_appointment(
        session,
        staff,
        proposal.id,
        {
            "version": proposal.version,
            "clinician_id": injector.user_id,
            "starts_at": "2026-05-16T10:00",
            "override_reason": "Patient away in late May",
        },
        zone=ZONE,
    )
    assert booked.status == "booked"
    assert booked.clinical_reason is None


def test_a_new_interval_reproposes_open_windows_and_keeps_bookings(
    session, make_patient, injector, admin, staff
):
    """Changing Dysport's interval moves Dysport proposals not yet booked; a booked
    Dysport re-treatment keeps its time and is counted if now early; Botox's and
    the reviews stay as they were."""
    waiting = make_patient(affected_side="left")
    booked_patient = make_patient(affected_side="left")
    botox_patient = make_patient(affected_side="left")
    for patient, product in (
        (waiting, "dysport"),
        (booked_patient, "dysport"),
        (botox_patient, "botox"),
    ):
        sign_full(session, injector, patient.id, product)
    booked = proposed_retreatment(session, booked_patient.id)
    appointment_service.book_appointment(
        session,
        staff,
        booked.id,
        {
            "version": booked.version,
            "clinician_id": injector.user_id,
            "starts_at": "2026-05-31T10:00",  # day 90
        },
        zone=ZONE,
    )
    botox_before = proposed_retreatment(session, botox_patient.id).window_start
    saved = save_setting(session, admin, KEY, "100", version=1, now=TREATED, zone=ZONE)
    assert saved.follow_up is not None
    assert (saved.follow_up.reproposed, saved.follow_up.booked_early) == (1, 1)
    assert saved.follow_up.describe() == (
        "1 proposed re-treatment window not yet booked was re-proposed to open at "
        "the new interval (Dysport patients). 1 booked re-treatment now falls "
        "before the new interval and keeps its time: check with the patient; the "
        "chair will ask for a reason."
    )
    session.expire_all()
    moved = proposed_retreatment(session, waiting.id)
    assert moved.window_start == TREATED_ON + timedelta(days=100)
    assert moved.due_date == moved.window_start
    kept = session.get(Appointment, booked.id)
    assert (kept.status, kept.starts_at.date()) == ("booked", date(2026, 5, 31))
    assert proposed_retreatment(session, botox_patient.id).window_start == (
        botox_before
    )
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "appointment", AuditEvent.entity_id == moved.id
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert event.before["window_start"] == "2026-05-25"
    assert event.after["window_start"] == "2026-06-10"
    assert event.after["source"] == f"setting {KEY} changed to 100"
    # Saving the same figure again moves nothing and says so.
    again = save_setting(session, admin, KEY, "100", version=2, now=TREATED, zone=ZONE)
    assert again.follow_up is None
