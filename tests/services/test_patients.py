from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func
from sqlmodel import select

from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import Appointment
from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models import TreatmentSession
from planner.services import patients as service
from planner.services.audit import Actor
from planner.services.patient_timeline import patient_timeline

LONDON = ZoneInfo("Europe/London")
NOV_1 = datetime(2026, 11, 1, 12, tzinfo=UTC)
ACTOR = Actor(user_id=None, email="tester@example.org", remote_addr="127.0.0.1")


def edit_data(patient, **changes):
    data = patient.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
    return {**data, **changes}


def test_create_records_the_patient_and_an_audit_event(session, make_patient):
    patient = make_patient(family_name="Mensah", phone="+44 20 7946 0000")
    assert patient.id is not None
    assert patient.version == 1
    assert patient.created_at.tzinfo is not None
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "patient")
    ).one()
    assert event.action == "create"
    assert event.patient_id == patient.id
    assert event.after["family_name"] == "Mensah"


def test_duplicate_mrn_is_refused_by_name(session, make_patient):
    make_patient(mrn="A100")
    with pytest.raises(InvalidInput) as info:
        make_patient(mrn="A100")
    assert "mrn" in info.value.fields
    assert session.exec(select(func.count()).select_from(Patient)).one() == 1


def test_invalid_input_writes_nothing(session):
    with pytest.raises(InvalidInput) as info:
        service.create_patient(session, ACTOR, {"mrn": "X1", "given_name": ""})
    assert {"given_name", "family_name", "date_of_birth"} <= set(info.value.fields)
    assert session.exec(select(func.count()).select_from(Patient)).one() == 0
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == 0


def test_update_bumps_version_and_audits_only_changes(session, make_patient):
    patient = make_patient()
    updated = service.update_patient(
        session, ACTOR, patient.id, edit_data(patient, notes="Prefers mornings")
    )
    assert updated.version == 2
    assert updated.notes == "Prefers mornings"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.before["notes"] is None
    assert event.after["notes"] == "Prefers mornings"
    assert "given_name" not in event.after


def test_stale_update_is_refused_and_keeps_the_other_edit(session, make_patient):
    patient = make_patient()
    first = edit_data(patient, notes="first editor")
    second = edit_data(patient, notes="second editor")
    service.update_patient(session, ACTOR, patient.id, first)
    with pytest.raises(StaleWrite):
        service.update_patient(session, ACTOR, patient.id, second)
    session.expire_all()
    assert session.get(Patient, patient.id).notes == "first editor"


def test_update_to_a_taken_mrn_is_refused(session, make_patient):
    make_patient(mrn="TAKEN1")
    patient = make_patient(mrn="MINE1")
    with pytest.raises(InvalidInput) as info:
        service.update_patient(
            session, ACTOR, patient.id, edit_data(patient, mrn="TAKEN1")
        )
    assert "mrn" in info.value.fields


def test_missing_patient_is_not_found(session):
    with pytest.raises(NotFound):
        service.get_patient(session, 999)


@pytest.fixture
def registry(make_patient):
    for mrn, given, family, born in (
        ("H001", "Grace", "Hopper", date(1906, 12, 9)),
        ("L002", "Ada", "Lovelace", date(1915, 12, 10)),
        ("H003", "Hedy", "Lamarr", date(1914, 11, 9)),
        ("X-1", "Percy", "O'Neil%", date(1950, 1, 1)),
    ):
        make_patient(mrn=mrn, given_name=given, family_name=family, date_of_birth=born)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Hopper", "Lamarr", "Lovelace", "O'Neil%"]),
        ("hop", ["Hopper"]),
        ("LA", ["Lamarr"]),
        ("l", ["Lamarr", "Lovelace"]),
        ("ada lov", ["Lovelace"]),
        ("h00", ["Hopper", "Lamarr"]),
        ("1915-12-10", ["Lovelace"]),
        ("09/11/1914", ["Lamarr"]),
        ("%", []),
        ("x_", []),
        ("x-", ["O'Neil%"]),
        ("o'neil%", ["O'Neil%"]),
        ("nobody", []),
    ],
)
def test_search_by_name_mrn_or_birth_date(session, registry, query, expected):
    page = service.search_patients(session, query)
    assert [p.family_name for p in page.items] == expected
    assert page.total == len(expected)


def test_search_pages_through_results(session, make_patient):
    for number in range(7):
        make_patient(family_name=f"Family{number}")
    second = service.search_patients(session, "family", page=2, size=3)
    assert [p.family_name for p in second.items] == ["Family3", "Family4", "Family5"]
    assert (second.total, second.pages) == (7, 3)
    beyond = service.search_patients(session, "family", page=99, size=3)
    assert beyond.number == 3
    assert [p.family_name for p in beyond.items] == ["Family6"]


def test_timeline_of_a_new_patient_is_empty(session, make_patient):
    patient = make_patient()
    timeline = patient_timeline(session, patient.id, zone=LONDON, now=NOV_1)
    assert (timeline.entries, timeline.cycles, timeline.upcoming) == ([], 0, [])


@pytest.mark.audit_exempt(
    "stores past and proposed appointments directly",
    tables=["appointment"],
)
def test_timeline_lists_upcoming_appointments_newest_first(session, make_patient):
    patient = make_patient()
    for due, status in [
        (date(2026, 10, 1), "attended"),
        (date(2026, 12, 1), "proposed"),
    ]:
        session.add(
            Appointment(
                patient_id=patient.id,
                kind="review",
                status=status,
                due_date=due,
                starts_at=datetime(due.year, due.month, due.day, 9, tzinfo=UTC)
                if status == "attended"
                else None,
            )
        )
    session.commit()
    timeline = patient_timeline(session, patient.id, zone=LONDON, now=NOV_1)
    assert [e.when for e in timeline.entries] == [date(2026, 12, 1), date(2026, 10, 1)]
    assert [a.due_date for a in timeline.upcoming] == [date(2026, 12, 1)]


@pytest.mark.audit_exempt(
    "stores a signed session and a booking directly",
    tables=["treatment_session", "appointment"],
)
def test_timeline_dates_a_summer_night_by_the_clinic_calendar(
    session, make_patient, make_user
):
    # 00:30 on 15 July in London (BST) is 23:30 on 14 July in UTC.
    half_past_midnight = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    patient = make_patient()
    injector = make_user(Role.INJECTOR)
    product = session.exec(select(Product).where(Product.code == "botox")).one()
    session.add(
        TreatmentSession(
            patient_id=patient.id,
            injector_id=injector.id,
            kind="full",
            cycle_number=1,
            product_id=product.id,
            performed_at=half_past_midnight,
            status="signed",
            signed_at=half_past_midnight,
            signed_by_id=injector.id,
        )
    )
    session.add(
        Appointment(
            patient_id=patient.id,
            kind="review",
            status="booked",
            due_date=date(2026, 7, 15),
            starts_at=half_past_midnight,
            ends_at=datetime(2026, 7, 14, 23, 50, tzinfo=UTC),
        )
    )
    session.commit()
    # At 00:10 London time that same night the booking is still ahead.
    timeline = patient_timeline(
        session,
        patient.id,
        zone=LONDON,
        now=datetime(2026, 7, 14, 23, 10, tzinfo=UTC),
    )
    assert {(e.kind, e.when) for e in timeline.entries} == {
        ("treatment", date(2026, 7, 15)),
        ("appointment", date(2026, 7, 15)),
    }
    assert len(timeline.upcoming) == 1
