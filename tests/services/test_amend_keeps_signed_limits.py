"""Amending a signed record reads the dose limits it was signed under.

An amendment corrects doses; its timing settings were already those at signing
(``test_amend_keeps_signed_timing``). So are its dose limits now: a product's
limits from the dose limits page (``limit.<product>.…``) and Botox's reference
doses (``dose.<muscle>``). A limit lowered after signing raises no warning the
record never had; one raised after signing does not drop one it gave. Today's
chart reads today's limits. Botox and Dysport, each product in its own units.

Site 1 (mentalis, left) is the one the limit is about; the amendment corrects
site 2 (mentalis, right), which no limit here is about.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services.audit import Actor
from tests.services.setting_steps import save_limits_at
from tests.services.setting_steps import save_setting_at
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair

# Site 1's dose, and site 2's before and after the correction, in each product's
# own units.
SITE_1 = {"botox": 3, "dysport": 5}
SITE_2 = {"botox": (2, 2.25), "dysport": (3, 3.5)}
REFERENCE = "dose.mentalis"
BEFORE = DAY0 - timedelta(days=1)
AFTER = DAY0 + timedelta(days=1)
AMENDED = DAY0 + timedelta(days=3)


def reference(high):
    return {"low": 2, "high": high, "default": 2}


# (product, the figure, its value at signing (None: as shipped), after signing,
# the warning it gives site 1)
LOWERED = [
    # Botox's per-point figure is its reference dose: 3 U shipped, then 2.5.
    ("botox", REFERENCE, None, reference(2.5), "dose_above_point_limit"),
    # Botox's ceiling for any one site: 10 U shipped, then 2.5.
    ("botox", "site", None, "2.5", "dose_above_site_ceiling"),
    # Dysport has no per-point figure for the mentalis; the clinic sets 4 U.
    ("dysport", "point.mentalis.high", None, "4", "dose_above_point_limit"),
    # Dysport's site ceiling, the clinic's 20 U at signing, then 4.
    ("dysport", "site", "20", "4", "dose_above_site_ceiling"),
]
RAISED = [
    ("botox", REFERENCE, reference(2.5), reference(4), "dose_above_point_limit"),
    # Cleared: the shipped 10 U stands again.
    ("botox", "site", "2.5", "", "dose_above_site_ceiling"),
    # Cleared: no per-point figure for the mentalis again.
    ("dysport", "point.mentalis.high", "4", "", "dose_above_point_limit"),
    ("dysport", "site", "4", "30", "dose_above_site_ceiling"),
]


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def limit_setter(session, make_user):
    """Return a function saving one figure as a new admin, on the test's clock."""
    user = make_user(Role.ADMIN)
    admin = Actor(user.id, user.email)

    def save(product, figure, value, at):
        if figure == REFERENCE:
            save_setting_at(session, admin, figure, value, at)
        else:
            save_limits_at(session, admin, product, at, **{figure: value})

    return save


@pytest.fixture
def set_limit(session, make_user):
    return limit_setter(session, make_user)


def about(code, warnings):
    """Return the warnings of one code, as the record words and sources them."""
    return [
        (w["key"], w["message"], w["source"]) for w in warnings if w["code"] == code
    ]


def sign(chair, make_patient, product):
    """Sign a chart of two mentalis sites on DAY0; return it and site 2."""
    record, version = chair.open(make_patient(), DAY0, product=product)
    version, _ = chair.tap(record, version, "mentalis", "left", SITE_1[product])
    version, site_2 = chair.tap(
        record, version, "mentalis", "right", SITE_2[product][0]
    )
    return chair.sign_with_reasons(record, version, DAY0), site_2


def amend(session, chair, signed, site_2, product):
    return amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Site 2's dose transcribed wrongly",
            "corrections": [{"site_id": site_2.id, "units": SITE_2[product][1]}],
        },
        zone=LONDON,
        now=AMENDED,
    )


def today(chair, make_patient, product):
    """Return the warnings of a new chart with site 1's dose, charted today."""
    record, version = chair.open(make_patient(), AMENDED, product=product)
    chair.tap(record, version, "mentalis", "left", SITE_1[product], AMENDED)
    return chair.warnings(record, AMENDED)


@pytest.mark.parametrize(
    ("product", "figure", "signed_with", "moved_to", "code"), LOWERED
)
def test_a_limit_lowered_after_signing_raises_no_warning_on_amendment(
    session,
    chair,
    set_limit,
    make_patient,
    product,
    figure,
    signed_with,
    moved_to,
    code,
):
    if signed_with is not None:
        set_limit(product, figure, signed_with, BEFORE)
    signed, site_2 = sign(chair, make_patient, product)
    assert about(code, signed.warnings) == []
    set_limit(product, figure, moved_to, AFTER)

    # No reason asked for: the record's limits did not warn...
    amendment = amend(session, chair, signed, site_2, product)
    assert about(code, amendment.changes["warnings"]) == []
    # ...while today's chart, with today's limits, does.
    assert about(code, today(chair, make_patient, product))


@pytest.mark.parametrize(
    ("product", "figure", "signed_with", "moved_to", "code"), RAISED
)
def test_a_limit_raised_after_signing_keeps_its_warning_on_amendment(
    session,
    chair,
    set_limit,
    make_patient,
    product,
    figure,
    signed_with,
    moved_to,
    code,
):
    set_limit(product, figure, signed_with, BEFORE)
    signed, site_2 = sign(chair, make_patient, product)
    given = about(code, signed.warnings)
    assert len(given) == 1
    set_limit(product, figure, moved_to, AFTER)

    # The amendment keeps the warning word for word, its source the edit it was
    # signed under...
    amendment = amend(session, chair, signed, site_2, product)
    assert about(code, amendment.changes["warnings"]) == given
    # ...while today's chart, with today's limits, gives none.
    assert about(code, today(chair, make_patient, product)) == []
