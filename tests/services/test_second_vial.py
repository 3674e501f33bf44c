"""A second vial opened at the chair: each site keeps the vial it was drawn from.

Recall finds the patient by either vial's lot; what each vial gave, its overdrawn
warning and the stock ledger count only its own sites; an amendment counts
against the vial of the site it corrects. Botox and Dysport, each in its own units.
"""

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.models import VialLot
from planner.services import amendments as amendment_service
from planner.services import recall
from planner.services import stock
from planner.services.stock_ledger import vial_use
from planner.services.vial_switch import switch_vial
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_vial_overdraw import DAY
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import SHARES
from tests.services.test_vial_overdraw import VialChair
from tests.services.test_vial_overdraw import overdrawn

MUSCLES = {muscle.code: muscle.name for muscle in FACE_MAP.muscles}
SIZE = {"botox": 100, "dysport": 300}
DOSE = {"botox": 4, "dysport": 10}


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def new_vial(version, product, lot_number, when=LATER, **details):
    """The switch form for a new vial of the product, made up at ``when``."""
    return {
        "version": version,
        "lot_choice": "new",
        "lot_number": lot_number,
        "expiry_date": "2028-01-31",
        "vial_units": SIZE[product],
        "diluent_ml": 2.5,
        "reconstituted_at": when.isoformat(),
        **details,
    }


def switch(chair, record, data, when=LATER):
    return switch_vial(
        chair.session, chair.injector, record.id, data, zone=LONDON, now=when
    )


def two_vial_session(chair, make_patient, product, *, sign=True):
    """Chart two sites from lot FIRST1, switch to lot SECOND2, chart one more."""
    dose = DOSE[product]
    patient = make_patient(affected_side="left")
    record, version = chair.open(
        patient, LATER, product=product, lot_number="FIRST1", vial_units=SIZE[product]
    )
    first = record.vial_lot_id
    version, _ = chair.tap(record, version, "mentalis", "left", dose, LATER)
    version, _ = chair.tap(record, version, "platysma", "left", dose, LATER)
    version, second = switch(chair, record, new_vial(version, product, "SECOND2"))
    version, _ = chair.tap(
        record, version, "depressor_anguli_oris", "right", dose, LATER
    )
    if sign:
        chair.sign_with_reasons(record, version, LATER)
    return patient, record, first, second.id


