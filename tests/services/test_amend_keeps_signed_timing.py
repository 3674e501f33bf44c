"""Amending a signed top-up reads the timing settings it was signed under.

An amendment corrects doses only: never the session's day nor its product. So
a clinic setting moved after signing (Dysport's minimum interval, the review
window) must neither make the correction ask for a new timing reason
(``top_up_outside_cycle``, ``top_up_booster``) nor drop one the record gave.
Botox and Dysport, the setting lowered or raised between signing and amending.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services.audit import Actor
from tests.services.setting_steps import save_setting_at
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import CHIN
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import top_up

TIMING = {"top_up_outside_cycle", "top_up_booster", "top_up_early", "interval_short"}


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


@pytest.fixture
def set_setting(session, admin):
    def save(key, value, at):
        save_setting_at(session, admin, key, value, at)

    return save


def timing(warnings):
    return sorted((w["code"], w["message"]) for w in warnings if w["code"] in TIMING)


def amend(session, chair, signed, product, when):
    return amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Dose transcribed wrongly",
            "corrections": [{"site_id": chair.site.id, "units": CHIN[product] + 1}],
        },
        zone=LONDON,
        now=signed.signed_at + timedelta(days=3),
    )


# (cycle's full treatment, top-up, setting, its value at signing, after signing,
# the top-up's day, the timing warnings the record was signed with)
CASES = [
    # Dysport lowered 100 -> 70: day 90 would now be past the window.
    ("dysport", "dysport", "min_interval_days.dysport", 100, 70, 90, 1),
    # Dysport raised 70 -> 100: day 75 would now be a booster.
    ("dysport", "dysport", "min_interval_days.dysport", 70, 100, 75, 0),
    # A Dysport top-up in a Botox cycle, Dysport raised 70 -> 100: the booster
    # (Botox's 84 days held it) would now be worded by Dysport's interval.
    ("botox", "dysport", "min_interval_days.dysport", 70, 100, 75, 1),
    # A Botox top-up, the review window narrowed from day 21 to 17 after signing.
    ("botox", "botox", "review_tolerance_days", 7, 3, 20, 0),
]


@pytest.mark.parametrize(
    ("full", "product", "key", "signed_with", "moved_to", "day", "had"), CASES
)
def test_a_dose_correction_keeps_the_timing_the_record_was_signed_with(
    session,
    chair,
    set_setting,
    make_patient,
    full,
    product,
    key,
    signed_with,
    moved_to,
    day,
    had,
):
    set_setting(key, signed_with, at=DAY0 - timedelta(days=1))
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, full)
    when = DAY0 + timedelta(days=day)
    record, version = top_up(chair, patient, when, product)
    signed = chair.sign_with_reasons(record, version, when)
    assert len(timing(signed.warnings)) == had
    set_setting(key, moved_to, at=when + timedelta(days=1))

    # Nothing asked for: the correction raises no timing warning of its own...
    amendment = amend(session, chair, signed, product, when)
    # ...and keeps, word for word, those the record was signed with.
    assert timing(amendment.changes["warnings"]) == timing(signed.warnings)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_new_top_up_reads_the_setting_as_it_stands(
    chair, set_setting, make_patient, product
):
    """Only an amendment is held to its signing: a new chart reads today's."""
    key = "min_interval_days.dysport"
    set_setting(key, 100, at=DAY0 - timedelta(days=1))
    set_setting(key, 70, at=DAY0 + timedelta(days=1))
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, "dysport")
    when = DAY0 + timedelta(days=75)
    record, _ = top_up(chair, patient, when, product)
    codes = {w["code"] for w in chair.warnings(record, when)}
    # Dysport's 70 days and the clinic's 12 weeks: day 75 is a booster only
    # under Botox's own 84 days.
    assert ("top_up_booster" in codes) == (product == "botox")
