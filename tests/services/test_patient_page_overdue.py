"""The patient page's "Coming up" keeps what the worklist calls overdue.

An unbooked window that closed, or a booking whose day passed unmarked, stays
listed as overdue, by the clinic's day (Europe/London).
"""

from datetime import UTC
from datetime import datetime

import pytest

from planner.models import Role
from planner.services.audit import Actor
from planner.services.patient_timeline import patient_timeline
from tests import factories as f
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import FIRST
from tests.services.follow_up_steps import book
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import mark
from tests.services.follow_up_steps import treat


@pytest.fixture
def actor(make_user):
    injector = make_user(Role.INJECTOR)
    return Actor(injector.id, injector.email)


def coming_up(session, patient_id, now):
    timeline = patient_timeline(session, patient_id, zone=f.ZONE, now=now)
    return [(a.kind.value, timeline.attention.get(a.id)) for a in timeline.upcoming]


@BY_PRODUCT
def test_a_window_that_closed_unbooked_stays_as_overdue(
    session, actor, make_patient, product
):
    patient = make_patient()
    treat(session, actor, patient.id, product, FIRST)
    # The re-treatment window closes on 27 Apr; 22:30 UTC is still 27 Apr in
    # London (BST), 23:30 UTC is already 28 Apr.
    assert coming_up(
        session, patient.id, datetime(2026, 4, 27, 22, 30, tzinfo=UTC)
    ) == [
        ("review", "overdue"),
        ("treatment", None),
    ]
    for now in (
        datetime(2026, 4, 27, 23, 30, tzinfo=UTC),
        datetime(2026, 9, 1, tzinfo=UTC),
    ):
        assert coming_up(session, patient.id, now) == [
            ("review", "overdue"),
            ("treatment", "overdue"),
        ]


@BY_PRODUCT
def test_a_past_booking_not_marked_stays_as_overdue_and_a_missed_one_to_rebook(
    session, actor, make_patient, product
):
    patient = make_patient()
    treat(session, actor, patient.id, product, FIRST)
    review = book(
        session,
        actor,
        follow_up(session, patient.id, "review"),
        "2026-01-19T10:00",
        datetime(2026, 1, 6, tzinfo=UTC),
    )
    after = datetime(2026, 1, 21, tzinfo=UTC)
    assert coming_up(session, patient.id, after)[0] == ("review", "overdue")
    mark(session, actor, review, "missed", after)
    assert coming_up(session, patient.id, after)[0] == ("review", "missed")
