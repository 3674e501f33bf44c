"""Issue 13 scope 1: each product's dose limits, edited by an admin per product."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import Role
from planner.services import dose_rules
from planner.services import limit_settings
from planner.services.audit import Actor
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair
from tests.services.test_safety_paths import codes

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def page_form(session, code):
    """The form as the page fills it in: every editable figure as shown."""
    limits = limit_settings.product_limits(session, code)
    figures = [*limits.ceilings, *limits.groups]
    for row in limits.muscles:
        figures += [row.low, row.high, row.per_side]
    form = {
        f.name: "" if f.value is None else f"{f.value:g}" for f in figures if f.editable
    }
    return {**form, "stamp": limits.stamp}


def save(db, admin, code, **changes):
    """Save the page as shown, with ``changes`` typed in (a field may be "session")."""
    form = page_form(db, code)
    return limit_settings.save_product_limits(
        db, admin, code, {**form, **changes}, stamp=form["stamp"], now=NOW
    )


def test_the_page_shows_sourced_figures_and_clinic_settings(session):
    limits = limit_settings.product_limits(session, "dysport")
    site = limits.ceilings[0]
    assert (site.name, site.value, site.clinic_setting) == ("site", 25, True)
    corrugator = next(r for r in limits.muscles if r.muscle == "corrugator")
    assert (corrugator.high.value, corrugator.high.clinic_setting) == (10, False)
    assert corrugator.high.source.startswith("[S23] Dysport label")
    mentalis = next(r for r in limits.muscles if r.muscle == "mentalis")
    assert (mentalis.high.value, mentalis.per_side.value) == (None, None)


def test_saving_the_page_unchanged_changes_nothing(session, admin):
    assert save(session, admin, "dysport") == 0
    assert save(session, admin, "botox") == 0
    assert not session.exec(
        select(ClinicSetting).where(ClinicSetting.key.startswith("limit."))
    ).all()


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_an_edited_ceiling_is_the_one_the_chair_checks(
    session, admin, injector, make_patient, code
):
    assert save(session, admin, code, site="6", **{"muscle_side.mentalis": "7"}) == 2
    doses = dose_rules.product_doses(session, code)
    assert doses.site_ceiling.high == 6
    assert doses.site_ceiling.label.startswith("Clinic setting (edited 5 Dec 2026")
    assert doses.per_muscle_side["mentalis"].high == 7
    chair = Chair(session, injector)
    record, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    version, _ = chair.tap(record, version, "mentalis", "left", 6)
    assert "dose_above_site_ceiling" not in codes(chair.warnings(record, DAY0))
    chair.tap(record, version, "mentalis", "left", 1.25)
    found = {w["code"]: w for w in chair.warnings(record, DAY0)}
    assert "(clinic setting)" in found["muscle_above_limit"]["message"]


def test_a_sourced_figure_overridden_is_marked_and_restored_by_clearing(session, admin):
    save(session, admin, "dysport", **{"point.corrugator.high": "8"})
    limits = limit_settings.product_limits(session, "dysport")
    corrugator = next(r for r in limits.muscles if r.muscle == "corrugator")
    assert (corrugator.high.value, corrugator.high.clinic_setting) == (8, True)
    assert corrugator.high.replaces.startswith("10: [S23] Dysport label")
    assert (
        dose_rules.product_doses(session, "dysport").per_point["corrugator"].high == 8
    )
    save(session, admin, "dysport", **{"point.corrugator.high": ""})
    restored = dose_rules.product_doses(session, "dysport").per_point["corrugator"]
    assert (restored.high, restored.clinic_setting) == (10, False)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "clinic_setting")
    ).all()
    key = "limit.dysport.point.corrugator"
    assert [(e.before[key], e.after[key]) for e in events] == [
        (None, {"low": None, "high": 8.0}),
        ({"low": None, "high": 8.0}, None),
    ]


def test_a_per_point_range_for_a_muscle_with_none_shipped(session, admin):
    save(
        session,
        admin,
        "xeomin",
        **{"point.mentalis.low": "1", "point.mentalis.high": "3"},
    )
    limits = limit_settings.product_limits(session, "xeomin")
    mentalis = next(r for r in limits.muscles if r.muscle == "mentalis")
    assert (mentalis.low.value, mentalis.high.value) == (1, 3)
    assert mentalis.high.clinic_setting
    assert dose_rules.product_doses(session, "xeomin").per_point["mentalis"].high == 3


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"site": "-5"}, "site", "must be more than 0"),
        ({"site": "lots"}, "site", "must be a number"),
        ({"site": "nan"}, "site", "must be a number"),
        ({"session": "9000"}, "session", "must be at most 5000 units"),
        ({"site": "300"}, "site", "must not be more than the session ceiling (250)"),
        (
            {"point.mentalis.low": "4", "point.mentalis.high": "2"},
            "point.mentalis.low",
            "must not be more than the high end (2)",
        ),
        ({"point.mentalis.low": "4"}, "point.mentalis.high", "is needed with a low"),
        ({"muscle_side.platysma": "0"}, "muscle_side.platysma", "more than 0"),
    ],
)
def test_bad_figures_are_refused_by_field(session, admin, changes, field, why):
    with pytest.raises(InvalidInput) as info:
        save(session, admin, "dysport", **changes)
    assert why in info.value.fields[field]
    assert dose_rules.product_doses(session, "dysport").site_ceiling.high == 25


def test_a_stale_page_is_refused(session, admin):
    form = page_form(session, "dysport")
    save(session, admin, "dysport", site="20")
    with pytest.raises(StaleWrite):
        limit_settings.save_product_limits(
            session, admin, "dysport", {**form, "site": "22"}, stamp=form["stamp"]
        )


def test_botox_per_point_ranges_are_its_reference_doses_and_not_edited_here(
    session, admin
):
    limits = limit_settings.product_limits(session, "botox")
    mentalis = next(r for r in limits.muscles if r.muscle == "mentalis")
    assert (mentalis.low.editable, mentalis.high.editable) == (False, False)
    assert mentalis.high.value == 3
    save(session, admin, "botox", **{"point.mentalis.high": "9"})
    assert dose_rules.product_doses(session, "botox").per_point["mentalis"].high == 3
