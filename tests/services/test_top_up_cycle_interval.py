"""A top-up's cycle ends where its full treatment's re-treatment window opens.

That window opens on the clinic's opening day (12 weeks as shipped) or on the full
treatment's product's own minimum interval, whichever is later
(``scheduling.retreatment_opens_day``, read as the chair's ``interval_short``
reads the product: for Dysport the clinic's setting). Opening a top-up, and the
chair's ``top_up_outside_cycle`` and ``top_up_booster`` at tap, at signing and on
an amendment, all end the cycle there: with Dysport's interval at 100 days a
top-up on day 90 is still the cycle's, since a full treatment that day would be
under the interval. A top-up in another product than its full treatment belongs
to the full treatment's cycle; its units are never added to that treatment's.
"""

from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services.audit import Actor
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from tests.services.setting_steps import save_setting_at
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import CHIN
from tests.services.top_up_steps import codes_of
from tests.services.top_up_steps import cycle_and_top_up
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import top_up

KEY = "min_interval_days.dysport"
OUTSIDE = "top_up_outside_cycle"
BOOSTER = "top_up_booster"


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def set_dysport_interval(session, admin, days, when=DAY0 - timedelta(days=1)):
    save_setting_at(session, admin, KEY, days, when)


def codes(warnings):
    return {w["code"] for w in warnings}


# (full treatment's product, Dysport's interval, the last day a top-up joins its
# cycle): Botox keeps its label's 84 days; Dysport at 70 days keeps the clinic's
# 12-week opening; Dysport at 100 days keeps its cycle open to day 99.
CYCLE_ENDS = [("botox", 100, 83), ("dysport", 70, 83), ("dysport", 100, 99)]
# Why the window opens that day, in the chair's interval_short words: the
# product's interval (Botox's label, Dysport's clinic setting), or the clinic's
# opening day where that is later.
WHY = {
    ("botox", 100): "at the minimum interval of the cycle's full treatment: "
    "Botox should be given at least 84 days (12 weeks) apart.",
    ("dysport", 70): "at 12 weeks (the clinic's setting), later than the minimum "
    "interval of the cycle's full treatment: the clinic's setting is at least 70 "
    "days (10 weeks) between Dysport treatments "
    "(no source gives Dysport an interval).",
    ("dysport", 100): "at the minimum interval of the cycle's full treatment: the "
    "clinic's setting is at least 100 days (14.29 weeks) between Dysport treatments "
    "(no source gives Dysport an interval).",
}


@pytest.mark.parametrize(("product", "interval", "last_day"), CYCLE_ENDS)
def test_a_top_up_opens_until_the_full_treatments_window_opens(
    session, chair, admin, make_patient, product, interval, last_day
):
    set_dysport_interval(session, admin, interval)
    last = DAY0 + timedelta(days=last_day)
    record, _ = cycle_and_top_up(chair, make_patient, product, last)
    assert OUTSIDE not in codes(chair.warnings(record, last))

    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    opens = DAY0 + timedelta(days=last_day + 1)
    with pytest.raises(InvalidInput) as refused:
        chair.open(patient, opens, product=product, kind="top_up", lot_number="T2")
    assert f"its re-treatment window opened on day {last_day + 1}" in str(refused.value)
    assert str(refused.value).endswith(f"It opens {WHY[product, interval]}")
    # The desk's form shows the field alone, so it says the day and why, unclipped.
    assert refused.value.fields["kind"] == (
        "a top-up cannot join the cycle: its re-treatment window opened on day "
        f"{last_day + 1}. It opens {WHY[product, interval]}"
    )
    # The day a top-up is refused as a new full treatment, a full treatment is
    # not under the interval: the chair never says both.
    record, version = chair.open(patient, opens, product=product, lot_number="F2")
    chair.tap(record, version, "mentalis", "left", CHIN[product], opens)
    assert "interval_short" not in codes(chair.warnings(record, opens))


