"""Review rV, V1: a vial no other chart drew from still gives no more than it holds.

Each site records the vial it was drawn from, so units past a vial's size came
from a vial whose lot is not on the record: ``vial_overdrawn`` asks for a reason
and says to switch the chart to the next vial, on every path that adds units
(tap, dose change, template, copy-last, top-up, amendment, signing and the chart
state the tablet reads). "Vials used" stays a count of the vials opened.
"""

from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import protocols
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import new_vial
from tests.services.test_second_vial import switch
from tests.services.test_vial_overdraw import CODE
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import UNIT
from tests.services.test_vial_overdraw import VialChair
from tests.services.test_vial_overdraw import overdrawn

SIZE = {"botox": 100, "dysport": 300, "xeomin": 100, "daxxify": 100}
# A dose per site that two sites of take more than the vial holds.
DOSE = {"botox": 60, "dysport": 180, "xeomin": 60, "daxxify": 60}


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def own_vial(chair, make_patient, product, kind="full", patient=None):
    patient = patient or make_patient(affected_side="left")
    return chair.open(
        patient,
        LATER,
        product=product,
        kind=kind,
        lot_number="OWN1",
        vial_units=SIZE[product],
    )


@pytest.mark.parametrize("product", ["botox", "dysport", "xeomin", "daxxify"])
def test_a_tap_and_a_dose_change_past_the_charts_own_vial_warn(
    session, chair, make_patient, product
):
    size, dose, unit = SIZE[product], DOSE[product], UNIT.get(product, "U")
    record, version = own_vial(chair, make_patient, product)
    version, site = chair.tap(record, version, "platysma", "left", size, LATER)
    assert overdrawn(chair, record) == []  # exactly the vial
    version, other = chair.tap(record, version, "platysma", "right", 1, LATER)
    (warning,) = overdrawn(chair, record)
    assert (warning["severity"], warning["needs_reason"]) == ("warning", True)
    assert warning["message"] == (
        f"Vial of lot OWN1, {size} {unit}, reconstituted 2 Jun 2026 11:00, holds "
        f"{size} {unit}. This chart takes {size + 1} {unit} from it, 1 {unit} more "
        "than it holds. Check the doses and the vial chosen; if another vial was "
        "opened for the rest, switch the chart to the next vial, so that the sites "
        "drawn from it record its lot."
    )
    version, _ = chair.change(record, site.id, {"version": version, "units": dose})
    assert overdrawn(chair, record) == []
    version, _ = chair.change(record, other.id, {"version": version, "units": dose})
    assert len(overdrawn(chair, record)) == 1
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER)
    assert CODE in [w.code for w in state.warnings]
    assert state.totals.vials_used == 2
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, LATER)
    assert f"reasons.{CODE}" in info.value.fields
    signed = chair.sign_with_reasons(record, version, LATER)
    assert CODE in [w["code"] for w in signed.warnings]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_own_vial_overdrawn_then_switched_still_warns(chair, make_patient, product):
    dose = DOSE[product]
    record, version = own_vial(chair, make_patient, product)
    version, _ = chair.tap(record, version, "platysma", "left", dose, LATER)
    version, _ = chair.tap(record, version, "platysma", "right", dose, LATER)
    first = record.vial_lot_id
    version, _ = switch(chair, record, new_vial(version, product, "NEXT2"))
    version, _ = chair.tap(record, version, "mentalis", "left", 2, LATER)
    (warning,) = overdrawn(chair, record)
    assert "Vial of lot OWN1" in warning["message"]
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, LATER)
    # With two vials, each vial's warning has its own key.
    assert f"reasons.{CODE}:::vial-{first}" in info.value.fields


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_template_past_the_charts_own_vial_warns(
    session, chair, make_patient, make_user, product
):
    admin = make_user(Role.ADMIN)
    template = protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        face_map=FACE_MAP,
        name=f"Chin ({product})",
        description=None,
        product=product,
        # Four sites of a quarter vial and 1 more (a template site is at most 100).
        sites=[
            {"muscle": muscle, "role": role, "units": SIZE[product] / 4 + 1}
            for muscle in ("platysma", "mentalis")
            for role in ("affected", "contralateral")
        ],
    )
    record, version = own_vial(chair, make_patient, product)
    chair.apply_template(record, version, template, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_copying_the_last_cycle_past_the_charts_own_vial_warns(
    chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    before = LATER - timedelta(days=100)
    chair.given(
        patient, before, [("mentalis", "left", SIZE[product] + 1)], product=product
    )
    record, version = own_vial(chair, make_patient, product, patient=patient)
    chair.copy_last(record, version, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_top_up_past_its_own_vial_warns(chair, make_patient, product):
    patient = make_patient(affected_side="left")
    chair.given(
        patient, LATER - timedelta(days=14), [("mentalis", "left", 1)], product=product
    )
    record, version = own_vial(chair, make_patient, product, "top_up", patient)
    chair.tap(record, version, "mentalis", "left", SIZE[product] + 1, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_past_the_charts_own_vial_needs_a_reason(
    session, chair, make_patient, product
):
    size = SIZE[product]
    record, version = own_vial(chair, make_patient, product)
    version, site = chair.tap(record, version, "mentalis", "left", size, LATER)
    signed = chair.sign_with_reasons(record, version, LATER)
    assert CODE not in [w["code"] for w in signed.warnings]
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": site.id, "units": size + 1}],
    }
    with pytest.raises(InvalidInput) as info:
        amendment_service.amend_session(
            session, chair.injector, record.id, correction, zone=LONDON, now=LATER
        )
    assert f"reasons.{CODE}" in info.value.fields
