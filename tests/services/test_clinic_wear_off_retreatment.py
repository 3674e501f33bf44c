"""A wear-off moves the proposed re-treatment the same way, whoever records it.

The personalised day (``scheduling.suggest_retreatment``: the median of the
patient's own recorded wear-off with the product, clinical reference §3 [S20]
[S36] [S16]) follows the stored wear-off, entered by the clinic's response
form or by the patient's diary; only a proposal still ``proposed`` moves.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import AuditEvent
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
# 23:30 UTC on 1 June is 00:30 on 2 June in London (BST): the clinic day is 2 June.
LATE = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
PRODUCTS = ["botox", "dysport"]
CLIENT = "203.0.113.7"


def _cycles(session, injector, patient_id, product, *, when=NOW):
    """Sign a cycle 20 weeks earlier, worn off at 15 weeks, then the current one."""
    first = sign_chin(
        session,
        injector,
        patient_id,
        when=when - timedelta(weeks=20),
        lot_number="L0",
        product=product,
    )
    outcomes.record_response(
        session, injector, first.id, {"wear_off_weeks": "15"}, now=when, zone=ZONE
    )
    current = sign_chin(
        session, injector, patient_id, when=when, lot_number="L1", product=product
    )
    return current


def _proposal(session, session_id):
    return session.exec(
        select(Appointment).where(
            Appointment.source_session_id == session_id,
            Appointment.kind == "treatment",
        )
    ).one()


def _moves(session, proposal_id):
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "appointment",
            AuditEvent.entity_id == proposal_id,
            AuditEvent.action == "update",
        )
        .order_by(col(AuditEvent.id))
    ).all()


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_clinic_and_the_diary_move_it_alike(
    session, injector, make_patient, product
):
    by_clinic = _cycles(session, injector, make_patient().id, product)
    by_diary = _cycles(session, injector, make_patient().id, product)
    assert _proposal(session, by_clinic.id).due_date == date(2026, 5, 25)
    later = NOW + timedelta(weeks=15, days=1)
    outcomes.record_response(
        session, injector, by_clinic.id, {"wear_off_weeks": "15"}, now=later, zone=ZONE
    )
    printed = printable_link(session, by_diary.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    diary = open_diary(
        session, printed.printed.token, client=CLIENT, now=later, zone=ZONE
    )
    entries.record_wear_off(
        session, diary, {"day": "2026-06-15"}, client=CLIENT, now=later, zone=ZONE
    )
    clinic, patient = _proposal(session, by_clinic.id), _proposal(session, by_diary.id)
    assert clinic.due_date == patient.due_date == date(2026, 6, 15)
    assert clinic.notes == patient.notes
    assert "median 15" in clinic.notes
    (clinic_event,) = _moves(session, clinic.id)
    (diary_event,) = _moves(session, patient.id)
    assert clinic_event.before == diary_event.before
    assert clinic_event.after == {
        key: value for key, value in diary_event.after.items() if key != "source"
    }
    assert diary_event.after["source"] == "patient_diary"
    assert clinic_event.actor_id == injector.user_id


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_clinic_correction_of_the_patients_wear_off_moves_it_again(
    session, injector, make_patient, product
):
    current = _cycles(session, injector, make_patient().id, product)
    later = NOW + timedelta(weeks=15, days=1)
    printed = printable_link(session, current.id, key=DIARY_KEY, now=NOW, zone=ZONE)
    diary = open_diary(
        session, printed.printed.token, client=CLIENT, now=later, zone=ZONE
    )
    entries.record_wear_off(
        session, diary, {"day": "2026-06-15"}, client=CLIENT, now=later, zone=ZONE
    )
    assert _proposal(session, current.id).due_date == date(2026, 6, 15)
    response = outcomes.response_for(session, current.id)
    outcomes.record_response(
        session,
        injector,
        current.id,
        {"wear_off_weeks": "13", "version": response.version},
        now=later,
        zone=ZONE,
    )
    # The median of 15 and 13 weeks is 14 weeks: 8 Jun 2026.
    proposal = _proposal(session, current.id)
    assert proposal.due_date == date(2026, 6, 8)
    assert "median 14" in proposal.notes
    # Saving the form again with the same wear-off leaves the proposal alone.
    response = outcomes.response_for(session, current.id)
    outcomes.record_response(
        session,
        injector,
        current.id,
        {"wear_off_weeks": "13", "notes": "Seen.", "version": response.version},
        now=later,
        zone=ZONE,
    )
    assert len(_moves(session, proposal.id)) == 2


@pytest.mark.parametrize("product", PRODUCTS)
def test_counted_from_the_clinic_day(session, injector, make_patient, product):
    current = _cycles(session, injector, make_patient().id, product, when=LATE)
    outcomes.record_response(
        session,
        injector,
        current.id,
        {"wear_off_weeks": "15"},
        now=LATE + timedelta(weeks=16),
        zone=ZONE,
    )
    # 15 weeks from the clinic day, 2 June; the UTC day would give 14 September.
    assert _proposal(session, current.id).due_date == date(2026, 9, 15)


@pytest.mark.audit_exempt(
    "marks the proposal booked directly; booking is not under test",
    tables=["appointment"],
)
@pytest.mark.parametrize("product", PRODUCTS)
def test_a_booked_re_treatment_stays_where_it_is(
    session, injector, make_patient, product
):
    current = _cycles(session, injector, make_patient().id, product)
    proposal = _proposal(session, current.id)
    proposal.status = AppointmentStatus.BOOKED
    session.add(proposal)
    session.commit()
    outcomes.record_response(
        session,
        injector,
        current.id,
        {"wear_off_weeks": "15"},
        now=NOW + timedelta(weeks=15),
        zone=ZONE,
    )
    assert _proposal(session, current.id).due_date == date(2026, 5, 25)
    assert _moves(session, proposal.id) == []


def test_the_response_form_moves_it(login_as, session, injector, make_patient):
    current = _cycles(session, injector, make_patient().id, "dysport")
    browser = login_as(Role.INJECTOR)
    page = browser.post_form(
        f"/sessions/{current.id}/response", {"wear_off_weeks": "15"}
    )
    assert page.status_code == 302
    session.expire_all()
    assert _proposal(session, current.id).due_date == date(2026, 6, 15)
