"""A cancelled appointment staff mark "No rebooking needed" leaves the worklist.

The reason is required, short, audited; the appointment stays cancelled, on the
patient's timeline with the reason, and off their "Coming up" list. Botox and
Dysport treatments, each proposing its own follow-up.
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import Role
from planner.services.audit import Actor
from planner.services.no_rebooking import REASON_MAX
from planner.services.no_rebooking import mark_no_rebooking
from planner.services.patient_timeline import patient_timeline
from tests import factories as f
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import FIRST
from tests.services.follow_up_steps import cancel
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import treat
from tests.services.test_cancelled_follow_up import listed

JAN_10 = datetime(2026, 1, 10, tzinfo=UTC)
REASON = "Reviewed by phone: no concerns."


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF)
    return Actor(user.id, user.email)


def cancelled_review(session, actor, patient, product):
    treat(session, actor, patient.id, product, FIRST)
    review = cancel(session, actor, follow_up(session, patient.id, "review"), JAN_10)
    retreat = follow_up(session, patient.id, "treatment")
    return review, retreat


@BY_PRODUCT
def test_a_cancellation_marked_no_rebooking_leaves_the_worklist_and_is_audited(
    session, injector, staff, make_patient, product
):
    patient = make_patient()
    review, retreat = cancelled_review(session, injector, patient, product)
    other = make_patient()
    kept, _ = cancelled_review(session, injector, other, product)
    assert set(listed(session, date(2026, 1, 11))) == {review.id, kept.id}

    version = review.version
    marked = mark_no_rebooking(
        session, staff, review.id, {"version": version, "reason": f" {REASON} "}
    )
    assert marked.status == "cancelled"
    assert marked.no_rebooking_reason == REASON
    assert marked.version == version + 1
    for today in (date(2026, 1, 11), date(2026, 6, 1)):
        assert listed(session, today) == [kept.id]

    trail = [
        e for e in f.audit_events(session, "appointment") if e.entity_id == review.id
    ]
    assert trail[-1].actor_email == staff.email
    assert trail[-1].before == {"no_rebooking_reason": None}
    assert trail[-1].after == {"no_rebooking_reason": REASON}

    timeline = patient_timeline(session, patient.id, zone=f.ZONE, now=JAN_10)
    (entry,) = [e for e in timeline.cancelled if e.link_id == review.id]
    assert entry.status == "cancelled"
    assert entry.detail.endswith(f"No rebooking needed: {REASON}")
    assert review.id not in {a.id for a in timeline.upcoming}
    # The re-treatment it left alone still waits as before.
    assert retreat.id in {a.id for a in timeline.upcoming}


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (None, "is required"),
        ("", "is required"),
        ("   ", "is required"),
        ("x" * (REASON_MAX + 1), f"at most {REASON_MAX} characters"),
    ],
)
def test_the_reason_is_required_and_short_naming_the_field(
    session, injector, staff, make_patient, reason, message
):
    review, _ = cancelled_review(session, injector, make_patient(), "botox")
    data = {"version": review.version}
    if reason is not None:
        data["reason"] = reason
    with pytest.raises(InvalidInput) as caught:
        mark_no_rebooking(session, staff, review.id, data)
    assert list(caught.value.fields) == ["reason"]
    assert message in caught.value.fields["reason"]
    assert review.id in listed(session, date(2026, 1, 11))


def test_only_a_cancelled_appointment_once(session, injector, staff, make_patient):
    review, retreat = cancelled_review(session, injector, make_patient(), "dysport")
    with pytest.raises(Conflict, match="this one is proposed"):
        mark_no_rebooking(
            session, staff, retreat.id, {"version": retreat.version, "reason": REASON}
        )
    marked = mark_no_rebooking(
        session, staff, review.id, {"version": review.version, "reason": REASON}
    )
    with pytest.raises(Conflict, match="already marked"):
        mark_no_rebooking(
            session, staff, review.id, {"version": marked.version, "reason": "Again."}
        )
