"""A new vial's blank reconstitution time is now, on every path (review rW, W5).

A vial opened at the chair with "Reconstituted at" left blank was stored with no
reconstitution time and no discard-by, so it never showed on Stock's open vials
nor on the worklist's "past their in-use time", though doses were drawn from it.
Only a vial of a lot in stock took now. Now every path does (a new session, a
vial switch, a vial of a stocked lot), and Stock lists a vial recorded without
a time (older rows) as "in-use time unknown". Botox, Dysport and Azzalure (a
Dysport brand, 125 U (Speywood) vials); in-use 24 h for each [S21] [S24].
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.models import VialLot
from planner.services import stock as stock_service
from planner.services import stock_ledger as ledger
from planner.services import vial_switch
from planner.services.audit import Actor
from tests.factories import ZONE
from tests.factories import make_treatment

NOW = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
# (product, brand, vial units, diluent mL, dose at one chin site)
VIALS = {
    "botox": ("botox", "", 100, 2.5, 4),
    "dysport": ("dysport", "", 300, 2.5, 10),
    "azzalure": ("dysport", "Azzalure", 125, 0.63, 10),
}


def _vial_fields(key, lot_number):
    product, brand, units, diluent, _ = VIALS[key]
    fields = {
        "product": product,
        "lot_number": lot_number,
        "expiry_date": "2027-06-30",
        "vial_units": units,
        "diluent_ml": diluent,
        "reconstituted_at": "",
    }
    if brand:
        fields["brand"] = brand
    return fields


def _chart(session, injector, patient, key, lot_number, when=NOW):
    return make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", VIALS[key][4])],
        when=when,
        **_vial_fields(key, lot_number),
    )


def _open_ids(session, now):
    return [vial.id for vial in ledger.open_vials(session, now=now)]


@pytest.mark.parametrize("key", list(VIALS))
def test_a_new_vial_at_the_chair_with_the_time_blank_is_reconstituted_now(
    session, injector, make_patient, key
):
    chart = _chart(session, injector, make_patient(), key, f"NEW-{key}")
    vial = session.get(VialLot, chart.record.vial_lot_id)
    assert vial.reconstituted_at == NOW
    assert vial.discard_by == NOW + timedelta(hours=24)
    assert vial.id in _open_ids(session, NOW)
    late = NOW + timedelta(hours=25)
    assert [v.id for v in ledger.vials_to_close(session, now=late).vials] == [vial.id]

    # Another vial of the same lot, typed later with the time blank, is its own vial.
    later = NOW + timedelta(hours=2)
    again = _chart(session, injector, make_patient(), key, f"NEW-{key}", when=later)
    second = session.get(VialLot, again.record.vial_lot_id)
    assert second.id != vial.id
    assert second.reconstituted_at == later


@pytest.mark.parametrize("key", list(VIALS))
def test_a_vial_switched_to_with_the_time_blank_is_reconstituted_now(
    session, injector, make_patient, key
):
    chart = _chart(session, injector, make_patient(), key, f"FIRST-{key}")
    switched_at = NOW + timedelta(minutes=40)
    fields = _vial_fields(key, f"NEXT-{key}")
    del fields["product"]
    _, vial = vial_switch.switch_vial(
        session,
        injector,
        chart.id,
        {"version": chart.version, "lot_choice": "new", **fields},
        zone=ZONE,
        now=switched_at,
    )
    assert vial.reconstituted_at == switched_at
    assert vial.discard_by == switched_at + timedelta(hours=24)
    assert vial.id in _open_ids(session, switched_at)


@pytest.mark.parametrize("key", ["botox", "dysport"])
def test_a_vial_of_a_stocked_lot_is_reconstituted_now_as_before(
    session, injector, make_patient, make_user, key
):
    product, _, units, _, _ = VIALS[key]
    staff = make_user(Role.STAFF)
    stock_service.receive_stock(
        session,
        Actor(staff.id, staff.email),
        {
            "product": product,
            "lot_number": f"STK-{key}",
            "expiry_date": "2027-06-30",
            "vial_units": str(units),
            "vials": "2",
            "supplier": "Wholesaler",
            "received_on": NOW.date().isoformat(),
            "storage_place": "Fridge 1",
        },
        today=NOW.date(),
    )
    chart = _chart(session, injector, make_patient(), key, f"STK-{key}")
    vial = session.get(VialLot, chart.record.vial_lot_id)
    assert vial.stock_lot_id is not None
    assert (vial.reconstituted_at, vial.discard_by) == (
        NOW,
        NOW + timedelta(hours=24),
    )


@pytest.mark.audit_exempt("an older vial's row, as stored then", tables=["viallot"])
@pytest.mark.parametrize("key", ["botox", "dysport"])
def test_stock_lists_an_older_vial_without_a_time_as_in_use_time_unknown(
    session, injector, make_patient, key
):
    chart = _chart(session, injector, make_patient(), key, f"OLD-{key}")
    vial = session.get(VialLot, chart.record.vial_lot_id)
    # As such vials were stored before a blank time was taken as now.
    vial.reconstituted_at = None
    vial.discard_by = None
    session.add(vial)
    session.commit()
    listed = {v.id: v for v in ledger.open_vials(session, now=NOW)}
    assert vial.id in listed
    assert listed[vial.id].in_use_unknown
    assert not listed[vial.id].overdue
