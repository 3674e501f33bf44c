"""A side effect the patient reported in the diary, recorded as an adverse event.

The form opens filled from the entry; the event keeps the entry's id, the entry
is dealt with and says it was recorded, and the cycle comparison and the record
say the patient reported it. A second recording, an entry that is no side
effect, one of another cycle and one whose cycle cannot be found are refused,
naming ``diary_entry_id``.
"""

import csv
import io
from datetime import date
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import DiaryEntry
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.cycles import cycles_overview
from planner.services.diary_adverse import prefill_from_diary
from planner.services.diary_clinic import diary_alerts
from planner.services.diary_clinic import diary_by_cycle
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import consent_to_research
from tests.factories import make_treatment
from tests.factories import research_csv
from tests.factories import sign_chin
from tests.services.test_diary import CLIENT
from tests.services.test_diary import NOW
from tests.services.test_diary import PRODUCTS
from tests.services.test_diary import opened

TODAY = date(2026, 3, 10)
VIALS = {"botox": 100, "dysport": 300}
LATER = NOW + timedelta(days=4)


@pytest.fixture
def treat(session, injector, make_patient):
    """Sign a full treatment for a patient (a new one unless given); return both."""

    def treat(when=NOW, patient=None, product="botox"):
        patient = patient or make_patient()
        lot = f"L{when:%y%m%d}{product[:2]}"
        treated = sign_chin(
            session, injector, patient.id, when=when, product=product, lot_number=lot
        )
        return patient, treated

    return treat


def reported(session, injector, treatment_id, effects=("eyelid_droop",), **more):
    """The patient reports side effects on 4 March, four days after treatment."""
    _, diary = opened(session, injector, treatment_id, now=LATER)
    return entries.record_side_effect(
        session,
        diary,
        {"effects": list(effects), "day": "2026-03-04", **more},
        client=CLIENT,
        now=LATER,
    )


def record(session, injector, session_id, data, **extra):
    return outcomes.add_adverse_event(
        session,
        injector,
        session_id,
        {"severity": "mild", **data, **extra},
        today=TODAY,
        zone=ZONE,
        now=LATER + timedelta(hours=2),
    )


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_diary_side_effect_becomes_an_event_that_names_it(
    session, injector, treat, product
):
    patient, treatment = treat(product=product)
    entry = reported(session, injector, treatment.id)
    prefill = prefill_from_diary(session, entry.id, zone=ZONE)
    assert prefill.session_id == treatment.id
    assert prefill.data == {
        "diary_entry_id": str(entry.id),
        "kind": "eyelid_droop",
        "onset_date": "2026-03-04",
        "description": "Patient reported in the diary: My eyelid droops",
    }
    assert prefill.entered_on == date(2026, 3, 6)

    event = record(session, injector, treatment.id, prefill.data)
    assert event.diary_entry_id == entry.id
    assert (event.kind.value, event.onset_date) == ("eyelid_droop", date(2026, 3, 4))
    # Dealt with: off the worklist, and the cycles page says it was recorded.
    session.refresh(entry)
    assert entry.handled_at is not None
    assert diary_alerts(session).calls == []
    [cycle] = diary_by_cycle(session, patient.id, zone=ZONE)
    [row] = cycle.rows
    assert (row.entry_id, row.recorded_on) == (entry.id, date(2026, 3, 6))
    # Audited: the event holds its entry, the entry its event.
    trail = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type.in_(["adverse_event", "diary_entry"]),  # type: ignore[attr-defined]
            AuditEvent.actor_id == injector.user_id,
        )
    ).all()
    created = next(e for e in trail if e.entity_type == "adverse_event")
    assert created.after["diary_entry_id"] == entry.id
    linked = next(e for e in trail if e.entity_type == "diary_entry")
    assert linked.entity_id == entry.id
    assert linked.after["adverse_event_id"] == event.id
    assert "handled_at" in linked.after

    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    [shown] = overview.events
    assert shown.reported_on == date(2026, 3, 6)
    [ledger] = overview.ledger
    assert ledger.events == ("Eyelid droop (mild), patient-reported (diary)",)
    [effect] = ledger.diary_effects
    assert effect.source == (
        "patient-reported (diary), recorded as an adverse event on 6 Mar 2026"
    )


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_second_recording_of_the_entry_is_refused(session, injector, treat, product):
    _, treatment = treat(product=product)
    entry = reported(session, injector, treatment.id)
    data = prefill_from_diary(session, entry.id, zone=ZONE).data
    record(session, injector, treatment.id, data)
    already = {
        "diary_entry_id": "is already recorded as an adverse event on 6 Mar 2026"
    }
    with pytest.raises(InvalidInput) as opening:
        prefill_from_diary(session, entry.id, zone=ZONE)
    assert opening.value.fields == already
    with pytest.raises(InvalidInput) as saving:
        record(session, injector, treatment.id, data)
    assert saving.value.fields == already
    assert f"Diary entry {entry.id}" in saving.value.message


