"""Issue 13 scope 6: the injector enters a draft's treatment time; checks run at it."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.services import safety
from planner.services.treatment_time import set_treatment_time
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import SYDNEY
from tests.services.test_safety_paths import Chair
from tests.services.test_safety_paths import codes


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def enter_time(chair, record, version, performed_at, now):
    return set_treatment_time(
        chair.session,
        chair.injector,
        record.id,
        {"version": version, "performed_at": performed_at},
        zone=chair.zone,
        now=now,
    )


def test_a_time_entered_in_clinic_time_is_stored_in_utc_and_audited(
    session, injector, make_patient
):
    chair = Chair(session, injector, zone=SYDNEY)
    now = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # 11:00 in Sydney (summer time)
    record, version = chair.open(make_patient(), now)
    version = enter_time(chair, record, version, "2026-12-05T09:30", now)
    session.refresh(record)
    assert record.performed_at == datetime(2026, 12, 4, 22, 30, tzinfo=UTC)
    assert record.performed_at_confirmed
    assert version == 2
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "treatment_session",
            AuditEvent.entity_id == record.id,
            AuditEvent.action == "update",
        )
    ).one()
    assert event.after["performed_at"] == "2026-12-04T22:30:00+00:00"
    assert event.before["performed_at_confirmed"] is False
    # Entered by hand, the time no longer follows the clock.
    later = now + timedelta(hours=3)
    assert safety.treatment_time(record, later, SYDNEY) == record.performed_at


@pytest.mark.parametrize(
    ("entered", "why"),
    [
        ("2026-03-02T10:06", "must not be in the future"),
        ("2026-03-01T09:59", "must not be before the patient's previous signed"),
        ("", "performed_at"),
        ("yesterday", "performed_at"),
        # A wrong year, or the calendar's first day (found by the forms fuzz).
        ("2025-03-01T09:00", "within the last year"),
        ("0001-01-01T00:00", "within the last year"),
    ],
)
def test_a_bad_treatment_time_is_refused_by_field(
    session, chair, make_patient, entered, why
):
    patient = make_patient(affected_side="left")
    chair.given(patient, DAY0 - timedelta(days=1), [("mentalis", "left", 2)])
    record, version = chair.open(patient, DAY0)
    with pytest.raises(InvalidInput) as info:
        enter_time(chair, record, version, entered, DAY0)
    assert "performed_at" in info.value.fields
    assert why in f"performed_at {info.value.fields['performed_at']}"
    session.refresh(record)
    assert not record.performed_at_confirmed


def test_a_time_off_the_calendar_in_the_clinic_zone_is_a_field_error(
    session, injector, make_patient
):
    # 00:00 on 1 January of year 1 in Sydney is still in year 0 in UTC.
    chair = Chair(session, injector, zone=SYDNEY)
    record, version = chair.open(make_patient(), DAY0)
    with pytest.raises(InvalidInput) as info:
        enter_time(chair, record, version, "0001-01-01T00:00", DAY0)
    assert "within the last year" in info.value.fields["performed_at"]


def test_a_few_minutes_of_clock_drift_are_allowed(chair, make_patient):
    record, version = chair.open(make_patient(), DAY0)
    # 10:00 UTC is 10:00 in London in March (before the clocks go forward).
    enter_time(chair, record, version, "2026-03-02T10:04", DAY0)
    assert record.performed_at == DAY0 + timedelta(minutes=4)


def test_a_time_the_clocks_skipped_is_refused(chair, make_patient):
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    record, version = chair.open(make_patient(), now)
    with pytest.raises(InvalidInput) as info:
        enter_time(chair, record, version, "2026-03-29T01:30", now)
    assert "clocks went forward" in info.value.fields["performed_at"]


def test_a_signed_session_keeps_its_time(chair, make_patient):
    signed = chair.given(make_patient(), DAY0, [("mentalis", "left", 2)])
    with pytest.raises(Conflict):
        enter_time(chair, signed, signed.version, "2026-03-02T09:00", DAY0)
    # Even with a time that is not valid: the page has no time field to show it on.
    with pytest.raises(Conflict):
        enter_time(chair, signed, signed.version, "yesterday", DAY0)


def test_every_check_is_taken_at_the_time_entered(session, chair, make_patient):
    patient = make_patient(affected_side="left")
    chair.given(patient, DAY0, [("mentalis", "left", 2)])
    day86 = DAY0 + timedelta(days=86)
    record, version = chair.open(patient, day86)
    version, _ = chair.tap(record, version, "mentalis", "left", 2, day86)
    assert "interval_short" not in codes(chair.warnings(record, day86))
    # Charted afterwards: the treatment was given on day 80, 10:00 in London.
    version = enter_time(chair, record, version, "2026-05-21T11:00", day86)
    found = chair.warnings(record, day86)
    (interval,) = [w for w in found if w["code"] == "interval_short"]
    assert interval["message"].startswith("80 days since the last full treatment")
    signed = chair.sign_with_reasons(record, version, day86)
    day80 = DAY0 + timedelta(days=80)
    assert signed.performed_at.astimezone(UTC) == day80
    assert "interval_short" in [w["code"] for w in signed.warnings]


def test_a_draft_started_today_follows_the_clock_until_a_time_is_entered(
    chair, make_patient
):
    record, _ = chair.open(make_patient(), DAY0)
    later = DAY0 + timedelta(hours=2)
    assert safety.treatment_time(record, later, LONDON) == later
