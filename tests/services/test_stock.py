"""Vial stock against a real database: receiving, opening, waste and reconciliation."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import Role
from planner.models import StockWaste
from planner.models import VialLot
from planner.services import stock as service
from planner.services import stock_ledger as ledger
from planner.services import stock_levels
from planner.services.audit import Actor
from planner.services.lots import list_usable_lots
from planner.services.settings import update_setting
from tests.factories import ZONE
from tests.factories import make_treatment

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TODAY = START.date()


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF, name="Sam Stores")
    return Actor(user.id, user.email)


def delivery(**overrides):
    return {
        "product": "botox",
        "lot_number": "c4410ab",
        "expiry_date": "2027-09-30",
        "vial_units": "100",
        "vials": "5",
        "supplier": "Allergan via Alliance",
        "received_on": TODAY.isoformat(),
        "storage_place": "Fridge 1, shelf 2",
        **overrides,
    }


def vial_form(lot, at, **overrides):
    """The chair's new-vial fields for a vial of a received lot."""
    return {
        "lot_choice": "new",
        "lot_number": lot["lot_number"],
        "expiry_date": lot["expiry_date"],
        "vial_units": lot["vial_units"],
        "diluent_ml": lot.get("diluent_ml", 2.5),
        "diluent": "Sodium chloride 0.9%",
        "reconstituted_at": at.isoformat(),
        **overrides,
    }


@pytest.fixture
def stock_vial(session, injector, make_patient):
    """Chart a patient from a new vial of the default delivery; return the vial id."""

    def open_(units, *, sign=True, at=START):
        return make_treatment(
            session,
            injector,
            make_patient().id,
            [("mentalis", "left", units)],
            when=at,
            sign=sign,
            **vial_form(delivery(), at),
        ).record.vial_lot_id

    return open_


def balance(session, lot_id):
    session.expire_all()
    return ledger.lot_balances(session, lot_ids=[lot_id])[0]


def test_receiving_makes_the_lot_once_and_adds_each_delivery(session, staff):
    first = service.receive_stock(session, staff, delivery(), today=TODAY)
    second = service.receive_stock(
        session, staff, delivery(vials="3", lot_number="C4410AB "), today=TODAY
    )
    assert first.stock_lot_id == second.stock_lot_id
    lot = balance(session, first.stock_lot_id)
    assert (lot.lot_number, lot.received_vials, lot.received) == ("C4410AB", 8, 800)
    assert (lot.on_hand, lot.counted, lot.unopened_vials) == (800, 800, 8)
    assert lot.places == ("Fridge 1, shelf 2",)
    kinds = session.exec(select(AuditEvent.entity_type)).all()
    assert kinds.count("stock_lot") == 1
    assert kinds.count("stock_receipt") == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"vial_units": "150"}, "vial_units"),
        ({"vials": "0"}, "vials"),
        ({"received_on": (TODAY + timedelta(days=1)).isoformat()}, "received_on"),
        ({"expiry_date": (TODAY - timedelta(days=1)).isoformat()}, "expiry_date"),
        ({"lot_number": "C44 10"}, "lot_number"),
        ({"supplier": "  "}, "supplier"),
        ({"product": "aspirin"}, "product"),
        ({"fridge": "2"}, "fridge"),
    ],
)
def test_a_bad_delivery_is_refused_by_field(session, staff, overrides, field):
    with pytest.raises(InvalidInput) as info:
        service.receive_stock(session, staff, delivery(**overrides), today=TODAY)
    assert field in info.value.fields


def test_a_second_delivery_must_match_the_lot(session, staff):
    service.receive_stock(session, staff, delivery(), today=TODAY)
    with pytest.raises(InvalidInput) as info:
        service.receive_stock(
            session, staff, delivery(expiry_date="2027-10-31"), today=TODAY
        )
    assert "2027-09-30" in info.value.fields["expiry_date"]