def found(chair, product, lot):
    return recall.find_recall(
        chair.session,
        chair.injector,
        {"product": product, "lot": lot},
        purpose="page",
        muscle_names=MUSCLES,
        zone=LONDON,
    )


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_recall_finds_the_patient_by_either_vial_of_the_session(
    chair, make_patient, product
):
    patient, record, _, _ = two_vial_session(chair, make_patient, product)
    dose = DOSE[product]

    first = found(chair, product, "first1")
    assert [row.patient_id for row in first.rows] == [patient.id]
    assert [(s.muscle, s.units) for s in first.rows[0].sites] == [
        (MUSCLES["mentalis"], dose),
        (MUSCLES["platysma"], dose),
    ]
    assert first.rows[0].lot_number == "FIRST1"
    second = found(chair, product, "SECOND2")
    assert [row.patient_id for row in second.rows] == [patient.id]
    assert [s.muscle for s in second.rows[0].sites] == [
        MUSCLES["depressor_anguli_oris"]
    ]
    assert second.rows[0].units == dose
    # Another product's lot of the same number is another batch.
    other = "dysport" if product == "botox" else "botox"
    assert found(chair, other, "FIRST1").rows == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_each_site_keeps_the_vial_in_use_when_it_was_charted(
    chair, make_patient, product
):
    _, record, first, second = two_vial_session(chair, make_patient, product)
    sites = chair.session.exec(
        select(InjectionSite.muscle, InjectionSite.vial_lot_id)
        .where(InjectionSite.session_id == record.id)
        .order_by(InjectionSite.number)
    ).all()
    assert sites == [
        ("mentalis", first),
        ("platysma", first),
        ("depressor_anguli_oris", second),
    ]
    chair.session.refresh(record)
    assert record.vial_lot_id == second


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_ledger_counts_each_vial_only_its_own_sites(chair, make_patient, product):
    _, _, first, second = two_vial_session(chair, make_patient, product)
    dose = DOSE[product]
    use = vial_use(chair.session, [first, second])
    assert (use[first].signed, use[second].signed) == (2 * dose, dose)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_shared_vial_is_not_overdrawn_by_the_sites_of_the_next_vial(
    chair, make_patient, product
):
    _, _, left = SHARES[product]
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(), vial, product)
    version, site = chair.tap(record, version, "mentalis", "left", left, LATER)
    assert overdrawn(chair, record) == []  # all the shared vial had left
    version, _ = switch(chair, record, new_vial(version, product, "NEXT9"))
    version, _ = chair.tap(record, version, "mentalis", "right", left + 5, LATER)
    assert overdrawn(chair, record) == []
    # A dose change counts against the site's own vial: the shared one.
    version, _ = chair.change(record, site.id, {"version": version, "units": left + 1})
    (warning,) = overdrawn(chair, record)
    assert "lot SH1" in warning["message"]
    assert f"takes {left + 1} " in warning["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_counts_against_the_corrected_sites_vial(
    chair, make_patient, product
):
    _, _, left = SHARES[product]
    vial, _ = chair.shared_vial(make_patient, product)
    record, version = chair.open_from(make_patient(), vial, product)
    version, shared_site = chair.tap(record, version, "mentalis", "left", left, LATER)
    version, _ = switch(chair, record, new_vial(version, product, "NEXT9"))
    version, own_site = chair.tap(record, version, "platysma", "right", 2, LATER)
    chair.sign_with_reasons(record, version, LATER)
    chair.session.refresh(record)

    def amend(site, units, reasons=None):
        return amendment_service.amend_session(
            chair.session,
            chair.injector,
            record.id,
            {
                "version": record.version,
                "reason": "Dose misread",
                "corrections": [{"site_id": site.id, "units": units}],
                "reasons": reasons or {},
            },
            zone=LONDON,
            now=LATER,
        )

    # More from the new vial: it has room, so no warning and no reason asked.
    amend(own_site, 4)
    chair.session.refresh(record)
    # More from the shared vial than it had left needs a reason.
    with pytest.raises(InvalidInput) as refused:
        amend(shared_site, left + 1)
    assert any(key.startswith("reasons.vial_overdrawn") for key in refused.value.fields)


@pytest.mark.parametrize(
    ("product", "other"), [("botox", "dysport"), ("dysport", "botox")]
)
def test_a_switch_to_another_products_vial_is_refused_naming_the_field(
    chair, make_patient, product, other
):
    record, version = chair.open(make_patient(), LATER, product=product)
    mine = record.vial_lot_id
    theirs, _ = chair.open(make_patient(), LATER, product=other, lot_number="OTH1")
    with pytest.raises(InvalidInput) as refused:
        switch(chair, record, {"version": version, "lot_choice": theirs.vial_lot_id})
    assert "lot_choice" in refused.value.fields
    chair.session.refresh(record)
    assert (record.vial_lot_id, record.version) == (mine, version)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_switch_is_refused_as_the_first_vial_is(chair, make_patient, product):
    record, version = chair.open(make_patient(), LATER, product=product)
    # The vial in use already.
    with pytest.raises(InvalidInput) as same:
        switch(chair, record, {"version": version, "lot_choice": record.vial_lot_id})
    assert "lot_choice" in same.value.fields
    # A new vial past its expiry, by the clinic's day.
    with pytest.raises(InvalidInput) as expired:
        switch(
            chair, record, new_vial(version, product, "OLD1", expiry_date="2026-06-01")
        )
    assert "expiry_date" in expired.value.fields
    # A closed vial from the list.
    other, _ = chair.open(make_patient(), DAY, product=product, lot_number="CLS1")
    closed = chair.session.get(VialLot, other.vial_lot_id)
    stock.close_vial(
        chair.session,
        chair.injector,
        closed.id,
        {"reason": "end_of_session"},
        now=LATER,
        zone=LONDON,
    )
    with pytest.raises(InvalidInput) as shut:
        switch(chair, record, {"version": version, "lot_choice": closed.id})
    assert "lot_choice" in shut.value.fields
    # Nothing was switched by the refusals.
    chair.session.refresh(record)
    assert record.version == version
