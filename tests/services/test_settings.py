"""Clinic settings: ordering, validation by kind, locking, sources and the trail."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import delete
from sqlmodel import func
from sqlmodel import select

from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import Role
from planner.reference import MUSCLE_DOSES
from planner.services import reference_doses
from planner.services import settings as service
from planner.services.audit import Actor
from planner.services.catalogue import DEFAULT_SETTINGS

NOW = datetime(2026, 3, 3, 10, 30, tzinfo=UTC)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN, name="Dr Rosa Lind")
    return Actor(user_id=user.id, email=user.email, remote_addr="127.0.0.1")


def setting_events(session):
    session.expire_all()
    return session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "clinic_setting")
    ).all()


def test_list_puts_scheduling_first_then_doses_from_brow_to_neck(session):
    keys = [setting.key for setting in service.list_settings(session)]
    scheduling = [key for key, *_ in DEFAULT_SETTINGS]
    doses = [f"dose.{dose.muscle}" for dose in MUSCLE_DOSES]
    assert keys == scheduling + doses
    assert doses[0] == "dose.frontalis"
    assert doses[-1] == "dose.platysma"


def test_get_setting_value_falls_back_to_the_default(session):
    assert service.get_setting_value(session, "review_day", 99) == 14
    assert service.get_setting_value(session, "no_such_setting", 99) == 99


def test_edit_becomes_an_unsourced_clinic_setting_and_keeps_the_source_in_the_trail(
    session, admin
):
    original = session.get(ClinicSetting, "review_day")
    assert not original.unsourced
    source = original.source

    saved = service.update_setting(
        session, admin, "review_day", "21", version=1, now=NOW
    )

    assert saved.value == 21
    assert saved.version == 2
    assert saved.unsourced
    assert saved.source == "Clinic setting (edited 3 Mar 2026 by Dr Rosa Lind)"
    assert saved.updated_by_id == admin.user_id
    (event,) = setting_events(session)
    assert event.action == "update"
    assert event.actor_id == admin.user_id
    assert event.before["key"] == event.after["key"] == "review_day"
    assert event.before["value"] == 14
    assert event.after["value"] == 21
    assert event.before["source"] == source
    assert event.before["unsourced"] is False
    assert event.after["unsourced"] is True


def test_dose_edit_is_stored_as_numbers_and_reaches_the_chart_lookups(session, admin):
    service.update_setting(
        session,
        admin,
        "dose.corrugator",
        {"low": "2.5", "default": "3.25", "high": "6"},
        version="1",
        now=NOW,
    )
    setting = session.get(ClinicSetting, "dose.corrugator")
    assert setting.value == {"low": 2.5, "high": 6.0, "default": 3.25}
    reference = reference_doses.dose_ranges(session)["corrugator"]
    assert reference == (2.5, 6.0, 3.25, setting.source, True)
    assert reference.source.startswith("Clinic setting (edited 3 Mar 2026")
    assert reference_doses.dose_default(session, "corrugator") == 3.25
    (event,) = setting_events(session)
    assert "[S22]" in event.before["source"]
    assert event.before["value"] == {"low": 2, "high": 4, "default": 4}


def test_dose_ranges_carry_the_reference_sources_until_edited(session):
    ranges = reference_doses.dose_ranges(session)
    assert set(ranges) == {dose.muscle for dose in MUSCLE_DOSES}
    upper = ranges["orbicularis_oculi_pretarsal_upper"]
    assert upper == (
        1.25,
        2.5,
        1.25,
        "[S20] blepharospasm label: 1.25–2.5 U per site",
        False,
    )
    assert ranges["zygomaticus_major"].unsourced


@pytest.mark.audit_exempt(
    "deletes a dose setting directly to show the shipped fallback",
    tables=["clinic_setting"],
)
def test_dose_lookups_fall_back_to_the_shipped_reference(session):
    session.exec(delete(ClinicSetting).where(ClinicSetting.key == "dose.mentalis"))
    session.commit()
    assert reference_doses.dose_ranges(session)["mentalis"][:3] == (2.0, 3.0, 2.0)
    assert reference_doses.dose_default(session, "mentalis") == 2.0
    with pytest.raises(NotFound):
        reference_doses.dose_default(session, "gluteus_maximus")


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("review_day", "6", "must be between 7 and 28 days"),
        ("review_day", "29", "must be between 7 and 28 days"),
        ("review_day", "14.5", "must be a whole number"),
        ("review_day", "two weeks", "must be a number"),
        ("review_day", "", "is required"),
        ("review_day", True, "must be a number"),
        ("review_day", "nan", "must be a number"),
        ("review_tolerance_days", "-1", "must be between 0 and 7 days"),
        ("review_tolerance_days", "8", "must be between 0 and 7 days"),
        ("retreat_window_start_weeks", "11", "must be between 12 and 24 weeks"),
        ("retreat_window_start_weeks", "25", "must be between 12 and 24 weeks"),
        ("retreat_window_end_weeks", "31", "must be between 12 and 30 weeks"),
        ("reminder_days_before", "15", "must be between 0 and 14 days"),
        ("dose_change_reason_share", "0.04", "must be between 0.05 and 2"),
        ("dose_change_reason_share", "2.5", "must be between 0.05 and 2"),
    ],
)
def test_scalar_settings_are_bounded(session, admin, key, raw, message):
    with pytest.raises(InvalidInput) as info:
        service.update_setting(session, admin, key, raw, version=1)
    assert info.value.fields == {"value": message}
    assert setting_events(session) == []


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("review_day", "7", 7),
        ("review_day", 28, 28),
        ("review_tolerance_days", "0", 0),
        ("retreat_window_end_weeks", "30", 30),
        ("reminder_days_before", " 14 ", 14),
        ("dose_change_reason_share", "0.05", 0.05),
        ("dose_change_reason_share", 2, 2.0),
    ],
)
def test_scalar_bounds_are_inclusive(session, admin, key, raw, stored):
    saved = service.update_setting(session, admin, key, raw, version=1)
    assert saved.value == stored
    if isinstance(stored, int):
        assert type(saved.value) is int


def test_window_cannot_close_before_it_opens(session, admin):
    with pytest.raises(InvalidInput) as info:
        service.update_setting(
            session, admin, "retreat_window_start_weeks", 17, version=1
        )
    assert info.value.fields == {
        "value": "must not be after the window closes (16 weeks)"
    }
    service.update_setting(session, admin, "retreat_window_start_weeks", 14, version=1)
    with pytest.raises(InvalidInput) as info:
        service.update_setting(
            session, admin, "retreat_window_end_weeks", 13, version=1
        )
    assert info.value.fields == {
        "value": "must not be before the window opens (14 weeks)"
    }
    saved = service.update_setting(
        session, admin, "retreat_window_start_weeks", 16, version=2
    )
    assert saved.value == 16


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (
            {"low": "0", "default": "1", "high": "2"},
            {"value.low": "must be more than 0 and at most 100 units"},
        ),
        (
            {"low": "1", "default": "1", "high": "100.25"},
            {"value.high": "must be more than 0 and at most 100 units"},
        ),
        (
            {"low": "1", "default": "1.1", "high": "2"},
            {"value.default": "must be in steps of 0.25 units"},
        ),
        (
            {"low": "1", "default": "abc", "high": "2"},
            {"value.default": "must be a number"},
        ),
        ({"low": "", "default": "1", "high": "2"}, {"value.low": "is required"}),
        ({"low": "1", "high": "2"}, {"value.default": "is required"}),
        (
            {"low": "3", "default": "3", "high": "2"},
            {"value.high": "must not be less than the low end"},
        ),
        (
            {"low": "1", "default": "3", "high": "2"},
            {"value.default": "must lie between the low and high ends"},
        ),
        (
            {"low": "2", "default": "1", "high": "3"},
            {"value.default": "must lie between the low and high ends"},
        ),
        (
            {"low": "1", "default": "1", "high": "2", "max": "9"},
            {"value.max": "is not a field this form accepts"},
        ),
        ("4", {"value": "must give the low, high and default doses"}),
    ],
)
def test_dose_settings_name_the_failing_part(session, admin, raw, fields):
    with pytest.raises(InvalidInput) as info:
        service.update_setting(session, admin, "dose.frontalis", raw, version=1)
    assert info.value.fields == fields
    assert session.get(ClinicSetting, "dose.frontalis").version == 1


def test_dose_bounds_are_inclusive(session, admin):
    saved = service.update_setting(
        session,
        admin,
        "dose.platysma",
        {"low": 0.25, "default": 0.25, "high": 100},
        version=1,
    )
    assert saved.value == {"low": 0.25, "high": 100.0, "default": 0.25}


def test_stale_version_is_refused_and_keeps_the_first_edit(session, admin):
    service.update_setting(session, admin, "review_day", 10, version=1)
    with pytest.raises(StaleWrite):
        service.update_setting(session, admin, "review_day", 20, version=1)
    session.expire_all()
    setting = session.get(ClinicSetting, "review_day")
    assert (setting.value, setting.version) == (10, 2)
    assert len(setting_events(session)) == 1


@pytest.mark.parametrize("version", ["", "x", "0", None])
def test_missing_version_is_named(session, admin, version):
    with pytest.raises(InvalidInput) as info:
        service.update_setting(session, admin, "review_day", 10, version=version)
    assert set(info.value.fields) == {"version"}


def test_saving_the_same_value_changes_nothing(session, admin):
    unchanged = service.update_setting(
        session,
        admin,
        "dose.orbicularis_oculi_pretarsal_upper",
        {"low": "1.25", "default": "1.25", "high": "2.50"},
        version=1,
    )
    assert unchanged.version == 1
    assert not unchanged.unsourced
    assert unchanged.source.startswith("[S20]")
    assert setting_events(session) == []


def test_unknown_setting_is_not_found(session, admin):
    with pytest.raises(NotFound):
        service.update_setting(session, admin, "dose.nose_hair", {}, version=1)


@pytest.mark.audit_exempt(
    "stores a setting the editor has no rule for directly",
    tables=["clinic_setting"],
)
def test_a_setting_without_a_rule_cannot_be_edited(session, admin):
    session.add(ClinicSetting(key="mystery", value=1, label="Mystery"))
    session.commit()
    with pytest.raises(InvalidInput, match="cannot be edited here"):
        service.update_setting(session, admin, "mystery", 2, version=1)


def test_the_editor_is_named_by_email_when_not_a_user(session):
    actor = Actor(user_id=None, email="script@example.org")
    saved = service.update_setting(session, actor, "review_day", 15, version=1, now=NOW)
    assert saved.source == "Clinic setting (edited 3 Mar 2026 by script@example.org)"
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() >= 1


def test_shipped_sources_cover_every_seeded_setting(session):
    sources = service.shipped_sources()
    assert set(sources) == {setting.key for setting in service.list_settings(session)}
    assert sources["dose_change_reason_share"] is None
