"""Review rC, C3: an open vial with more charted from it than it holds.

The ledger and the count both go negative together, so the lot used to
"reconcile"; it is a stock problem, worded as an over-draw. Each product in its
own units and vial size.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import stock as service
from planner.services.audit import Actor
from tests.factories import make_treatment
from tests.services.test_stock import START
from tests.services.test_stock import TODAY
from tests.services.test_stock import balance
from tests.services.test_stock import delivery
from tests.services.test_stock import vial_form

# (vial size, each patient's dose), in the product's units: three doses overdraw.
LOTS = {"botox": ("100", 40), "dysport": ("300", 120)}
UNIT = {"botox": "U", "dysport": "U (Speywood)"}


@pytest.fixture
def staff(make_user):
    user = make_user(Role.STAFF)
    return Actor(user.id, user.email)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_overdrawn_open_vial_is_a_stock_problem_not_a_reconciled_lot(
    session, staff, injector, make_patient, product
):
    size, dose = LOTS[product]
    lot = delivery(product=product, vial_units=size, vials="1")
    receipt = service.receive_stock(session, staff, lot, today=TODAY)
    vial = None
    for hour in range(3):
        at = START + timedelta(hours=hour)
        form = vial_form(lot, at) if vial is None else {"lot_choice": str(vial)}
        treatment = make_treatment(
            session,
            injector,
            make_patient().id,
            [("platysma", "left", dose)],
            when=at,
            sign=True,
            product=product,
            **form,
        )
        vial = treatment.record.vial_lot_id
        if hour == 1:
            # Two doses: within the vial, and the lot reconciles.
            assert balance(session, receipt.stock_lot_id).problems == []
    over = 3 * dose - int(size)
    found = balance(session, receipt.stock_lot_id)
    assert found.difference == 0  # the ledger and the count agree, both short
    assert found.problems == [
        f"{over} {UNIT[product]} is charted from 1 open vial beyond what it holds: "
        "an over-draw. A chart may name the wrong vial, or another vial was opened "
        "and not recorded, so the unopened count may be too high"
    ]
