"""A top-up in another product is shown as given but never counted as this cycle's.

Its units belong to its own product: the dose-change check, the chart's changes
panel and signing leave it out of the cycle they compare with today, in Botox and
in Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment

DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# (product, vial units, mentalis dose last cycle); the other product's top-up.
PAIRS = [(("botox", 100, 1.0), "dysport"), (("dysport", 300, 5.0), "botox")]
VIALS = {"botox": 100, "dysport": 300}


def treat(session, injector, patient, sites, when, product, **form):
    return make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=when,
        product=product,
        vial_units=VIALS[product],
        lot_number=f"{product[:1].upper()}{when.day}",
        **form,
    )


@pytest.mark.parametrize(("today", "other"), PAIRS, ids=["botox", "dysport"])
def test_a_dose_change_is_checked_past_another_products_top_up(
    session, injector, make_patient, today, other
):
    product, _, dose = today
    patient = make_patient(affected_side="left")
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", dose)],
        DAY0,
        product,
        sign=True,
    )
    treat(
        session,
        injector,
        patient,
        [("platysma", "right", 5), ("mentalis", "left", 8)],
        DAY0 + timedelta(days=15),
        other,
        sign=True,
        kind="top_up",
    )
    later = DAY0 + timedelta(days=100)
    draft = treat(
        session, injector, patient, [("mentalis", "left", 3 * dose)], later, product
    )

    state = chart_state(session, draft.id, face_map=FACE_MAP, zone=ZONE, now=later)
    (changed,) = [w for w in state.warnings if w.code == "dose_changed"]
    assert (changed.muscle, changed.side, changed.needs_reason) == (
        "mentalis",
        "left",
        True,
    )
    assert "+200 %" in changed.message
    assert "product_changed" not in [w.code for w in state.warnings]
    # The changes panel: the same product's doses alone, the other's never added.
    assert [(c.muscle, c.side, c.before, c.after) for c in state.changes] == [
        ("mentalis", "left", dose, 3 * dose)
    ]
    assert state.as_json()["changes"] == [
        {"muscle": "mentalis", "side": "left", "before": dose, "after": 3 * dose}
    ]

    # Signing runs the check again: the dose change needs its reason.
    reasons = {w.key: "Agreed" for w in state.warnings if w.code != "dose_changed"}
    ensure_consent(session, injector, draft.id, when=later)
    form = {"version": draft.version, "consent_obtained": True, "reasons": reasons}
    with pytest.raises(InvalidInput) as info:
        session_service.sign_session(
            session, injector, draft.id, form, zone=ZONE, now=later
        )
    assert f"reasons.{changed.key}" in info.value.fields
    reasons[changed.key] = "Chin still dimpling"
    signed = session_service.sign_session(
        session, injector, draft.id, form, zone=ZONE, now=later
    )
    kept = {w["code"]: w for w in signed.warnings}
    assert kept["dose_changed"]["reason"] == "Chin still dimpling"
