"""The free start times the booking page offers (``slot_offers.suggest_slots``).

Inside the appointment's window, nearest its due day first, in the clinician's
working hours, never on a closed day, never over a booking, never in the past.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from planner.models import ClosedDay
from planner.models import Role
from planner.models import WorkingHours
from planner.services.audit import Actor
from planner.services.slot_offers import suggest_slots
from tests.services.test_follow_up import ZONE
from tests.services.test_follow_up import book
from tests.services.test_follow_up import sign_and_propose

pytestmark = pytest.mark.audit_exempt(
    "signs sessions and stores working hours and a closed day directly",
    tables=["treatment_session", "working_hours", "closed_day"],
)
NOW = datetime(2026, 3, 14, 8, tzinfo=UTC)


@pytest.fixture
def clinician(make_user):
    return make_user(Role.INJECTOR, name="Dr Ada Clinician")


@pytest.fixture
def actor(clinician):
    return Actor(clinician.id, clinician.email)


@pytest.fixture
def review(session, make_patient, clinician, actor):
    """A review proposed for a Botox treatment on 2 March: due on 16 March."""
    found, _ = sign_and_propose(
        session, actor, make_patient(), clinician, datetime(2026, 3, 2, 10, tzinfo=UTC)
    )
    session.commit()
    return found


def mornings(session, clinician_id):
    """Monday to Friday, 9 to 12, clinic time."""
    for weekday in range(5):
        session.add(
            WorkingHours(
                clinician_id=clinician_id,
                weekday=weekday,
                starts=time(9),
                ends=time(12),
            )
        )
    session.commit()


def test_no_working_hours_offers_nothing(session, review, clinician):
    assert suggest_slots(session, review, clinician.id, zone=ZONE, now=NOW) == []


def test_offers_free_times_on_the_due_day_first_around_a_booking(
    session, review, clinician, actor, make_patient
):
    # The review is due on Monday 16 March (window 13-19 March).
    assert review.due_date == date(2026, 3, 16)
    mornings(session, clinician.id)
    other, _ = sign_and_propose(
        session, actor, make_patient(), clinician, datetime(2026, 3, 2, 11, tzinfo=UTC)
    )
    session.commit()
    book(session, actor, other, clinician, "2026-03-16T09:00")

    offers = suggest_slots(session, review, clinician.id, zone=ZONE, now=NOW, limit=4)

    assert [offer.strftime("%d %H:%M") for offer in offers] == [
        "16 09:15",
        "16 09:30",
        "16 09:45",
        "16 10:00",
    ]
    assert all(offer.tzinfo is not None for offer in offers)


def test_never_a_closed_day_a_weekend_or_the_past(
    session, review, clinician, make_patient
):
    mornings(session, clinician.id)
    session.add(ClosedDay(day=date(2026, 3, 16), reason="Training day"))
    session.commit()
    # Monday 16 is closed; late on Sunday 15, nothing earlier can be offered.
    now = datetime(2026, 3, 15, 23, tzinfo=UTC)

    offers = suggest_slots(session, review, clinician.id, zone=ZONE, now=now, limit=40)

    days = {offer.date() for offer in offers}
    assert days == {date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 19)}
    assert all(time(9) <= offer.time() < time(12) for offer in offers)
    assert offers == sorted(offers)
    assert min(offers) > now
    assert max(offers) < datetime(2026, 3, 20, tzinfo=UTC) - timedelta(hours=12)
