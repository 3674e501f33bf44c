"""The patient's diary (issue 20, part 2): the link, its entries, the clinic's view."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import Assessment
from planner.models import AuditEvent
from planner.models import CycleResponse
from planner.models import DiaryEntry
from planner.models import DiaryLink
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services import outcomes as outcome_service
from planner.services.audit import Actor
from planner.services.diary_clinic import diary_alerts
from planner.services.diary_clinic import diary_by_cycle
from planner.services.diary_clinic import handle_entry
from planner.services.diary_links import FREE_FAILURES
from planner.services.diary_links import DiaryThrottled
from planner.services.diary_links import links_for_patient
from planner.services.diary_links import open_diary
from planner.services.diary_links import revoke_diary_link
from planner.services.diary_links import token_digest
from planner.services.diary_reprint import printable_link
from planner.services.settings import update_setting
from planner.services.worklist import build_worklist
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
CLIENT = "203.0.113.7"
PRODUCTS = ["botox", "dysport"]


@pytest.fixture
def treat(session, injector, make_patient):
    """Sign a full treatment for a patient (a new one unless given); return it."""

    def treat(when=NOW, patient=None, product="botox", units=4):
        patient = patient or make_patient()
        treatment = sign_chin(
            session,
            injector,
            patient.id,
            when=when,
            product=product,
            units=units,
            lot_number=f"L{when:%y%m%d}{product[:2]}",
        )
        return patient, treatment

    return treat


def opened(session, injector, session_id, *, at=NOW, now=None):
    """Print a token for the cycle at ``at``; return it and the diary it opens."""
    printed = printable_link(session, session_id, key=DIARY_KEY, now=at, zone=ZONE)
    assert printed is not None
    diary = open_diary(
        session, printed.printed.token, client=CLIENT, now=now or at, zone=ZONE
    )
    return printed.printed.token, diary


@pytest.mark.parametrize("product", PRODUCTS)
def test_signing_issues_a_link_kept_only_as_a_hash(session, injector, treat, product):
    patient, treatment = treat(product=product, units=4 if product == "botox" else 10)
    link = session.exec(select(DiaryLink)).one()
    assert (link.session_id, link.patient_id) == (treatment.id, patient.id)
    assert len(link.token_hash) == 64
    token, diary = opened(session, injector, treatment.id)
    assert len(token) >= 43
    assert token_digest(token) == link.token_hash
    assert token not in str(link.model_dump())
    assert diary is not None
    assert diary.first_name == patient.given_name
    assert diary.treated_on == date(2026, 3, 2)
    created = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "diary_link")
    ).all()
    assert token not in str([event.after for event in created])


def test_a_top_up_issues_no_link_and_a_draft_cannot_be_printed(
    session, injector, make_patient
):
    patient = make_patient()
    draft = make_treatment(
        session, injector, patient.id, [("mentalis", "left", 4)], when=NOW
    )
    assert printable_link(session, draft.id, key=DIARY_KEY, now=NOW, zone=ZONE) is None
    assert session.exec(select(DiaryLink)).all() == []


def test_the_link_expires_after_the_clinic_setting(session, injector, treat):
    _, treatment = treat()
    token, _ = opened(session, injector, treatment.id)
    later = NOW + timedelta(weeks=25)
    assert open_diary(session, token, client=CLIENT, now=later, zone=ZONE)
    expired = NOW + timedelta(weeks=26, days=1)
    assert open_diary(session, token, client=CLIENT, now=expired, zone=ZONE) is None


def test_a_shorter_clinic_setting_gives_a_shorter_link(
    session, injector, treat, make_user
):
    admin = make_user(Role.ADMIN)
    update_setting(
        session, Actor(admin.id, admin.email), "diary_link_weeks", "4", version=1
    )
    _, treatment = treat()
    token, _ = opened(session, injector, treatment.id)
    past = NOW + timedelta(weeks=4, days=1)
    assert open_diary(session, token, client=CLIENT, now=past, zone=ZONE) is None


def test_revoking_stops_the_link(session, injector, treat):
    patient, treatment = treat()
    token, diary = opened(session, injector, treatment.id)
    revoke_diary_link(session, injector, patient.id, diary.link_id, now=NOW)
    assert open_diary(session, token, client=CLIENT, now=NOW, zone=ZONE) is None
    assert links_for_patient(session, patient.id, now=NOW, zone=ZONE)[0].state == (
        "revoked"
    )


def test_printing_again_gives_the_same_token(session, injector, treat):
    _, treatment = treat()
    first, _ = opened(session, injector, treatment.id)
    second, diary = opened(session, injector, treatment.id)
    assert first == second
    assert diary is not None


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_next_treatment_ends_the_link(session, injector, treat, product):
    units = 4 if product == "botox" else 10
    patient, treatment = treat(product=product, units=units)
    token, _ = opened(session, injector, treatment.id)
    later = NOW + timedelta(weeks=13)
    _, second = treat(when=later, patient=patient, product=product, units=units)
    assert open_diary(session, token, client=CLIENT, now=later, zone=ZONE) is None
    new_token, diary = opened(session, injector, second.id, at=later)
    assert diary is not None
    assert diary.session_id == second.id
    states = [
        row.state
        for row in links_for_patient(session, patient.id, now=later, zone=ZONE)
    ]
    assert states == ["open", "ended by the next treatment"]


def test_onset_is_stored_as_patient_entered_on_the_cycle(session, injector, treat):
    _, treatment = treat()
    now = NOW + timedelta(days=5)
    _, diary = opened(session, injector, treatment.id, now=now)
    entry = entries.record_onset(
        session, diary, {"day": "2026-03-05"}, client=CLIENT, now=now
    )
    assert (entry.kind, entry.timepoint, entry.session_id) == (
        "onset",
        "day 3",
        treatment.id,
    )
    response = session.exec(select(CycleResponse)).one()
    assert (response.onset_days, response.patient_fields) == (3.0, ["onset_days"])
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor_email == f"patient diary link {diary.link_id}"
        )
    ).all()
    assert {e.entity_type for e in events if e.action != "view"} == {
        "diary_entry",
        "cycle_response",
    }
    for event in events:
        assert event.actor_id is None
        assert event.after["source"] == "patient_diary"


def test_the_clinics_own_value_stands_and_saving_confirms(session, injector, treat):
    _, treatment = treat()
    outcome_service.record_response(
        session, injector, treatment.id, {"onset_days": "3"}, now=NOW, zone=ZONE
    )
    now = NOW + timedelta(days=5)
    _, diary = opened(session, injector, treatment.id, now=now)
    entries.record_onset(session, diary, {"day": "2026-03-04"}, client=CLIENT, now=now)
    entries.record_wear_off(
        session, diary, {"day": "2026-03-06"}, client=CLIENT, now=now, zone=ZONE
    )
    response = session.exec(select(CycleResponse)).one()
    assert response.onset_days == 3.0
    assert response.wear_off_weeks == 0.6
    assert response.patient_fields == ["wear_off_weeks"]
    outcome_service.record_response(
        session,
        injector,
        treatment.id,
        {"onset_days": "3", "wear_off_weeks": "0.6", "version": response.version},
        now=now,
        zone=ZONE,
    )
    session.refresh(response)
    assert response.patient_fields is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": ""}, "day"),
        ({"day": "not a day"}, "day"),
        ({"day": "2026-03-20"}, "day"),  # in the future
        ({"day": "2026-02-01"}, "day"),  # before the injections
    ],
)
def test_bad_days_are_named(session, injector, treat, data, field):
    _, treatment = treat()
    now = NOW + timedelta(days=5)
    _, diary = opened(session, injector, treatment.id, now=now)
    for record in (entries.record_onset, entries.record_wear_off):
        extra = {"zone": ZONE} if record is entries.record_wear_off else {}
        with pytest.raises(InvalidInput) as caught:
            record(session, diary, data, client=CLIENT, now=now, **extra)
        assert field in caught.value.fields
        session.rollback()
    assert session.exec(select(DiaryEntry)).all() == []


def test_side_effects_are_checked_and_urgent_ones_flag_the_worklist(
    session, injector, treat
):
    patient, treatment = treat()
    now = NOW + timedelta(days=4)
    _, diary = opened(session, injector, treatment.id, now=now)
    for data, field in (
        ({"effects": [], "day": "2026-03-04"}, "effects"),
        ({"effects": ["nonsense"], "day": "2026-03-04"}, "effects"),
        ({"effects": ["other"], "day": "2026-03-04"}, "other"),
    ):
        with pytest.raises(InvalidInput) as caught:
            entries.record_side_effect(session, diary, data, client=CLIENT, now=now)
        assert field in caught.value.fields
    entries.record_side_effect(
        session,
        diary,
        {"effects": ["eyelid_droop"], "day": "2026-03-04"},
        client=CLIENT,
        now=now,
    )
    urgent = entries.record_side_effect(
        session,
        diary,
        {"effects": ["difficulty_swallowing"], "day": "2026-03-05"},
        client=CLIENT,
        now=now + timedelta(minutes=1),
    )
    assert urgent.urgent
    assert urgent.needs_call
    worklist = build_worklist(session, today=date(2026, 3, 6), zone=ZONE, now=now)
    calls = worklist.diary.calls
    assert [c.urgent for c in calls] == [True, False]
    assert "It is hard to swallow" in calls[0].words
    assert calls[0].patient_id == patient.id
    handle_entry(session, injector, urgent.id, now=now)
    assert [c.urgent for c in diary_alerts(session).calls] == [False]


def test_the_weekly_check(session, injector, treat):
    _, treatment = treat()
    now = NOW + timedelta(days=21)
    _, diary = opened(session, injector, treatment.id, now=now)
    with pytest.raises(InvalidInput) as caught:
        entries.record_weekly(
            session, diary, {"face": "wonderful"}, client=CLIENT, now=now
        )
    assert "face" in caught.value.fields
    entry = entries.record_weekly(
        session, diary, {"face": "tighter"}, client=CLIENT, now=now
    )
    assert (entry.timepoint, entry.answers) == ("week 3", {"face": "tighter"})
    assert not entry.needs_call


SAQ = {f"q{n}": str(1 + n % 5) for n in range(1, 10)}


def test_the_saq_is_a_self_entered_assessment_of_the_cycle(session, injector, treat):
    _, treatment = treat()
    now = NOW + timedelta(days=14)
    _, diary = opened(session, injector, treatment.id, now=now)
    with pytest.raises(InvalidInput) as caught:
        entries.record_saq(
            session,
            diary,
            {**SAQ, "q3": "9", "when": "someday"},
            client=CLIENT,
            now=now,
        )
    assert {"q3", "when"} <= set(caught.value.fields)
    without = {key: value for key, value in SAQ.items() if key != "q9"}
    with pytest.raises(InvalidInput) as caught:
        entries.record_saq(
            session, diary, {**without, "when": "two_weeks"}, client=CLIENT, now=now
        )
    assert "q9" in caught.value.fields
    entry = entries.record_saq(
        session, diary, {**SAQ, "when": "two_weeks"}, client=CLIENT, now=now
    )
    assessment = session.get(Assessment, entry.assessment_id)
    assert assessment.self_entered
    assert (assessment.session_id, assessment.timepoint) == (treatment.id, "review")
    assert assessment.total == pytest.approx(
        sum(int(v) for v in SAQ.values()) / 45 * 100
    )
    assert entry.answers["when"] == "two_weeks"


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_reported_wear_off_moves_the_re_treatment_suggestion(
    session, injector, treat, product
):
    units = 4 if product == "botox" else 10
    start = NOW - timedelta(weeks=20)
    patient, first = treat(when=start, product=product, units=units)
    outcome_service.record_response(
        session, injector, first.id, {"wear_off_weeks": "15"}, now=NOW, zone=ZONE
    )
    _, current = treat(when=NOW, patient=patient, product=product, units=units)
    proposal = session.exec(
        select(Appointment).where(
            Appointment.source_session_id == current.id,
            Appointment.kind == "treatment",
        )
    ).one()
    assert proposal.due_date == date(2026, 5, 25)  # the window's start: 1 cycle known
    assert "Not enough history" in proposal.notes
    now = NOW + timedelta(weeks=15, days=1)
    _, diary = opened(session, injector, current.id, at=NOW, now=now)
    entries.record_wear_off(
        session, diary, {"day": "2026-06-15"}, client=CLIENT, now=now, zone=ZONE
    )
    session.refresh(proposal)
    assert proposal.due_date == date(2026, 6, 15)  # median of 15 and 15 weeks
    assert "median 15" in proposal.notes
    moved = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "appointment", AuditEvent.entity_id == proposal.id
        )
        .order_by(col(AuditEvent.id))
    ).all()[-1]
    assert moved.after["source"] == "patient_diary"
    bookings = diary_alerts(session).bookings
    assert [b.appointment_id for b in bookings] == [proposal.id]
    # Signing the next treatment settles the booking.
    treat(when=now, patient=patient, product=product, units=units)
    assert diary_alerts(session).bookings == []


def test_the_cycles_page_lists_diary_entries_by_cycle(session, injector, treat):
    patient, treatment = treat()
    now = NOW + timedelta(days=3)
    _, diary = opened(session, injector, treatment.id, now=now)
    entries.record_onset(session, diary, {"day": "2026-03-04"}, client=CLIENT, now=now)
    cycles = diary_by_cycle(session, patient.id, zone=ZONE)
    assert [(c.cycle, [r.words for r in c.rows]) for c in cycles] == [
        (1, ["First noticed the effect on 4 Mar 2026"])
    ]


def test_guessing_is_slowed_per_client(session, injector, treat):
    _, treatment = treat()
    token, _ = opened(session, injector, treatment.id)
    for _ in range(FREE_FAILURES):
        assert open_diary(session, "x" * 43, client=CLIENT, now=NOW, zone=ZONE) is None
    with pytest.raises(DiaryThrottled):
        open_diary(session, token, client=CLIENT, now=NOW, zone=ZONE)
    # Another client is not held up, and the wait passes.
    assert open_diary(session, token, client="198.51.100.1", now=NOW, zone=ZONE)
    later = NOW + timedelta(hours=2)
    assert open_diary(session, token, client=CLIENT, now=later, zone=ZONE)
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "login_failed")
    ).all()
    assert len(refused) == FREE_FAILURES
    assert all(event.entity_id is None for event in refused)


def test_a_flood_of_entries_is_refused_by_name(session, injector, treat):
    _, treatment = treat()
    now = NOW + timedelta(days=7)
    _, diary = opened(session, injector, treatment.id, now=now)
    for _ in range(entries.MAX_ENTRIES_PER_DAY):
        entries.record_weekly(session, diary, {"face": "same"}, client=CLIENT, now=now)
    with pytest.raises(InvalidInput) as caught:
        entries.record_weekly(session, diary, {"face": "same"}, client=CLIENT, now=now)
    assert "form" in caught.value.fields
    tomorrow = now + timedelta(days=1, minutes=1)
    assert entries.record_weekly(
        session, diary, {"face": "same"}, client=CLIENT, now=tomorrow
    )
