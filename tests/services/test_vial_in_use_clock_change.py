"""A vial's in-use time is real hours, across the clinic's clock change.

A reconstitution typed on the vial form is clinic time. 10:00 on Saturday
24 October 2026 in London is 09:00 UTC; the clocks go back that night, so 24
hours later is 09:00 on the Sunday, which the clinic's clocks show as 09:00 too,
not 10:00. The stock page, the worklist's vials to close and the chair's own
check must all see the vial's time end at the same moment.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.dosing.timing import check_lot
from planner.models import Product
from planner.models import VialLot
from planner.services import stock_ledger
from tests.factories import ZONE
from tests.factories import make_treatment

# Product, its vial's diluent (mL) and its in-use hours: Botox 24 h, Daxxify 72 h.
PRODUCTS = [("botox", 2.5, 24), ("daxxify", 1.25, 72)]
OPENED = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)  # typed as 10:00 London time


@pytest.mark.parametrize(("product", "diluent_ml", "hours"), PRODUCTS)
def test_discard_by_is_real_hours_across_the_autumn_clock_change(
    session, injector, make_patient, product, diluent_ml, hours
):
    treated = make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", 2)],
        when=OPENED + timedelta(minutes=30),
        sign=True,
        product=product,
        vial_units=100,
        diluent_ml=diluent_ml,
        reconstituted_at="2026-10-24T10:00",
    )
    vial = session.get(VialLot, treated.record.vial_lot_id)
    session.refresh(vial)
    ends = OPENED + timedelta(hours=hours)
    assert vial.discard_by == ends

    # Half an hour past the end, the stock page, the worklist and the chair agree.
    later = ends + timedelta(minutes=30)
    (opened,) = [
        v for v in stock_ledger.open_vials(session, now=later) if v.id == vial.id
    ]
    assert opened.overdue
    assert stock_ledger.vials_to_close(session, now=later).total == 1
    product_row = session.get(Product, vial.product_id)
    codes = [w.code for w in check_lot(vial, product_row, later.astimezone(ZONE))]
    assert "reconstitution_expired" in codes
    # Half an hour before it, none of them does.
    earlier = ends - timedelta(minutes=30)
    (opened,) = [
        v for v in stock_ledger.open_vials(session, now=earlier) if v.id == vial.id
    ]
    assert not opened.overdue
    assert stock_ledger.vials_to_close(session, now=earlier).total == 0
