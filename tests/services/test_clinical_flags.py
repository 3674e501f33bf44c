"""Issue 13 finding 12: only injectors and admins change clinical flags, and the
patient's next chart says who changed what, and when."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import Forbidden
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.services import outside_toxin
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.chart_state import chart_state
from planner.services.patients import update_patient
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment

SYDNEY = ZoneInfo("Australia/Sydney")


def actor_of(make_user, role):
    user = make_user(role)
    return Actor(user.id, user.email), user


def edit(patient, **changes):
    data = patient.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
    return {**data, **changes}


def draft_notices(session, injector, patient, when=None, zone=ZONE):
    when = when or utc_now()
    record = make_treatment(
        session, injector, patient.id, [("mentalis", "left", 2)], when=when
    ).record
    state = chart_state(
        session, record.id, face_map=FACE_MAP, zone=zone, now=when
    ).as_json()
    return state["flag_changes"], record


@pytest.mark.parametrize(
    "change",
    [
        {"toxin_allergy": False},
        {"pregnant": False},
        {"neuromuscular_disease": True},
        {"affected_side": "right"},
    ],
)
def test_staff_cannot_change_a_clinical_flag(session, make_user, make_patient, change):
    staff, _ = actor_of(make_user, Role.STAFF)
    patient = make_patient(toxin_allergy=True, pregnant=True, affected_side="left")
    with pytest.raises(Forbidden) as info:
        update_patient(session, staff, patient.id, edit(patient, **change))
    assert set(info.value.fields) == set(change)
    assert "only by an injector or an admin" in info.value.fields[next(iter(change))]
    session.expire_all()
    stored = session.get(Patient, patient.id)
    assert (stored.toxin_allergy, stored.pregnant, stored.affected_side) == (
        True,
        True,
        "left",
    )
    assert stored.version == 1


def test_staff_may_edit_everything_else_with_the_flags_as_they_are(
    session, make_user, make_patient
):
    staff, _ = actor_of(make_user, Role.STAFF)
    patient = make_patient(toxin_allergy=True)
    saved = update_patient(
        session, staff, patient.id, edit(patient, phone="+44 20 7946 0001")
    )
    assert (saved.phone, saved.toxin_allergy, saved.version) == (
        "+44 20 7946 0001",
        True,
        2,
    )


def test_an_actor_with_no_login_cannot_change_a_flag(session, make_patient):
    patient = make_patient(toxin_allergy=True)
    with pytest.raises(Forbidden):
        update_patient(session, SYSTEM, patient.id, edit(patient, toxin_allergy=False))


@pytest.mark.parametrize("role", [Role.INJECTOR, Role.ADMIN])
def test_injectors_and_admins_change_flags_and_the_next_chart_says_so(
    session, make_user, make_patient, injector, role
):
    editor, user = actor_of(make_user, role)
    patient = make_patient(toxin_allergy=True, affected_side="left")
    update_patient(
        session,
        editor,
        patient.id,
        edit(patient, toxin_allergy=False, affected_side="right", notes="Checked"),
    )
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "patient", AuditEvent.action == "update"
        )
    ).one()
    assert (
        event.actor_id,
        event.before["toxin_allergy"],
        event.after["toxin_allergy"],
    ) == (
        user.id,
        True,
        False,
    )
    notices, _ = draft_notices(session, injector, patient)
    day = event.at.astimezone(ZONE).date()
    assert notices == [
        f"Clinical flags changed on {day.day} {day:%b %Y} by {user.name}: "
        "allergy to botulinum toxin yes → no; affected side left → right."
    ]


def test_a_notes_only_edit_raises_no_notice(session, make_patient, injector):
    patient = make_patient()
    update_patient(session, injector, patient.id, edit(patient, notes="Prefers 9 am"))
    notices, _ = draft_notices(session, injector, patient)
    assert notices == []


def test_the_notice_gives_the_clinics_local_day(session, make_user, make_patient):
    editor, user = actor_of(make_user, Role.INJECTOR)
    patient = make_patient(pregnant=False)
    event = record_event(
        session,
        editor,
        AuditAction.UPDATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        before={"pregnant": False},
        after={"pregnant": True},
    )
    # 23:30 UTC on 19 Nov is 10:30 on 20 Nov in Sydney.
    event.at = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    session.commit()
    when = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    notices, _ = draft_notices(session, editor, patient, when, SYDNEY)
    assert notices == [
        f"Clinical flags changed on 20 Nov 2026 by {user.name}: pregnant no → yes."
    ]


def test_the_notice_stays_until_a_chart_is_signed_after_the_change(
    session, make_patient, injector
):
    patient = make_patient(breastfeeding=False)
    update_patient(session, injector, patient.id, edit(patient, breastfeeding=True))
    # A draft left from yesterday: a second draft the same day is refused (issue 15).
    yesterday = utc_now() - timedelta(days=1)
    notices, first = draft_notices(session, injector, patient, when=yesterday)
    assert len(notices) == 1
    signed_at = utc_now()
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 2)],
        when=signed_at,
        sign=True,
    )
    state = chart_state(
        session, first.id, face_map=FACE_MAP, zone=ZONE, now=signed_at
    ).as_json()
    assert state["flag_changes"] == []
    patient = session.get(Patient, patient.id)
    update_patient(
        session,
        injector,
        patient.id,
        edit(patient, breastfeeding=False),
    )
    state = chart_state(
        session, first.id, face_map=FACE_MAP, zone=ZONE, now=signed_at
    ).as_json()
    assert [n.split(": ", 1)[1] for n in state["flag_changes"]] == [
        "breastfeeding yes → no."
    ]


def test_a_signed_chart_carries_no_notice(session, make_patient, injector):
    patient = make_patient(aminoglycosides=False)
    update_patient(session, injector, patient.id, edit(patient, aminoglycosides=True))
    when = utc_now()
    record = make_treatment(
        session, injector, patient.id, [("mentalis", "left", 2)], when=when, sign=True
    ).record
    state = chart_state(
        session, record.id, face_map=FACE_MAP, zone=ZONE, now=when
    ).as_json()
    assert state["flag_changes"] == []


def test_toxin_given_elsewhere_added_and_removed_shows_on_the_next_chart(
    session, make_patient, injector
):
    patient = make_patient()
    dysport = session.exec(select(Product.id).where(Product.code == "dysport")).one()
    row = outside_toxin.add_outside_treatment(
        session,
        injector,
        patient.id,
        {
            "given_on": "2026-11-03",
            "product_id": dysport,
            "units": 300,
            "indication": "Glabellar lines",
            "place": "City Skin Clinic",
        },
        today=date(2026, 12, 5),
    )
    outside_toxin.remove_outside_treatment(session, injector, patient.id, row.id)
    notices, _ = draft_notices(session, injector, patient)
    what = "Dysport 300 U (Speywood) on 3 Nov 2026 (City Skin Clinic, Glabellar lines)"
    assert [n.split(": ", 1)[1] for n in notices] == [
        f"toxin given elsewhere added: {what}.",
        f"toxin given elsewhere removed: {what}.",
    ]