def test_a_vial_opened_at_the_chair_is_taken_from_stock(
    session, staff, injector, make_patient
):
    receipt = service.receive_stock(session, staff, delivery(), today=TODAY)
    patient = make_patient()
    form = vial_form(delivery(), START)
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 4)],
        when=START,
        sign=True,
        **form,
    )
    vial = session.get(VialLot, treatment.record.vial_lot_id)
    assert vial.stock_lot_id == receipt.stock_lot_id
    assert vial.lot_number == "C4410AB"  # the lot's capitals, though typed in lower
    assert vial.opened_by_id == injector.user_id
    assert vial.diluent == "Sodium chloride 0.9%"
    assert vial.discard_by == START + timedelta(hours=24)
    lot = balance(session, receipt.stock_lot_id)
    assert (lot.unopened_vials, lot.open_vials, lot.used) == (4, 1, 4)
    assert lot.on_hand == lot.counted == 496


def test_a_vial_whose_carton_disagrees_with_stock_is_refused(
    session, staff, injector, make_patient
):
    service.receive_stock(session, staff, delivery(), today=TODAY)
    with pytest.raises(InvalidInput) as info:
        make_treatment(
            session,
            injector,
            make_patient().id,
            when=START,
            **vial_form(delivery(), START, expiry_date="2027-08-31"),
        )
    assert "received into stock" in info.value.fields["expiry_date"]


def test_waste_cannot_exceed_what_is_left_and_closing_records_the_rest(
    session, staff, injector, stock_vial
):
    receipt = service.receive_stock(session, staff, delivery(), today=TODAY)
    vial_id = stock_vial(30)
    with pytest.raises(InvalidInput) as info:
        service.record_vial_waste(
            session,
            injector,
            vial_id,
            {"units": "71", "reason": "dropped"},
            now=START,
            zone=ZONE,
        )
    assert "70" in info.value.fields["units"]
    service.record_vial_waste(
        session,
        injector,
        vial_id,
        {"units": "10", "reason": "dropped"},
        now=START,
        zone=ZONE,
    )
    waste = service.close_vial(
        session, injector, vial_id, {"reason": "end_of_session"}, now=START, zone=ZONE
    )
    assert waste is not None
    assert waste.units == 60
    with pytest.raises(Conflict, match="already closed"):
        service.close_vial(
            session,
            injector,
            vial_id,
            {"reason": "end_of_session"},
            now=START,
            zone=ZONE,
        )
    lot = balance(session, receipt.stock_lot_id)
    assert (lot.used, lot.wasted, lot.on_hand, lot.counted) == (30, 70, 400, 400)
    assert lot.problems == []
    session.expire_all()
    assert list_usable_lots(session, now=START, zone=ZONE).get("botox", []) == []


def test_closing_leaves_an_unsigned_charts_units_for_it(
    session, staff, injector, stock_vial
):
    receipt = service.receive_stock(session, staff, delivery(), today=TODAY)
    vial_id = stock_vial(6, sign=False)
    waste = service.close_vial(
        session, injector, vial_id, {"reason": "end_of_session"}, now=START, zone=ZONE
    )
    assert waste.units == 94
    lot = balance(session, receipt.stock_lot_id)
    assert lot.draft == 6
    assert lot.difference == 6
    assert any("unsigned" in problem for problem in lot.problems)


def test_discarding_unopened_vials_is_limited_to_what_is_unopened(
    session, staff, injector
):
    receipt = service.receive_stock(session, staff, delivery(vials="2"), today=TODAY)
    lot_id = receipt.stock_lot_id
    with pytest.raises(InvalidInput) as info:
        service.discard_unopened(
            session, injector, lot_id, {"vials": "3", "reason": "damaged"}, now=START
        )
    assert "2 unopened" in info.value.fields["vials"]
    service.discard_unopened(
        session, injector, lot_id, {"vials": "1", "reason": "damaged"}, now=START
    )
    lot = balance(session, lot_id)
    assert (lot.unopened_vials, lot.wasted, lot.on_hand, lot.counted) == (
        1,
        100,
        100,
        100,
    )


def test_an_open_vial_past_its_in_use_time_is_to_be_closed(
    session, staff, injector, stock_vial
):
    service.receive_stock(session, staff, delivery(), today=TODAY)
    vial_id = stock_vial(5)
    within = ledger.vials_to_close(session, now=START + timedelta(hours=23))
    assert within.total == 0
    due = ledger.vials_to_close(session, now=START + timedelta(hours=25))
    assert due.total == 1
    (vial,) = due.vials
    assert (vial.id, vial.left, vial.overdue) == (vial_id, 95, True)
    service.close_vial(
        session, injector, vial_id, {"reason": "expired_in_use"}, now=START, zone=ZONE
    )
    assert ledger.vials_to_close(session, now=START + timedelta(hours=25)).total == 0


