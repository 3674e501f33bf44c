"""A cycle's top-ups count towards its totals on every path (review rC, C1).

A top-up is not opened while its cycle's full treatment is still an unsigned
draft. A chart left in that state before the rule (a top-up signed first) is
judged alike by the chart the tablet reads, by signing and by an amendment: each
counts the top-up given in the rest of the cycle (clinical reference §2.4, §7).
Each product in its own units: Daxxify's 40 U is the label's sourced maximum per
glabellar session [S27].
"""

from datetime import timedelta

import pytest
from sqlmodel import update

from planner.errors import InvalidInput
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from tests.services.test_glabellar_session_limit import GLABELLAR
from tests.services.test_glabellar_session_limit import LABELS
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair

PRODUCTS = ["botox", "dysport", "xeomin", "daxxify"]
REVIEW = DAY0 + timedelta(days=14)
SIGNED_LATE = DAY0 + timedelta(days=15)


def _glabellar_draft(session, injector, make_patient, code):
    """Chart the glabellar complex at the label's dose, left unsigned.

    :return: the chair, the patient, the draft and its version.
    """
    chair = Chair(session, injector)
    patient = make_patient(affected_side="left")
    per_site = LABELS[code][0]
    record, version = chair.open(patient, DAY0, product=code)
    for muscle, side in GLABELLAR:
        version, _ = chair.tap(record, version, muscle, side, per_site, DAY0)
    return chair, patient, record, version


def _set_status(session, record, status):
    session.exec(
        update(TreatmentSession)
        .where(TreatmentSession.id == record.id)
        .values(status=status)
    )
    session.commit()


@pytest.mark.parametrize("code", PRODUCTS)
def test_a_top_up_waits_for_its_full_treatment_to_be_signed(
    session, injector, make_patient, code
):
    chair, patient, full, version = _glabellar_draft(
        session, injector, make_patient, code
    )
    with pytest.raises(InvalidInput) as refused:
        chair.open(patient, REVIEW, product=code, kind="top_up")
    assert refused.value.fields == {
        "kind": "the cycle's full treatment of 2 Mar 2026 is an unsigned draft: "
        "sign or discard it first"
    }
    assert "is not signed yet: sign it, or discard it" in refused.value.message
    assert session.get(TreatmentSession, full.id).status == SessionStatus.DRAFT

    # Signed, the full treatment takes its top-up, which counts its units.
    chair.sign_with_reasons(full, version, DAY0)
    top_up, version = chair.open(patient, REVIEW, product=code, kind="top_up")
    assert top_up.cycle_session_id == full.id
    chair.tap(top_up, version, "corrugator", "left", LABELS[code][0], REVIEW)
    warned = {w["code"]: w for w in chair.warnings(top_up, REVIEW)}
    assert "given earlier this cycle" in warned["group_above_limit"]["message"]


def test_the_new_session_page_names_the_unsigned_full_treatment(
    session, injector, make_patient, login_as
):
    chair = Chair(session, injector)
    patient = make_patient(affected_side="left")
    # Started a fortnight ago (the page's clock is the real one), never signed.
    started = session_service.utc_now() - timedelta(days=14)
    record, version = chair.open(patient, started, product="dysport")
    chair.tap(record, version, "procerus", "midline", 10, started)
    page = login_as().post_form(
        f"/patients/{patient.id}/sessions",
        {
            "kind": "top_up",
            "product": "dysport",
            "lot_choice": "new",
            "lot_number": "D2",
            "expiry_date": "2099-01-31",
            "vial_units": "300",
            "diluent_ml": "2.5",
        },
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Kind of session the cycle&#39;s full treatment of" in text
    assert "is an unsigned draft: sign or discard it first" in text


def _signed_top_up_first(session, chair, patient, full, code):
    """The state the old rule allowed: a top-up signed before its full treatment."""
    _set_status(session, full, SessionStatus.SIGNED)
    top_up, version = chair.open(patient, REVIEW, product=code, kind="top_up")
    _set_status(session, full, SessionStatus.DRAFT)
    assert top_up.cycle_session_id == full.id
    version, _ = chair.tap(
        top_up, version, "corrugator", "left", LABELS[code][0], REVIEW
    )
    chair.sign_with_reasons(top_up, version, REVIEW)


# The cycle's glabellar total and, for the per-side limits, the left corrugators'.
OVER = {
    "botox": (
        "Glabellar complex (corrugators and procerus): 24 U, counting 4 U given in "
        "the rest of this cycle is above 20 U per session (clinic setting).",
        "Corrugator (left): 12 U, counting 4 U given in the rest of this cycle is "
        "above 8 U per side.",
    ),
    "dysport": (
        "Glabellar complex (corrugators and procerus): 60 U (Speywood), counting "
        "10 U (Speywood) given in the rest of this cycle is above 50 U (Speywood) "
        "per session (clinic setting).",
        "Corrugator (left): 30 U (Speywood), counting 10 U (Speywood) given in the "
        "rest of this cycle is above 20 U (Speywood) per side.",
    ),
    "xeomin": (
        "Glabellar complex (corrugators and procerus): 24 U, counting 4 U given in "
        "the rest of this cycle is above 20 U per session (clinic setting).",
        "Corrugator (left): 12 U, counting 4 U given in the rest of this cycle is "
        "above 8 U per side.",
    ),
    "daxxify": (
        "Glabellar complex (corrugators and procerus): 48 U, counting 8 U given in "
        "the rest of this cycle is above 40 U per session.",
        None,
    ),
}


@pytest.mark.audit_exempt(
    "the old rule's state is set up by hand", tables=["treatment_session"]
)
@pytest.mark.parametrize("code", PRODUCTS)
def test_signing_a_full_treatment_counts_the_top_up_signed_before_it(
    session, injector, make_patient, code
):
    chair, patient, full, version = _glabellar_draft(
        session, injector, make_patient, code
    )
    _signed_top_up_first(session, chair, patient, full, code)
    group, corrugator = OVER[code]

    # The chart the tablet reads shows what signing will ask reasons for.
    shown = {w["message"]: w for w in chair.warnings(full, SIGNED_LATE)}
    assert shown[group]["needs_reason"]
    if corrugator is not None:
        assert shown[corrugator]["needs_reason"]
    needing = {w["key"] for w in shown.values() if w["needs_reason"]}

    with pytest.raises(InvalidInput) as refused:
        chair.sign(full, version, SIGNED_LATE)
    assert {f"reasons.{key}" for key in needing} <= set(refused.value.fields)

    signed = chair.sign_with_reasons(full, version, SIGNED_LATE)
    kept = {w["message"] for w in signed.warnings}
    assert group in kept
    assert corrugator is None or corrugator in kept
    assert signed.performed_at.date() == DAY0.date()  # given on day 0

    # An amendment that changes nothing raises nothing new: one judgement.
    amendment = amendment_service.amend_session(
        session,
        injector,
        full.id,
        {"version": signed.version, "reason": "Re-checked, no change"},
        zone=chair.zone,
        now=SIGNED_LATE,
    )
    assert {w["message"] for w in amendment.changes["warnings"]} == kept
