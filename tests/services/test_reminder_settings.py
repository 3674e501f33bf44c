"""Reminders and review wording follow the clinic's settings (review RS7).

``reminder_days_before`` 0 means a reminder on the morning of the day (08:00 on
the clinic's clock, or an hour before an earlier appointment), worded "today".
The review is named by ``review_day`` ("review at day 21"), in the reminder, the
calendar entry and the proposal's note, never a fixed "2-week review".
"""

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.models import Appointment
from planner.models import Reminder
from planner.models import Role
from planner.scheduling import reminder_due
from planner.services import appointments
from planner.services import calendar_files
from planner.services import reminders
from planner.services import settings as settings_service
from planner.services.audit import Actor
from tests import factories as f

# product, units per site, vial units, diluent mL
PRODUCTS = [
    ("botox", 4, 100, 2.5),
    ("dysport", 10, 300, 1.5),
    ("daxxify", 8, 100, 1.25),
]


def _set(session: Session, make_user: Any, key: str, value: int) -> None:
    admin = make_user(Role.ADMIN)
    setting = settings_service.get_setting(session, key)
    settings_service.update_setting(
        session, Actor(admin.id, admin.email), key, value, version=setting.version
    )


def _booked_review(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
    *,
    treated: datetime,
    starts_at: str,
) -> Appointment:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient(phone="07700 900123")
    f.make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", units)],
        when=treated,
        sign=True,
        product=product,
        vial_units=vial,
        diluent_ml=ml,
    )
    review = session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient.id, Appointment.kind == "review"
        )
    ).one()
    return appointments.book_appointment(
        session,
        actor,
        review.id,
        {
            "version": review.version,
            "clinician_id": injector.id,
            "starts_at": starts_at,
            "override_reason": "the patient's only free day",
        },
        zone=f.ZONE,
        now=treated,
    )


def _queue(session: Session, now: datetime) -> Reminder:
    reminders.queue_reminders(
        session, now=now, zone=f.ZONE, clinic_name="Face Clinic", phone=""
    )
    return session.exec(select(Reminder)).one()


@pytest.mark.parametrize(("product", "units", "vial", "ml"), PRODUCTS)
@pytest.mark.parametrize(
    ("treated", "starts_at", "due_utc", "when"),
    [
        # Winter (GMT): 08:00 on the day.
        (
            datetime(2026, 1, 5, 10, tzinfo=UTC),
            "2026-01-19T10:00",
            datetime(2026, 1, 19, 8, tzinfo=UTC),
            "today, Monday 19 January at 10:00",
        ),
        # Summer (BST): 08:00 on the clinic's clock is 07:00 UTC.
        (
            datetime(2026, 6, 1, 10, tzinfo=UTC),
            "2026-06-15T10:00",
            datetime(2026, 6, 15, 7, tzinfo=UTC),
            "today, Monday 15 June at 10:00",
        ),
        # Earlier than 08:00: an hour before.
        (
            datetime(2026, 1, 5, 10, tzinfo=UTC),
            "2026-01-19T07:30",
            datetime(2026, 1, 19, 6, 30, tzinfo=UTC),
            "today, Monday 19 January at 07:30",
        ),
    ],
)
def test_zero_days_before_is_a_same_day_reminder(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
    treated: datetime,
    starts_at: str,
    due_utc: datetime,
    when: str,
) -> None:
    _set(session, make_user, "reminder_days_before", 0)
    _booked_review(
        session,
        make_user,
        make_patient,
        product,
        units,
        vial,
        ml,
        treated=treated,
        starts_at=starts_at,
    )
    reminder = _queue(session, now=due_utc.replace(hour=0, minute=0))
    assert reminder.due_at.astimezone(UTC) == due_utc
    assert when in reminder.body
    assert "your review at day 14" in reminder.body
    waiting = reminders.send_due(session, None, now=due_utc)
    assert waiting["waiting"] == 1


@pytest.mark.parametrize(("product", "units", "vial", "ml"), PRODUCTS)
def test_the_review_is_named_by_its_day(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
) -> None:
    _set(session, make_user, "review_day", 21)
    booked = _booked_review(
        session,
        make_user,
        make_patient,
        product,
        units,
        vial,
        ml,
        treated=datetime(2026, 1, 5, 10, tzinfo=UTC),
        starts_at="2026-01-26T10:00",
    )
    assert (booked.notes or "").startswith("Review at day 21: effect, side effects")
    reminder = _queue(session, now=datetime(2026, 1, 24, 9, tzinfo=UTC))
    assert "your review at day 21 at Face Clinic on Monday 26 January" in (
        reminder.body
    )
    assert "2-week" not in reminder.body
    ics = calendar_files.appointment_ics(
        session,
        booked.id,
        zone=f.ZONE,
        clinic_name="Face Clinic",
        domain="clinic.example",
        now=datetime(2026, 1, 24, tzinfo=UTC),
    ).decode()
    assert "SUMMARY:Review at day 21: " in ics
    assert "2-week" not in ics


def test_days_before_counts_back_from_the_appointment_time() -> None:
    starts = datetime(2026, 1, 19, 10, tzinfo=UTC)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert reminder_due(starts, 2, now=now, zone=f.ZONE) == datetime(
        2026, 1, 17, 10, tzinfo=UTC
    )
    late = datetime(2026, 1, 19, 9, tzinfo=UTC)
    assert reminder_due(starts, 0, now=late, zone=f.ZONE) == late
