"""A session the desk refuses to open leaves nothing behind: no vial, no audit.

Opening a chart adds its new vial before it works out the session's cycle; a top-up
refused there (its cycle's window has opened) left that vial pending in the unit
of work, and the next commit in the same request stored it as reconstituted, with
a discard-by time on Stock, for a session that never existed.
"""

from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import TreatmentSession
from planner.models import VialLot
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import given_full


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def stored(session):
    session.expire_all()
    lots = session.exec(select(VialLot.lot_number)).all()
    sessions = session.exec(select(TreatmentSession.id)).all()
    events = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))).all()
    return sorted(lots), len(sessions), list(events)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_refused_top_up_keeps_no_new_vial(session, chair, make_patient, product):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    before = stored(session)

    late = DAY0 + timedelta(days=120)
    with pytest.raises(InvalidInput) as refused:
        chair.open(patient, late, product=product, kind="top_up", lot_number="REFUSED")
    assert "kind" in refused.value.fields
    # Whatever the request commits next (a read audit, a flash), the refused
    # opening's vial is not in it.
    session.commit()
    assert stored(session) == before
    assert "REFUSED" not in stored(session)[0]

    # The same day, opened as the new full treatment it is: its vial is stored.
    chair.open(patient, late, product=product, lot_number="REFUSED")
    assert "REFUSED" in stored(session)[0]