@pytest.mark.audit_exempt("a vial row as migration 0013 leaves it", tables=["viallot"])
def test_vials_recorded_before_stock_was_kept_are_not_asked_for(session):
    session.add(
        VialLot(
            product_id=1,
            brand="Botox",
            lot_number="OLD1",
            expiry_date=date(2027, 1, 1),
            vial_units=100,
            diluent_ml=2.5,
            reconstituted_at=START - timedelta(days=30),
        )
    )
    session.commit()
    assert ledger.vials_to_close(session, now=START).total == 0


def test_alerts_for_expiring_lots_and_low_stock(session, staff):
    service.receive_stock(
        session, staff, delivery(expiry_date="2026-12-20", vials="1"), today=TODAY
    )
    service.receive_stock(
        session,
        staff,
        delivery(product="dysport", lot_number="D1", vial_units="300", vials="6"),
        today=TODAY,
    )
    products = {
        p.product: p
        for p in stock_levels.stock_by_product(
            session, today=TODAY, expiry_days=60, low_vials=3
        )
    }
    botox, dysport = products["Botox"], products["Dysport"]
    assert (botox.low, botox.lots[0].expiring) == (True, True)
    assert (dysport.low, dysport.lots[0].expiring) == (False, False)
    # Units are each product's own: 100 Botox U and 1800 Dysport U, never 1900.
    assert (botox.on_hand, dysport.on_hand) == (100, 1800)


class Tally:
    """What the script did, counted by the test itself, per lot."""

    def __init__(self):
        self.received: dict[int, float] = {}
        self.used: dict[int, float] = {}
        self.wasted: dict[int, float] = {}

    def add(self, book, lot_id, units):
        book[lot_id] = book.get(lot_id, 0) + units


def check_identity(session, tally, lot_ids):
    """Every lot: received - used - wasted = on hand, by ledger, count and tally."""
    for lot in ledger.lot_balances(session, lot_ids=lot_ids):
        expected = (
            tally.received.get(lot.id, 0)
            - tally.used.get(lot.id, 0)
            - tally.wasted.get(lot.id, 0)
        )
        assert lot.received == pytest.approx(tally.received.get(lot.id, 0))
        assert lot.used == pytest.approx(tally.used.get(lot.id, 0))
        assert lot.wasted == pytest.approx(tally.wasted.get(lot.id, 0))
        assert lot.on_hand == pytest.approx(expected)
        assert lot.counted == pytest.approx(expected), lot.lot_number
        assert lot.problems == [], (lot.lot_number, lot.problems)


