"""An undo of a delete puts the site back under its own number (review rW, W8).

A chart of three sites loses site 2 and the chair's undo puts it back: it is
site 2 again, not site 4, so the record and the handout skip no number, and the
audit trail shows site 2 deleted and site 2 created. The number is kept only
while it is free and only for a site deleted from this chart: a number another
site holds, one no site of this chart was deleted under, or one out of range is
refused, naming ``number``, and nothing is written. Botox and Dysport, each in
its own units.
"""

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.services.chart_state import chart_state
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import DOSE
from tests.services.test_undo_site_vial import delete
from tests.services.test_undo_site_vial import put_back
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


SITES = [("mentalis", "left"), ("platysma", "left"), ("depressor_anguli_oris", "right")]


def three_sites(chair, make_patient, product):
    """A draft of ``product`` with sites 1–3; return it, its version and its sites."""
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, LATER, product=product)
    for muscle, side in SITES:
        version, _ = chair.tap(record, version, muscle, side, DOSE[product], LATER)
    return record, version, sites_of(chair, record)


def sites_of(chair, record):
    chair.session.expire_all()
    return chair.session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == record.id)
        .order_by(InjectionSite.number)
    ).all()


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_deleted_site_put_back_keeps_its_number(chair, make_patient, product):
    record, _, sites = three_sites(chair, make_patient, product)
    second = sites[1]
    version = delete(chair, record, second)
    version, back = put_back(chair, record, version, second, number=2)
    assert back.number == 2
    assert [(s.number, s.muscle, s.units) for s in sites_of(chair, record)] == [
        (1, "mentalis", DOSE[product]),
        (2, "platysma", DOSE[product]),
        (3, "depressor_anguli_oris", DOSE[product]),
    ]
    # The chart the tablet reads (and the record, the handout) numbers 1, 2, 3.
    state = chart_state(
        chair.session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER
    )
    assert [s.number for s in state.sites] == [1, 2, 3]
    # The trail: site 2 deleted, then site 2 created under its new id.
    created = chair.session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "injection_site",
            AuditEvent.action == AuditAction.CREATE,
            AuditEvent.entity_id == back.id,
        )
    ).one()
    assert created.after["number"] == 2


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_without_a_number_the_site_takes_the_next(chair, make_patient, product):
    record, _, sites = three_sites(chair, make_patient, product)
    version = delete(chair, record, sites[1])
    _, back = put_back(chair, record, version, sites[1])
    assert back.number == 4


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize(
    ("number", "why"),
    [
        (3, "is taken by another site of this chart"),
        (5, "is not the number of a site deleted from this chart"),
        (0, "greater than or equal to 1"),
        (1000, "less than or equal to 999"),
    ],
)
def test_a_number_taken_not_deleted_or_out_of_range_is_refused(
    chair, make_patient, product, number, why
):
    record, _, sites = three_sites(chair, make_patient, product)
    version = delete(chair, record, sites[1])
    with pytest.raises(InvalidInput) as refused:
        put_back(chair, record, version, sites[1], number=number)
    assert why in refused.value.fields["number"]
    # Nothing written: the chart keeps its version and sites 1 and 3.
    assert [s.number for s in sites_of(chair, record)] == [1, 3]
    chair.session.refresh(record)
    assert record.version == version
    # The site's own number is still free to put it back under.
    _, back = put_back(chair, record, version, sites[1], number=2)
    assert back.number == 2


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_only_this_charts_deleted_numbers_are_given(chair, make_patient, product):
    other, version, other_sites = three_sites(chair, make_patient, product)
    _, fourth = chair.tap(other, version, "frontalis", "right", DOSE[product], LATER)
    delete(chair, other, fourth)
    record, _, sites = three_sites(chair, make_patient, product)
    version = delete(chair, record, sites[1])
    # Site 4 was deleted from the other chart, never from this one.
    with pytest.raises(InvalidInput) as refused:
        put_back(chair, record, version, sites[1], number=4)
    assert "not the number of a site deleted" in refused.value.fields["number"]
    assert [s.number for s in sites_of(chair, other)] == [1, 2, 3]
