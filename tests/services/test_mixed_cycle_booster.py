"""A top-up of another product is held to the longer of the cycle's two
minimum intervals, on every path that makes or changes a top-up.

With Dysport's interval at 100 days (the clinic's setting), a Botox top-up on day
90 of a Dysport cycle is a booster under Dysport's interval; with Dysport's at 70
days, a Dysport top-up on day 75 of a Botox cycle is one under Botox's label's 84
days. Tap, dose change, template, signing and amendment; copy last cycle is
refused on a top-up, so it makes none. Each product is charted in its own units.
"""

from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart_prefill
from planner.services import protocols
from planner.services.audit import Actor
from tests.factories import ZONE
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.test_top_up_cycle_interval import set_dysport_interval
from tests.services.top_up_steps import CHIN
from tests.services.top_up_steps import codes_of
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import sign_by_tablet
from tests.services.top_up_steps import tablet_top_up
from tests.services.top_up_steps import top_up

BOOSTER = "top_up_booster"
LONGER = "in a cycle of two products the longer interval holds."
# (full treatment, top-up, Dysport's interval, the top-up's day, what holds it)
MIXED = [
    ("dysport", "botox", 100, 90, "Dysport (100 days)"),
    ("botox", "dysport", 70, 75, "Botox (84 days)"),
]


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def held_by(warning, held):
    """Check the booster names the full treatment's longer interval, in days."""
    brand, days = held.removesuffix(")").split(" (")
    assert (
        f"The cycle's full treatment was {brand}, whose minimum interval ({days})"
    ) in warning["message"]
    assert warning["message"].endswith(LONGER)
    assert f"{brand}'s minimum interval (the longer of the two" in warning["source"]


def mixed_top_up(chair, make_patient, full, product, day):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, full)
    when = DAY0 + timedelta(days=day)
    return patient, when


@pytest.mark.parametrize(("full", "product", "interval", "day", "held"), MIXED)
def test_tap_dose_change_sign_and_amend_hold_the_longer_interval(
    session, chair, admin, make_patient, full, product, interval, day, held
):
    set_dysport_interval(session, admin, interval)
    patient, when = mixed_top_up(chair, make_patient, full, product, day)
    record, version = top_up(chair, patient, when, product)
    (warning,) = codes_of(BOOSTER, chair.warnings(record, when))
    assert f"Top-up on day {day} of the cycle" in warning["message"]
    held_by(warning, held)

    version, _ = chair.change(
        record, chair.site.id, {"version": version, "units": CHIN[product] + 1}, when
    )
    assert codes_of(BOOSTER, chair.warnings(record, when)) == [warning]

    with pytest.raises(InvalidInput) as refused:
        chair.sign(record, version, when)
    assert f"reasons.{warning['key']}" in refused.value.fields
    signed = chair.sign_with_reasons(record, version, when)
    (kept,) = codes_of(BOOSTER, signed.warnings)
    assert kept["message"] == warning["message"]

    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Dose transcribed wrongly",
            "corrections": [{"site_id": chair.site.id, "units": CHIN[product]}],
        },
        zone=LONDON,
        now=when + timedelta(days=1),
    )
    (amended,) = codes_of(BOOSTER, amendment.changes["warnings"])
    assert amended["message"] == warning["message"]


@pytest.mark.parametrize(("full", "product", "interval", "day", "held"), MIXED)
def test_a_template_on_a_mixed_top_up_holds_the_longer_interval(
    session, chair, admin, make_patient, full, product, interval, day, held
):
    set_dysport_interval(session, admin, interval)
    template = protocols.create_template(
        session,
        admin,
        face_map=FACE_MAP,
        name=f"{product} chin",
        description=None,
        product=product,
        sites=[{"muscle": "mentalis", "role": "affected", "units": CHIN[product]}],
    )
    patient, when = mixed_top_up(chair, make_patient, full, product, day)
    record, version = chair.open(
        patient, when, product=product, kind="top_up", lot_number="T1"
    )
    chair.apply_template(record, version, template, when)
    (warning,) = codes_of(BOOSTER, chair.warnings(record, when))
    held_by(warning, held)


@pytest.mark.parametrize(("full", "product", "interval", "day", "held"), MIXED)
def test_copy_last_cycle_makes_no_top_up(
    session, chair, admin, make_patient, full, product, interval, day, held
):
    set_dysport_interval(session, admin, interval)
    patient, when = mixed_top_up(chair, make_patient, full, product, day)
    record, version = chair.open(
        patient, when, product=product, kind="top_up", lot_number="T1"
    )
    with pytest.raises(InvalidInput) as refused:
        chart_prefill.copy_last_cycle(
            session,
            chair.injector,
            record.id,
            {"version": version},
            now=when,
            zone=ZONE,
        )
    assert "copy" in refused.value.fields


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_same_product_cycle_keeps_its_own_interval_words(
    session, chair, admin, make_patient, product
):
    set_dysport_interval(session, admin, 100)
    patient, when = mixed_top_up(chair, make_patient, product, product, 80)
    record, _ = top_up(chair, patient, when, product)
    (warning,) = codes_of(BOOSTER, chair.warnings(record, when))
    assert LONGER not in warning["message"]


def test_the_tablets_botox_top_up_in_a_dysport_cycle_names_dysports_interval(
    session, injector, admin, login_as, make_patient
):
    """Through the pages and the chart API: Dysport given 90 days ago."""
    set_dysport_interval(session, admin, 100)
    patient = make_patient(affected_side="left")
    browser, session_id, state = tablet_top_up(
        session, injector, login_as, patient, "dysport", days=90, top_up_product="botox"
    )
    (warning,) = codes_of(BOOSTER, state["warnings"])
    held_by(warning, "Dysport (100 days)")
    refused = sign_by_tablet(browser, session_id)
    assert refused.status_code == 400
    assert f"reasons.{warning['key']}" in refused.json["fields"]