def test_reconciliation_holds_across_a_scripted_month(
    session, staff, injector, make_user, make_patient
):
    """A month of deliveries, shared vials, top-ups, spills, closing and discards."""
    second = make_user(Role.INJECTOR, name="Dr Second")
    injectors = [injector, Actor(second.id, second.email)]
    tally = Tally()
    botox = delivery(lot_number="B100", vials="10")
    dysport = delivery(
        product="dysport",
        lot_number="D300",
        vial_units="300",
        vials="2",
        expiry_date="2027-06-30",
    )
    lots = {}
    for name, lot in (("botox", botox), ("dysport", dysport)):
        receipt = service.receive_stock(session, staff, lot, today=TODAY)
        lots[name] = receipt.stock_lot_id
        tally.add(
            tally.received, receipt.stock_lot_id, 1000 if name == "botox" else 600
        )
    lot_ids = list(lots.values())
    patients = [make_patient() for _ in range(9)]
    full_days = {}
    check_identity(session, tally, lot_ids)

    for day in range(28):
        at = START + timedelta(days=day)
        name = "dysport" if day % 7 == 3 else "botox"
        lot = dysport if name == "dysport" else botox
        if day == 10:
            # A second delivery of the same Botox lot, the next week.
            service.receive_stock(
                session, staff, {**botox, "vials": "4"}, today=at.date()
            )
            tally.add(tally.received, lots["botox"], 400)
        if day % 2:
            continue
        # One vial a clinic day, shared by up to three patients; some are top-ups.
        vial_id = None
        for seat in range(3):
            patient = patients[(day // 2 * 3 + seat) % len(patients)]
            topping_up = patient.id in full_days
            units = 2.5 + seat + (day % 4)
            choice = {"lot_choice": str(vial_id)} if vial_id else vial_form(lot, at)
            treatment = make_treatment(
                session,
                injectors[seat % 2],
                patient.id,
                [("mentalis", "left", units), ("depressor_anguli_oris", "left", units)],
                when=at + timedelta(minutes=20 * seat),
                sign=True,
                kind="top_up" if topping_up else "full",
                product=name,
                **choice,
            )
            vial_id = treatment.record.vial_lot_id
            if not topping_up:
                full_days[patient.id] = day
            tally.add(tally.used, lots[name], 2 * units)
            check_identity(session, tally, lot_ids)
        if vial_id is None:
            continue
        if day % 6 == 0:
            waste = service.record_vial_waste(
                session,
                injector,
                vial_id,
                {"units": "3.5", "reason": "dropped"},
                now=at + timedelta(hours=2),
                zone=ZONE,
            )
            tally.add(tally.wasted, lots[name], waste.units)
        # Most vials are closed the same day; some only once past their time.
        closed_at = at + timedelta(hours=8 if day % 8 else 30)
        waste = service.close_vial(
            session,
            injectors[1],
            vial_id,
            {"reason": "end_of_session" if day % 8 else "expired_in_use"},
            now=closed_at,
            zone=ZONE,
        )
        tally.add(tally.wasted, lots[name], waste.units if waste else 0)
        check_identity(session, tally, lot_ids)

    waste = service.discard_unopened(
        session, staff, lots["botox"], {"vials": "1", "reason": "damaged"}, now=at
    )
    tally.add(tally.wasted, lots["botox"], waste.units)
    check_identity(session, tally, lot_ids)
    botox_lot = balance(session, lots["botox"])
    # Vials: 14 received, one a Botox clinic day opened, one discarded.
    opened = session.exec(
        select(VialLot).where(VialLot.stock_lot_id == lots["botox"])
    ).all()
    assert len(opened) == 12
    assert botox_lot.unopened_vials == 14 - 12 - 1
    assert botox_lot.open_vials == 0
    assert ledger.vials_to_close(session, now=at + timedelta(days=3)).total == 0
    reasons = set(session.exec(select(StockWaste.reason)).all())
    assert reasons == {"dropped", "end_of_session", "expired_in_use", "damaged"}


def test_the_alert_thresholds_are_the_clinics_settings(session, staff, make_user):
    admin_user = make_user(Role.ADMIN)
    admin = Actor(admin_user.id, admin_user.email)
    service.receive_stock(
        session, staff, delivery(expiry_date="2027-03-01", vials="4"), today=TODAY
    )
    overview = stock_levels.stock_overview(session, today=TODAY)
    assert (overview.expiry_days, overview.low_vials, overview.alerts) == (60, 2, [])
    update_setting(session, admin, "stock_low_vials", "5", version=1, now=START)
    update_setting(
        session, admin, "stock_expiry_alert_days", "120", version=1, now=START
    )
    overview = stock_levels.stock_overview(session, today=TODAY)
    assert overview.alerts == [
        "Botox: 4 unopened vial(s) in date, fewer than the clinic's 5.",
        "Botox lot C4410AB: expires 1 Mar 2027, within 120 days; 4 unopened.",
    ]


def test_closing_a_closed_vial_says_when_on_the_clinics_clock(
    session, injector, stock_vial
):
    """23:30 UTC on 1 July 2027 is 00:30 on 2 July in London: the refusal says
    the clinic's day and time, not UTC's."""
    vial_id = stock_vial(30)
    closed_at = datetime(2027, 7, 1, 23, 30, tzinfo=UTC)
    service.close_vial(
        session,
        injector,
        vial_id,
        {"reason": "end_of_session"},
        now=closed_at,
        zone=ZONE,
    )
    with pytest.raises(Conflict) as refused:
        service.close_vial(
            session,
            injector,
            vial_id,
            {"reason": "end_of_session"},
            now=closed_at + timedelta(minutes=5),
            zone=ZONE,
        )
    assert "already closed by" in refused.value.message
    assert "at 00:30 on 2 Jul 2027; nothing was recorded." in refused.value.message
