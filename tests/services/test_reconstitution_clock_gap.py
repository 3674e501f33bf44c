"""A vial's reconstitution time is read on the clinic's clock, as the treatment's is.

The vial's in-use time (24 h; Daxxify 72 h) counts from it. 01:30 on Sunday 29
March 2026 never happened in London: the clocks went from 01:00 to 02:00. Such
a time is refused, naming the field, rather than stored as 02:30 BST without a
word. 01:30 on Sunday 25 October 2026 happened twice; like the treatment time,
it is read as the first (01:30 BST, 00:30 UTC). Botox and Dysport, through the
new-session form's new vial, the one place a reconstitution time is typed.
"""

from datetime import UTC
from datetime import datetime

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import VialLot
from planner.services import sessions as session_service
from tests.factories import ZONE
from tests.factories import treatment_form

PRODUCTS = {"botox": 100, "dysport": 300}
SPRING = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)


def open_with(session, injector, patient, product, reconstituted, now):
    form = treatment_form(
        now,
        product=product,
        vial_units=PRODUCTS[product],
        reconstituted_at=reconstituted,
        expiry_date="2028-01-31",
    )
    return session_service.open_session(
        session, injector, patient.id, form, zone=ZONE, now=now
    )


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_a_reconstitution_in_the_skipped_hour_is_refused(
    session, injector, make_patient, product
):
    with pytest.raises(InvalidInput) as refused:
        open_with(
            session, injector, make_patient(), product, "2026-03-29T01:30", SPRING
        )
    assert refused.value.fields == {
        "reconstituted_at": "falls in the hour the clocks went forward on 29 Mar "
        "2026: enter the time the clinic's clocks showed"
    }
    assert session.exec(select(VialLot)).all() == []

    # Either side of the gap is a time the clocks showed.
    for typed, utc_hour in (("2026-03-29T00:59", 0), ("2026-03-29T02:00", 1)):
        record = open_with(session, injector, make_patient(), product, typed, SPRING)
        vial = session.get(VialLot, record.vial_lot_id)
        assert vial.reconstituted_at.astimezone(UTC).hour == utc_hour


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_a_reconstitution_in_the_repeated_hour_is_its_first(
    session, injector, make_patient, product
):
    record = open_with(
        session, injector, make_patient(), product, "2026-10-25T01:30", AUTUMN
    )
    vial = session.get(VialLot, record.vial_lot_id)
    assert vial.reconstituted_at.astimezone(UTC) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
