"""Review rC, C3: a chart that takes more from a shared vial than it has left.

What a vial has left is its size less the units of its other signed and draft
charts and the waste recorded from it. Every path that adds units meets the same
warning: tap, dose change, template, copy-last, top-up, amendment, signing and the
chart state the tablet reads. Each product in its own units and vial sizes.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import drafts
from planner.services import protocols
from planner.services import sessions as session_service
from planner.services import stock
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_treated_muscle_paths import SurgeryChair

# 09:00 UTC is 10:00 on the clinic's clock in June (BST).
DAY = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
LATER = DAY + timedelta(hours=1)
# (vial size, the first patient's dose, what that leaves), in the product's units.
SHARES = {
    "botox": (100, 94, 6),
    "dysport": (300, 290, 10),
    "daxxify": (100, 94, 6),
}
UNIT = {"botox": "U", "dysport": "U (Speywood)", "daxxify": "U"}
CODE = "vial_overdrawn"


class VialChair(SurgeryChair):
    def shared_vial(self, make_patient, product, *, sign=True):
        """Give a first patient most of a new vial; return the vial's id."""
        size, first, _ = SHARES[product]
        patient = make_patient(affected_side="left")
        record, version = self.open(
            patient, DAY, product=product, lot_number="SH1", vial_units=size
        )
        version, _ = self.tap(record, version, "platysma", "left", first, DAY)
        if sign:
            self.sign_with_reasons(record, version, DAY)
        return record.vial_lot_id, record

    def open_from(self, patient, vial_id, product, when=LATER, kind="full"):
        """Open a chart drawing from a vial on the list."""
        data = {
            "kind": kind,
            "product": product,
            "lot_choice": str(vial_id),
            "consent_obtained": "true",
        }
        record = session_service.open_session(
            self.session, self.injector, patient.id, data, zone=LONDON, now=when
        )
        return record, record.version


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def overdrawn(chair, record, when=LATER):
    return [w for w in chair.warnings(record, when) if w["code"] == CODE]


