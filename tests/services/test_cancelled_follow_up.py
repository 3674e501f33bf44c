"""A cancelled review or re-treatment keeps the patient on the worklist.

It can be rebooked, and it stays under "Cancelled, to rebook" until a new
booking of the same kind or a newer signed full treatment takes its place.
Days are the clinic's (Europe/London).
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from planner.errors import Conflict
from planner.models import Role
from planner.services.audit import Actor
from planner.services.worklist import build_worklist
from tests import factories as f
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import FIRST
from tests.services.follow_up_steps import attend_proposals
from tests.services.follow_up_steps import book
from tests.services.follow_up_steps import booked_retreatment
from tests.services.follow_up_steps import cancel
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import mark
from tests.services.follow_up_steps import treat

CANCELLED = "Cancelled, to rebook"
MISSED = "Missed, to rebook"
APR_13 = datetime(2026, 4, 13, 9, tzinfo=UTC)


@pytest.fixture
def actor(make_user):
    injector = make_user(Role.INJECTOR)
    return Actor(injector.id, injector.email)


def listed(session, today, title=CANCELLED):
    worklist = build_worklist(
        session,
        today=today,
        zone=f.ZONE,
        now=datetime.combine(today, datetime.min.time(), UTC),
    )
    (section,) = [s for s in worklist.sections if s.title == title]
    return [row.id for row in section.rows]


@BY_PRODUCT
def test_a_cancelled_booking_stays_listed_until_it_is_rebooked(
    session, actor, make_patient, product
):
    patient = make_patient()
    retreat = booked_retreatment(
        session, actor, patient.id, product, "2026-04-06T10:00"
    )
    retreat = cancel(session, actor, retreat, datetime(2026, 4, 1, tzinfo=UTC))
    for today in (date(2026, 4, 2), date(2026, 6, 1), date(2026, 12, 1)):
        assert retreat.id in listed(session, today)
    rebooked = book(
        session, actor, retreat, "2026-04-20T10:00", datetime(2026, 4, 2, tzinfo=UTC)
    )
    assert rebooked.status == "booked"
    assert retreat.id not in listed(session, date(2026, 4, 2))
    trail = [
        e for e in f.audit_events(session, "appointment") if e.entity_id == retreat.id
    ]
    assert trail[-1].before["status"] == "cancelled"
    assert trail[-1].after["status"] == "booked"


@BY_PRODUCT
def test_a_cancelled_proposal_can_be_booked_again(
    session, actor, make_patient, product
):
    patient = make_patient()
    treat(session, actor, patient.id, product, FIRST)
    jan_10 = datetime(2026, 1, 10, tzinfo=UTC)
    review = cancel(session, actor, follow_up(session, patient.id, "review"), jan_10)
    retreat = cancel(
        session, actor, follow_up(session, patient.id, "treatment"), jan_10
    )
    assert {review.id, retreat.id} <= set(listed(session, date(2026, 1, 11)))
    book(session, actor, retreat, "2026-04-08T10:00", jan_10)
    assert listed(session, date(2026, 1, 11)) == [review.id]


@BY_PRODUCT
def test_a_newer_treatment_replaces_a_cancelled_appointment(
    session, actor, make_patient, product
):
    patient = make_patient()
    old = booked_retreatment(session, actor, patient.id, product, "2026-04-06T10:00")
    old = cancel(session, actor, old, datetime(2026, 4, 1, tzinfo=UTC))
    # Treated on 13 Apr without a booking: its own follow-up now stands.
    treat(session, actor, patient.id, product, APR_13)
    assert old.id not in listed(session, date(2026, 4, 14))
    # Even once that follow-up is closed, the old cancellation does not come back.
    attend_proposals(session, actor, patient.id)
    assert old.id not in listed(session, date(2026, 12, 1))
    with pytest.raises(Conflict) as refused:
        book(session, actor, old, "2026-12-07T10:00", datetime(2026, 12, 1, tzinfo=UTC))
    assert "treated again on 13 Apr 2026" in refused.value.message


@BY_PRODUCT
def test_a_booking_cancelled_by_an_earlier_treatment_is_not_listed(
    session, actor, make_patient, product
):
    patient = make_patient()
    old = booked_retreatment(session, actor, patient.id, product, "2026-04-20T10:00")
    treat(session, actor, patient.id, product, APR_13)
    session.refresh(old)
    assert old.status == "cancelled"
    assert listed(session, date(2026, 4, 14)) == []


@BY_PRODUCT
def test_a_missed_booking_a_newer_treatment_replaced_stays_off_the_list(
    session, actor, make_patient, product
):
    patient = make_patient()
    old = booked_retreatment(session, actor, patient.id, product, "2026-04-06T10:00")
    mark(session, actor, old, "missed", datetime(2026, 4, 7, tzinfo=UTC))
    assert old.id in listed(session, date(2026, 4, 8), MISSED)
    treat(session, actor, patient.id, product, APR_13)
    attend_proposals(session, actor, patient.id)
    assert old.id not in listed(session, date(2026, 12, 1), MISSED)


@BY_PRODUCT
def test_another_patients_older_treatment_does_not_hide_a_cancellation(
    session, actor, make_patient, product
):
    earlier = make_patient()
    treat(session, actor, earlier.id, product, datetime(2025, 10, 6, 10, tzinfo=UTC))
    patient = make_patient()
    treat(session, actor, patient.id, product, FIRST)
    retreat = cancel(
        session,
        actor,
        follow_up(session, patient.id, "treatment"),
        datetime(2026, 1, 10, tzinfo=UTC),
    )
    assert retreat.id in listed(session, date(2026, 1, 11))
