"""An amendment weighs the patient's history as it stood at signing.

A dose correction changes neither the session's day nor its product, so what
its timing checks count (the last full treatment, the cycle a top-up is in, the
rolling window's doses, toxin given elsewhere) must be what was on record when
the session was signed. An earlier treatment charted late, or toxin given
elsewhere recorded after signing, was not there to be weighed: the correction
asks no new reason for it. One on record at signing keeps its warning, and a
chart checked today reads everything. Botox and Dysport, each in its own units.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Product
from planner.services import amendments as amendment_service
from planner.services import outside_toxin
from planner.services import safety
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import CHIN
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import top_up

PRODUCTS = ["botox", "dysport"]
TIMING = {
    "interval_short",
    "top_up_outside_cycle",
    "top_up_booster",
    "top_up_early",
    "recent_exposure",
    "cap_exceeded",
    "cap_near",
}
# 40 days after a full treatment: short of every product's minimum interval.
GAP = timedelta(days=40)


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def timing(warnings):
    return sorted(w["code"] for w in warnings if w["code"] in TIMING)


def amend(session, chair, signed, product, now):
    """Correct the signed session's one site by a unit of its own product."""
    site = session.exec(
        select(InjectionSite).where(InjectionSite.session_id == signed.id)
    ).one()
    return amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Dose transcribed wrongly",
            "corrections": [{"site_id": site.id, "units": CHIN[product] + 1}],
        },
        zone=LONDON,
        now=now,
    )


def checked_today(session, record, now):
    """The checks a chart runs today (no amendment): every session on record."""
    found = safety.check_chart(session, record, zone=LONDON, now=now)
    return timing(safety.as_records(found))


def give_elsewhere(session, chair, patient, product, on, recorded_at):
    """Record a full dose of ``product`` given elsewhere on ``on``, recorded then."""
    product_id = session.exec(select(Product.id).where(Product.code == product)).one()
    outside_toxin.add_outside_treatment(
        session,
        chair.injector,
        patient.id,
        {
            "given_on": on.date().isoformat(),
            "product_id": str(product_id),
            "units": str(CHIN[product] * 20),
            "indication": "Glabellar lines",
            "place": "City Skin Clinic",
        },
        today=recorded_at.date(),
        now=recorded_at,
    )


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_earlier_treatment_signed_after_asks_the_amendment_no_reason(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    # Day 0's treatment is charted but left unsigned...
    early, version = chair.open(patient, DAY0, product=product)
    version, _ = chair.tap(early, version, "mentalis", "left", CHIN[product], DAY0)
    # ...day 40's is signed with nothing before it on record...
    later = chair.given(
        patient, DAY0 + GAP, [("mentalis", "left", CHIN[product])], product=product
    )
    assert "interval_short" not in timing(later.warnings)
    # ...then day 0's is signed, five days later.
    chair.sign_with_reasons(early, version, DAY0 + GAP + timedelta(days=5))
    now = DAY0 + GAP + timedelta(days=6)

    # The correction asks no reason for a treatment not on record at signing...
    amendment = amend(session, chair, later, product, now)
    assert "interval_short" not in timing(amendment.changes["warnings"])
    # ...while a chart checked today counts it.
    assert "interval_short" in checked_today(session, later, now)


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_earlier_treatment_signed_before_keeps_its_warning(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    later = chair.given(
        patient, DAY0 + GAP, [("mentalis", "left", CHIN[product])], product=product
    )
    assert "interval_short" in timing(later.warnings)

    amendment = amend(session, chair, later, product, DAY0 + GAP + timedelta(days=6))
    assert timing(amendment.changes["warnings"]) == timing(later.warnings)


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("recorded", ["before", "after"])
def test_toxin_given_elsewhere_counts_if_recorded_by_signing(
    session, chair, make_patient, product, recorded
):
    patient = make_patient(affected_side="left")
    signing = DAY0 + GAP
    stamp = signing - timedelta(hours=1)
    if recorded == "before":
        give_elsewhere(session, chair, patient, product, DAY0, stamp)
    later = chair.given(
        patient, signing, [("mentalis", "left", CHIN[product])], product=product
    )
    if recorded == "after":
        give_elsewhere(
            session, chair, patient, product, DAY0, signing + timedelta(hours=1)
        )
    now = signing + timedelta(days=6)

    amendment = amend(session, chair, later, product, now)
    # The amendment weighs what the record was signed with, word for word...
    assert timing(amendment.changes["warnings"]) == timing(later.warnings)
    assert bool(timing(later.warnings)) == (recorded == "before")
    # ...and a chart checked today weighs the outside dose either way.
    assert "recent_exposure" in checked_today(session, later, now)


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_top_up_amended_keeps_the_cycle_it_was_signed_in(
    session, chair, make_patient, product
):
    """A full treatment charted inside the cycle but signed after its top-up
    would start a new cycle under it; the amendment keeps the one signed."""
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    when = DAY0 + timedelta(days=20)
    record, version = top_up(chair, patient, when, product)
    # Day 15's full treatment is charted while the top-up is open...
    second = DAY0 + timedelta(days=15)
    full, full_version = chair.open(patient, second, product=product)
    full_version, _ = chair.tap(
        full, full_version, "mentalis", "left", CHIN[product], second
    )
    # ...and signed after it.
    signed = chair.sign_with_reasons(record, version, when)
    chair.sign_with_reasons(full, full_version, when + timedelta(days=5))
    now = when + timedelta(days=6)

    amendment = amend(session, chair, signed, product, now)
    assert timing(amendment.changes["warnings"]) == timing(signed.warnings)
    # A chart checked today counts the cycle from the later full treatment.
    assert checked_today(session, signed, now) != timing(signed.warnings)