@pytest.mark.parametrize("product", ["botox", "dysport", "daxxify"])
def test_a_tap_and_a_dose_change_past_what_the_vial_has_left_warn(
    chair, make_patient, product
):
    size, first, left = SHARES[product]
    unit = UNIT[product]
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(), vial, product)
    version, site = chair.tap(record, version, "mentalis", "left", left, LATER)
    assert overdrawn(chair, record) == []  # exactly what is left
    version, _ = chair.tap(record, version, "mentalis", "right", 1, LATER)
    (warning,) = overdrawn(chair, record)
    assert (warning["severity"], warning["needs_reason"]) == ("warning", True)
    assert warning["message"] == (
        f"Vial of lot SH1, {size} {unit}, reconstituted 2 Jun 2026 10:00, has "
        f"{left} {unit} left: {first} {unit} is charted on 1 other chart. This "
        f"chart takes {left + 1} {unit} from it, 1 {unit} more than is left. Check "
        "the vial chosen; if another vial was opened for the rest, switch the chart "
        "to it, so that the sites drawn from it record its lot."
    )
    version, _ = chair.change(record, site.id, {"version": version, "units": left - 1})
    assert overdrawn(chair, record) == []
    version, _ = chair.change(record, site.id, {"version": version, "units": left})
    assert len(overdrawn(chair, record)) == 1
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, LATER)
    assert f"reasons.{CODE}" in info.value.fields
    signed = chair.sign_with_reasons(record, version, LATER)
    assert CODE in [w["code"] for w in signed.warnings]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_template_past_what_the_vial_has_left_warns(
    session, chair, make_patient, make_user, product
):
    _, _, left = SHARES[product]
    admin = make_user(Role.ADMIN)
    template = protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        face_map=FACE_MAP,
        name=f"Chin ({product})",
        description=None,
        product=product,
        sites=[{"muscle": "mentalis", "role": "affected", "units": left + 1}],
    )
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(affected_side="left"), vial, product)
    chair.apply_template(record, version, template, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_copying_the_last_cycle_past_what_the_vial_has_left_warns(
    chair, make_patient, product
):
    _, _, left = SHARES[product]
    patient = make_patient(affected_side="left")
    before = DAY - timedelta(days=100)
    chair.given(patient, before, [("mentalis", "left", left + 1)], product=product)
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(patient, vial, product)
    chair.copy_last(record, version, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_top_up_past_what_the_vial_has_left_warns(chair, make_patient, product):
    _, _, left = SHARES[product]
    patient = make_patient(affected_side="left")
    chair.given(
        patient, DAY - timedelta(days=14), [("mentalis", "left", 1)], product=product
    )
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(patient, vial, product, kind="top_up")
    chair.tap(record, version, "mentalis", "left", left + 1, LATER)
    assert len(overdrawn(chair, record)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_past_what_the_vial_has_left_needs_a_reason(
    session, chair, make_patient, product
):
    _, _, left = SHARES[product]
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(), vial, product)
    version, site = chair.tap(record, version, "mentalis", "left", left, LATER)
    signed = chair.sign_with_reasons(record, version, LATER)
    assert CODE not in [w["code"] for w in signed.warnings]
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": site.id, "units": left + 1}],
    }
    with pytest.raises(InvalidInput) as info:
        amendment_service.amend_session(
            session, chair.injector, record.id, correction, zone=LONDON, now=LATER
        )
    assert f"reasons.{CODE}" in info.value.fields
    # The dose per point may need its own reason too.
    reasons = {name.removeprefix("reasons."): "Agreed" for name in info.value.fields}
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        record.id,
        {**correction, "reasons": {**reasons, CODE: "Second vial, lot SH2"}},
        zone=LONDON,
        now=LATER,
    )
    kept = {w["code"]: w for w in amendment.changes["warnings"]}
    assert kept[CODE]["reason"] == "Second vial, lot SH2"


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_chart_alone_on_its_new_vial_is_made_up_with_whole_vials(
    session, chair, make_patient, product
):
    size, _, _ = SHARES[product]
    record, version = chair.open(make_patient(), DAY, product=product, vial_units=size)
    chair.tap(record, version, "platysma", "left", size + 4, DAY)
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=LONDON, now=DAY)
    assert state.totals.vials_used == 2
    # Review rV, V1: the further vial is switched to, so that its sites record it.
    assert len(overdrawn(chair, record, DAY)) == 1


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_draft_on_the_vial_counts_and_a_discarded_one_does_not(
    session, chair, make_patient, product
):
    _, _, left = SHARES[product]
    vial, first = chair.shared_vial(make_patient, product, sign=False)
    record, version = chair.open_from(make_patient(), vial, product)
    chair.tap(record, version, "mentalis", "left", left + 1, LATER)
    assert "1 other chart" in overdrawn(chair, record)[0]["message"]
    drafts.discard_draft(
        session, chair.injector, first.id, {"reason": "Charted in error"}, now=LATER
    )
    assert overdrawn(chair, record) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_waste_recorded_from_the_vial_counts(session, chair, make_patient, product):
    size, first, left = SHARES[product]
    unit = UNIT[product]
    record, version = chair.open(
        make_patient(), DAY, product=product, lot_number="SH1", vial_units=size
    )
    stock.record_vial_waste(
        session,
        chair.injector,
        record.vial_lot_id,
        {"units": first, "reason": "dropped"},
        now=DAY,
        zone=LONDON,
    )
    version, site = chair.tap(record, version, "mentalis", "left", left, DAY)
    assert overdrawn(chair, record, DAY) == []
    chair.change(record, site.id, {"version": version, "units": left + 1}, DAY)
    (warning,) = overdrawn(chair, record, DAY)
    wasted = f"has {left} {unit} left: {first} {unit} is recorded as waste."
    assert wasted in warning["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_counts_what_later_charts_drew_from_the_vial(
    session, chair, make_patient, product
):
    """A vial is one physical thing: an amendment's sites and every other chart's
    draws share its content, whenever those charts were signed. Unlike dose limits
    and intervals (read as at the record's signing), a later chart's draw is not
    left out: the records together must not claim more than the vial held."""
    _, _, left = SHARES[product]
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(), vial, product)
    version, site = chair.tap(record, version, "mentalis", "left", left - 1, LATER)
    signed = chair.sign_with_reasons(record, version, LATER)
    assert CODE not in [w["code"] for w in signed.warnings]
    # Another patient's chart, signed later, takes the vial's last unit.
    after = LATER + timedelta(hours=1)
    other, other_version = chair.open_from(make_patient(), vial, product, when=after)
    other_version, _ = chair.tap(other, other_version, "mentalis", "right", 1, after)
    chair.sign_with_reasons(other, other_version, after)
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": site.id, "units": left}],
    }
    with pytest.raises(InvalidInput) as info:
        amendment_service.amend_session(
            session, chair.injector, record.id, correction, zone=LONDON, now=after
        )
    assert f"reasons.{CODE}" in info.value.fields
