"""Each vial's warning has its own key, so one reason cannot cover two vials.

A chart that drew from two vials, both made up longer ago than the product's
in-use time, raises the same warning for each: they must not share a key (the
reason typed for one would stand for the other at signing). A one-vial chart's
keys stay as they were, so signed records still match their warnings word for
word. Botox and Dysport, each in its own units.
"""

from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.services import safety
from planner.services import sessions as session_service
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import SIZE
from tests.services.test_second_vial import new_vial
from tests.services.test_second_vial import switch
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair

CODE = "reconstitution_expired"
# Made up 30 h before the chart: past every product's 24 h in-use time.
STALE = (LATER - timedelta(hours=30)).isoformat()


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def stale_chart(chair, make_patient, product, *, second_vial):
    """Chart a site from a stale vial; with ``second_vial``, switch to another
    stale vial and chart one more."""
    patient = make_patient(affected_side="left")
    record, version = chair.open(
        patient,
        LATER,
        product=product,
        lot_number="FIRST1",
        vial_units=SIZE[product],
        reconstituted_at=STALE,
    )
    version, _ = chair.tap(record, version, "mentalis", "left", DOSE[product], LATER)
    if second_vial:
        data = new_vial(version, product, "SECOND2", reconstituted_at=STALE)
        version, _ = switch(chair, record, data)
        version, _ = chair.tap(
            record, version, "platysma", "left", DOSE[product], LATER
        )
    return record, version


def stale_warnings(chair, record):
    found = safety.check_chart(chair.session, record, zone=LONDON, now=LATER)
    records = safety.as_records(found)
    assert len({w["key"] for w in records}) == len(records), records
    return [w for w in records if w["code"] == CODE]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_two_stale_vials_raise_two_warnings_with_their_own_keys(
    chair, make_patient, product
):
    record, version = stale_chart(chair, make_patient, product, second_vial=True)
    stale = stale_warnings(chair, record)
    assert [w["message"].split(" ", 2)[1] for w in stale] == ["SECOND2", "FIRST1"]
    first, second = (w["key"] for w in stale)
    assert first != second

    # A reason for one vial's warning does not sign the chart: the other's is
    # still asked for, by its own key.
    with pytest.raises(InvalidInput) as refused:
        session_service.sign_session(
            chair.session,
            chair.injector,
            record.id,
            {
                "version": version,
                "consent_obtained": True,
                "reasons": {first: "Checked with pharmacy."},
            },
            zone=LONDON,
            now=LATER,
        )
    assert f"reasons.{second}" in refused.value.fields
    assert f"reasons.{first}" not in refused.value.fields


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_one_vial_charts_warning_keeps_its_key(chair, make_patient, product):
    record, _ = stale_chart(chair, make_patient, product, second_vial=False)
    [stale] = stale_warnings(chair, record)
    assert stale["key"] == CODE
