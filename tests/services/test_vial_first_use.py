"""A vial with no reconstitution time was reconstituted by its first charted use.

Clinical reference §2.2 and §7: a vial is given within its product's in-use time
after reconstitution (24 h Botox [S21], Dysport [S24], Xeomin [S25]; 72 h
Daxxify [S27b]). When nobody recorded the time, the earliest session charted
from the vial bounds it: once that session is longer ago than the in-use time,
drawing from the vial is a ``reconstitution_expired`` warning (a reason is
needed to sign) and the vial leaves the chair's list. A vial never charted from
stays a caution, as before. Times are the clinic's (London here).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import TreatmentSession
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from planner.services.lots import get_product
from planner.services.lots import list_usable_lots
from planner.services.session_vials import choose_vial
from tests.factories import DIARY_KEY
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment

# 10:00 in the London summer (BST): the clinic's wall clock is an hour ahead.
FIRST_USE = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
FIRST_USE_SHOWN = "2 Jul 2026 10:00"
# (dose at one chin site, vial size, diluent on the dilution table, in-use hours)
PRODUCTS = {
    "botox": (2, 100, 2.5, 24),
    "dysport": (5, 300, 2.5, 24),
    "xeomin": (2, 100, 2.5, 24),
    "daxxify": (2, 100, 1.25, 72),
}
LOT = "NT0702"


def unrecorded_vial(session, actor, code):
    """Store a vial with no reconstitution time, as vials were stored before a
    blank time was taken as now (review rW, W5): such rows remain."""
    _, vial_units, diluent, _ = PRODUCTS[code]
    details = {
        "lot_number": LOT,
        "expiry_date": "2027-06-30",
        "vial_units": vial_units,
        "diluent_ml": diluent,
    }
    product = get_product(session, code)
    vial = choose_vial(
        session, actor, product, "new", details, zone=ZONE, now=FIRST_USE
    )
    vial.reconstituted_at = None
    vial.discard_by = None
    session.add(vial)
    session.commit()
    return vial


def first_use(session, actor, patient, code):
    """Sign a chin site from a vial whose reconstitution time was not recorded."""
    vial = unrecorded_vial(session, actor, code)
    return chin_from(
        session, actor, patient, code, FIRST_USE, sign=True, lot_choice=str(vial.id)
    )


def listed_ids(session, code, now):
    lots = list_usable_lots(session, now=now, zone=ZONE)
    return [lot.id for lot in lots.get(code, [])]


def lot_checks(session, treatment, now):
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=now)
    return {w.code: w for w in state.warnings if w.code.startswith("reconstitution")}


def chin_from(session, actor, patient, code, now, **form):
    """Chart the product's dose at one chin site; ``form`` names the vial."""
    units = PRODUCTS[code][0]
    return make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", units)],
        when=now,
        product=code,
        **form,
    )


def sign_refused_without(session, actor, treatment, now, key):
    """Sign giving a reason for every warning but ``key``: refused, naming it."""
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=now)
    reasons = {w.key: "Agreed with the patient." for w in state.warnings}
    reasons.pop(key)
    ensure_consent(session, actor, treatment.id, when=now)
    request = {"version": treatment.version, "consent_obtained": True}
    with pytest.raises(InvalidInput) as refused:
        session_service.sign_session(
            session,
            actor,
            treatment.id,
            {**request, "reasons": reasons},
            zone=ZONE,
            now=now,
            diary_key=DIARY_KEY,
        )
    assert f"reasons.{key}" in refused.value.fields
    session.rollback()


@pytest.mark.parametrize("code", list(PRODUCTS))
def test_a_vial_first_used_longer_ago_than_its_in_use_time_is_a_warning(
    session, make_patient, injector, code
):
    hours = PRODUCTS[code][3]
    first = first_use(session, injector, make_patient(), code)
    vial = first.record.vial_lot_id

    # An hour inside the in-use time: offered, and only a caution (as before).
    inside = FIRST_USE + timedelta(hours=hours - 1)
    assert vial in listed_ids(session, code, inside)
    second = chin_from(
        session, injector, make_patient(), code, inside, lot_choice=str(vial)
    )
    checks = lot_checks(session, second, inside)
    assert [(c, w.severity) for c, w in checks.items()] == [
        ("reconstitution_unrecorded", "caution")
    ]

    # An hour past it: off the list, and a warning that needs a reason to sign.
    past = FIRST_USE + timedelta(hours=hours + 1)
    assert vial not in listed_ids(session, code, past)
    late = chin_from(
        session, injector, make_patient(), code, past, lot_choice=str(vial)
    )
    warning = lot_checks(session, late, past)["reconstitution_expired"]
    assert (warning.severity, warning.needs_reason) == ("warning", True)
    assert f"first used {hours + 1} h ago ({FIRST_USE_SHOWN})" in warning.message
    assert f"within {hours} h of reconstitution" in warning.message
    assert f"{hours} h" in warning.source
    sign_refused_without(session, injector, late, past, "reconstitution_expired")

    # The first session itself is never judged by its own use, signed or amended.
    assert "reconstitution_expired" not in lot_checks(session, first, past)
    amendment_service.amend_session(
        session,
        injector,
        first.id,
        {
            "version": session.get(TreatmentSession, first.id).version,
            "reason": "Dose typed wrongly.",
            "corrections": [{"site_id": first.sites[0].id, "units": 1}],
        },
        zone=ZONE,
        now=past,
    )


@pytest.mark.parametrize("code", ["botox", "dysport", "daxxify"])
def test_the_same_vial_typed_again_or_given_as_a_top_up_is_warned_alike(
    session, make_patient, injector, code
):
    """A top-up from the same vial is warned with the same bound.

    Typing its details again with the time blank now opens another vial of the
    lot, reconstituted now (review rW, W5: blank is now on every path), so the
    top-up names the vial itself.
    """
    patient = make_patient()
    first = first_use(session, injector, patient, code)
    _, _, _, hours = PRODUCTS[code]
    later = FIRST_USE + timedelta(days=14)
    top_up = chin_from(
        session,
        injector,
        patient,
        code,
        later,
        kind="top_up",
        lot_choice=str(first.record.vial_lot_id),
    )
    assert top_up.record.vial_lot_id == first.record.vial_lot_id
    warning = lot_checks(session, top_up, later)["reconstitution_expired"]
    assert f"first used {14 * 24} h ago ({FIRST_USE_SHOWN})" in warning.message
    assert f"within {hours} h" in warning.message


@pytest.mark.parametrize("code", ["botox", "dysport", "xeomin", "daxxify"])
def test_a_vial_never_charted_from_stays_a_caution_on_the_list(
    session, make_patient, injector, code
):
    vial = unrecorded_vial(session, injector, code)
    ten_days = FIRST_USE + timedelta(days=10)
    assert vial.id in listed_ids(session, code, ten_days)
    # Its first use is then: still only a caution.
    chart = chin_from(
        session, injector, make_patient(), code, ten_days, lot_choice=str(vial.id)
    )
    checks = lot_checks(session, chart, ten_days)
    assert [(c, w.severity) for c, w in checks.items()] == [
        ("reconstitution_unrecorded", "caution")
    ]