def test_a_dysport_top_up_on_day_95_is_a_booster_at_tap_sign_and_amendment(
    session, chair, admin, make_patient
):
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, "dysport")
    day95 = DAY0 + timedelta(days=95)
    record, version = top_up(chair, patient, day95, "dysport")

    at_tap = chair.warnings(record, day95)
    assert OUTSIDE not in codes(at_tap)
    (warning,) = codes_of(BOOSTER, at_tap)
    assert (
        "Top-up on day 95 of the cycle that began on 2 Mar 2026" in (warning["message"])
    )
    assert "at least 100 days" in warning["message"]

    signed = chair.sign_with_reasons(record, version, day95)
    assert OUTSIDE not in codes(signed.warnings)
    assert [w["code"] for w in codes_of(BOOSTER, signed.warnings)] == [BOOSTER]

    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Dose transcribed wrongly",
            "corrections": [{"site_id": chair.site.id, "units": CHIN["dysport"] - 1}],
        },
        zone=LONDON,
        now=day95 + timedelta(days=1),
    )
    assert OUTSIDE not in codes(amendment.changes["warnings"])
    assert [w["code"] for w in codes_of(BOOSTER, amendment.changes["warnings"])] == [
        BOOSTER
    ]


def test_the_chair_reads_dysports_interval_as_it_stands(
    session, chair, admin, make_patient
):
    """A draft top-up opened on day 95 leaves its cycle once the interval drops."""
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, "dysport")
    day95 = DAY0 + timedelta(days=95)
    record, version = top_up(chair, patient, day95, "dysport")
    set_dysport_interval(session, admin, 70, when=day95)

    (warning,) = codes_of(OUTSIDE, chair.warnings(record, day95))
    assert "its re-treatment window opened on day 84" in warning["message"]
    assert warning["message"].endswith(f"It opens {WHY['dysport', 70]}")
    assert BOOSTER not in codes(chair.warnings(record, day95))
    with pytest.raises(InvalidInput) as refused:
        chair.sign(record, version, day95)
    assert f"reasons.{warning['key']}" in refused.value.fields


def test_another_products_top_up_joins_the_dysport_cycle_in_its_own_units(
    session, chair, admin, make_patient
):
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    # A Dysport dose far above Botox's figures for the chin: were its units
    # added to the Botox top-up's, the top-up would be above its limits.
    chair.given(patient, DAY0, [("mentalis", "left", 40)], product="dysport")
    day90 = DAY0 + timedelta(days=90)
    record, version = top_up(chair, patient, day90, "botox")

    found = chair.warnings(record, day90)
    assert OUTSIDE not in codes(found)
    assert not codes(found) & {
        "muscle_above_limit",
        "side_above_ceiling",
        "session_above_ceiling",
    }
    signed = chair.sign_with_reasons(record, version, day90)
    assert OUTSIDE not in codes(signed.warnings)
    assert signed.cycle_session_id is not None


def test_a_dysport_top_up_in_a_botox_cycle_ends_with_the_botox_window(
    session, chair, admin, make_patient
):
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, "botox")
    day90 = DAY0 + timedelta(days=90)
    with pytest.raises(InvalidInput) as refused:
        chair.open(patient, day90, product="dysport", kind="top_up", lot_number="T1")
    assert "its re-treatment window opened on day 84" in str(refused.value)
    # The Botox cycle's window, in Botox's words: never Dysport's interval.
    assert str(refused.value).endswith(f"It opens {WHY['botox', 100]}")


# Where the window's interval comes from, as the chair's warning sources it: the
# label's tag for Botox, the clinic's setting (so labelled) for Dysport.
INTERVAL_FROM = {
    "botox": "Botox's minimum interval: [S20] Botox label",
    "dysport": "Dysport's minimum interval: Clinic setting (",
}


def set_opening_weeks(session, admin, weeks, when):
    key = "retreat_window_start_weeks"
    update_setting(
        session,
        admin,
        key,
        str(weeks),
        version=get_setting(session, key).version,
        now=when,
        zone=LONDON,
    )


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_top_up_past_its_window_sources_the_full_treatments_interval(
    session, chair, admin, make_patient, product
):
    """A draft top-up on day 90 leaves its cycle once the clinic's opening moves
    from 14 weeks back to 12: the window opens at the product's interval."""
    set_opening_weeks(session, admin, 14, DAY0 - timedelta(days=1))
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day90 = DAY0 + timedelta(days=90)
    record, _ = top_up(chair, patient, day90, product)
    assert OUTSIDE not in codes(chair.warnings(record, day90))
    set_opening_weeks(session, admin, 12, day90)

    (warning,) = codes_of(OUTSIDE, chair.warnings(record, day90))
    assert warning["source"].startswith("Re-treatment window: Clinic setting")
    assert INTERVAL_FROM[product] in warning["source"]