def test_several_effects_leave_the_kind_to_the_clinician(session, injector, treat):
    _, treatment = treat(product="dysport")
    entry = reported(
        session,
        injector,
        treatment.id,
        effects=("eyelid_droop", "drooling", "other"),
        other="My cheek feels heavy",
    )
    data = prefill_from_diary(session, entry.id, zone=ZONE).data
    assert data["kind"] == ""
    assert data["description"] == (
        "Patient reported in the diary: My eyelid droops; I drool, or drinks leak "
        "from my mouth; \u201cMy cheek feels heavy\u201d"
    )
    with pytest.raises(InvalidInput) as caught:
        record(session, injector, treatment.id, data)
    assert "kind" in caught.value.fields
    event = record(session, injector, treatment.id, data, kind="lip_weakness")
    assert event.diary_entry_id == entry.id


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_top_up_of_the_same_cycle_may_carry_the_event(
    session, injector, make_patient, treat, product
):
    patient, treatment = treat(product=product)
    top_up = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 2)],
        when=NOW + timedelta(days=1),
        product=product,
        lot_number="T1",
        vial_units=VIALS[product],
        sign=True,
        kind="top_up",
    )
    entry = reported(session, injector, treatment.id)
    data = prefill_from_diary(session, entry.id, zone=ZONE).data
    assert record(session, injector, top_up.id, data).diary_entry_id == entry.id


def test_an_entry_of_another_cycle_or_patient_is_refused(session, injector, treat):
    patient, first = treat(product="botox")
    entry = reported(session, injector, first.id)
    _, other_patients = treat(product="dysport")
    _, next_cycle = treat(when=NOW + timedelta(days=5), patient=patient)
    data = prefill_from_diary(session, entry.id, zone=ZONE).data
    for session_id, cycle in ((other_patients.id, 1), (next_cycle.id, 2)):
        with pytest.raises(InvalidInput) as caught:
            record(session, injector, session_id, data)
        assert caught.value.fields == {
            "diary_entry_id": f"is from another cycle than this treatment's "
            f"(cycle {cycle})"
        }


def test_no_such_entry_and_an_entry_that_is_no_side_effect(session, injector, treat):
    _, treatment = treat()
    _, diary = opened(session, injector, treatment.id, now=LATER)
    weekly = entries.record_weekly(
        session, diary, {"face": "relaxed"}, client=CLIENT, now=LATER
    )
    for entry_id, reason in (
        (weekly.id, "is not a side effect the patient reported"),
        (weekly.id + 100, "does not exist"),
    ):
        with pytest.raises(InvalidInput) as caught:
            prefill_from_diary(session, entry_id, zone=ZONE)
        assert caught.value.fields == {"diary_entry_id": reason}
        with pytest.raises(InvalidInput):
            record(
                session,
                injector,
                treatment.id,
                {"kind": "dry_eye"},
                diary_entry_id=str(entry_id),
            )


@pytest.mark.audit_exempt(
    "an entry moved onto a draft by SQL, as a damaged database might hold it: the "
    "test is of the refusal, not of an audited change",
    tables=["diary_entry"],
)
@pytest.mark.parametrize("product", PRODUCTS)
def test_an_entry_whose_cycle_cannot_be_found_is_refused_by_name(
    session, injector, make_patient, treat, product
):
    patient, treatment = treat(product=product)
    entry = reported(session, injector, treatment.id)
    draft = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 2)],
        when=NOW + timedelta(days=1),
        product=product,
        lot_number="D1",
        vial_units=VIALS[product],
    )
    row = session.get(DiaryEntry, entry.id)
    row.session_id = draft.id
    session.add(row)
    session.commit()
    reason = {
        "diary_entry_id": "has no signed treatment of its cycle to record the event on"
    }
    with pytest.raises(InvalidInput) as caught:
        prefill_from_diary(session, entry.id, zone=ZONE)
    assert caught.value.fields == reason
    with pytest.raises(InvalidInput) as saving:
        record(
            session,
            injector,
            treatment.id,
            {"kind": "dry_eye"},
            diary_entry_id=entry.id,
        )
    assert saving.value.fields == reason


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_research_file_names_the_diary_entry_and_its_day(
    session, injector, treat, product
):
    patient, treatment = treat(product=product)
    entry = reported(session, injector, treatment.id)
    record(session, injector, treatment.id, {"kind": "dry_eye"})
    data = prefill_from_diary(session, entry.id, zone=ZONE).data
    record(session, injector, treatment.id, data)
    consent_to_research(session, injector, [patient.id])
    rows = list(
        csv.DictReader(io.StringIO(research_csv(session, injector, "adverse_events")))
    )
    assert [
        (r["kind"], r["diary_entry_id"], r["reported_in_diary_on"]) for r in rows
    ] == [
        ("dry_eye", "", ""),
        ("eyelid_droop", str(entry.id), "2026-03-06"),
    ]
