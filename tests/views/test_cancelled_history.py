"""Cancelled appointments leave the patient's working timeline, not the record.

A treatment signed before a booked re-treatment cancels that booking and the
cycle's unbooked review ("saying so"). They stay in the database and the audit
trail, and on the patient page under a "Cancelled (N)" disclosure, but no
longer among the timeline's entries as if still part of the plan. A booking
staff cancel and nobody has rebooked still asks to be rebooked under "Coming
up". Botox and Dysport, each in its own units.
"""

import re
from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.models import Appointment
from planner.models import Role
from planner.services.audit import Actor
from planner.services.patient_timeline import patient_timeline
from tests import factories as f
from tests.services.follow_up_steps import BY_PRODUCT
from tests.services.follow_up_steps import booked_retreatment
from tests.services.follow_up_steps import cancel
from tests.services.follow_up_steps import follow_up
from tests.services.follow_up_steps import treat

APR_1 = datetime(2026, 4, 1, 10, tzinfo=UTC)
APR_2 = datetime(2026, 4, 2, 9, tzinfo=UTC)


@pytest.fixture
def actor(make_user):
    injector = make_user(Role.INJECTOR)
    return Actor(injector.id, injector.email)


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setattr("planner.views.patients.utc_now", lambda: APR_2)
    monkeypatch.setattr("planner.views.context.utc_now", lambda: APR_2)
    return APR_2


def _treated_early(session, actor, patient_id, product):
    """Book the re-treatment for 20 April, then treat on 1 April instead."""
    booked_retreatment(session, actor, patient_id, product, "2026-04-20T10:00")
    treat(session, actor, patient_id, product, APR_1)


def _cancelled_ids(session, patient_id):
    return {
        a.id
        for a in session.exec(
            select(Appointment).where(
                Appointment.patient_id == patient_id,
                Appointment.status == "cancelled",
            )
        ).all()
    }


def _section(page, title_id):
    start = page.index(f'id="{title_id}"')
    return page[start : page.index("</section>", start)]


@BY_PRODUCT
def test_cancelled_follow_ups_leave_the_timeline_but_stay_on_record(
    session, actor, make_patient, product
):
    patient = make_patient()
    _treated_early(session, actor, patient.id, product)
    cancelled = _cancelled_ids(session, patient.id)
    assert len(cancelled) == 2  # the unbooked review and the later booking

    timeline = patient_timeline(session, patient.id, zone=f.ZONE, now=APR_2)
    shown = {e.link_id for e in timeline.entries if e.kind == "appointment"}
    assert not shown & cancelled
    assert {e.link_id for e in timeline.cancelled} == cancelled
    assert {e.status for e in timeline.cancelled} == {"cancelled"}
    assert not {a.id for a in timeline.upcoming} & cancelled
    # Nothing deleted: the rows and their trail are whole.
    trail = {e.entity_id for e in f.audit_events(session, "appointment")}
    assert cancelled <= trail


@BY_PRODUCT
def test_the_patient_page_keeps_cancelled_ones_behind_a_disclosure(
    login_as, session, actor, make_patient, frozen, product
):
    patient = make_patient()
    _treated_early(session, actor, patient.id, product)
    page = login_as(Role.INJECTOR).get(f"/patients/{patient.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    timeline = _section(html, "timeline-title")
    working = timeline.split('<details class="cancelled-history"')[0]
    assert "badge-cancelled" not in working
    history = re.search(
        r'<details class="cancelled-history".*?</details>', timeline, re.S
    )
    assert history, timeline
    assert "Cancelled (2)" in history.group(0)
    assert history.group(0).count("badge-cancelled") == 2
    assert "cancelled" not in _section(html, "upcoming-title")


@BY_PRODUCT
def test_a_cancellation_to_rebook_still_asks_for_it(
    login_as, session, actor, make_patient, frozen, product
):
    patient = make_patient()
    treat(session, actor, patient.id, product, datetime(2026, 3, 1, 10, tzinfo=UTC))
    review = follow_up(session, patient.id, "review")
    cancel(session, actor, review, datetime(2026, 3, 2, tzinfo=UTC))
    html = login_as(Role.INJECTOR).get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "cancelled, not rebooked" in _section(html, "upcoming-title")
    timeline = _section(html, "timeline-title")
    assert "Cancelled (1)" in timeline
    assert (
        "badge-cancelled" not in timeline.split('<details class="cancelled-history"')[0]
    )
