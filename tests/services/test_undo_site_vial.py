"""An undo after a vial switch puts a deleted site back with the vial it was drawn from.

The chart draws sites 1–2 from lot FIRST1, switches to SECOND2, then a FIRST1
site is deleted and put back as the chair's undo does: it keeps FIRST1, so the
first vial's lot keeps the site it gave (reference §5 [S58]). A vial of another
product or of another chart is refused, naming ``vial_lot_id``. Botox and
Dysport, each in its own units.
"""

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.services import chart as chart_service
from planner.services.chart_state import chart_state
from planner.services.stock_ledger import vial_use
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import SIZE
from tests.services.test_second_vial import two_vial_session
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair

OTHER = {"botox": "dysport", "dysport": "botox"}


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def first_vial_sites(chair, record, first):
    return chair.session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == record.id)
        .where(InjectionSite.vial_lot_id == first)
        .order_by(InjectionSite.number)
    ).all()


def switched(chair, make_patient, product):
    """Sites 1–2 from FIRST1, a switch, site 3 from SECOND2, still a draft; return
    the chart, both vials' ids and the first vial's sites."""
    _, record, first, second = two_vial_session(
        chair, make_patient, product, sign=False
    )
    return record, first, second, first_vial_sites(chair, record, first)


def delete(chair, record, site):
    chair.session.refresh(record)
    return chart_service.delete_site(
        chair.session,
        chair.injector,
        record.id,
        site.id,
        {"version": record.version},
        now=LATER,
    )


def put_back(chair, record, version, site, **extra):
    """What the chair's undo (tasks.js restoreTask) posts for a deleted site."""
    data = {"version": version, "x": site.x, "y": site.y, "units": site.units}
    return chart_service.add_site(
        chair.session,
        chair.injector,
        record.id,
        {**data, **extra},
        face_map=FACE_MAP,
        default_units=lambda *_: None,
        zone=LONDON,
        now=LATER,
    )


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_site_put_back_after_a_switch_keeps_its_first_vial(
    chair, make_patient, product
):
    record, first, second, (deleted, _) = switched(chair, make_patient, product)
    version = delete(chair, record, deleted)

    version, back = put_back(chair, record, version, deleted, vial_lot_id=first)
    assert chair.session.get(InjectionSite, back.id).vial_lot_id == first
    # The first vial's lot counts both its sites again, each in the product's units.
    assert vial_use(chair.session, [first])[first].draft == 2 * DOSE[product]
    assert vial_use(chair.session, [second])[second].draft == DOSE[product]
    state = chart_state(
        chair.session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER
    ).as_json()
    vials = {v["lot_number"]: v["site_numbers"] for v in state["session"]["vials"]}
    assert vials == {"FIRST1": [2, back.number], "SECOND2": [3]}
    # Left out, a site put back is drawn from the vial in use, as a tap is.
    deleted = chair.session.get(InjectionSite, back.id)
    version = delete(chair, record, deleted)
    _, again = put_back(chair, record, version, deleted)
    assert chair.session.get(InjectionSite, again.id).vial_lot_id == second


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_first_vials_last_site_put_back_still_keeps_it(
    chair, make_patient, product
):
    """No site names FIRST1 any more: the switch's audit event still does."""
    record, first, _, (one, two) = switched(chair, make_patient, product)
    delete(chair, record, one)
    version = delete(chair, record, two)
    assert first_vial_sites(chair, record, first) == []

    _, back = put_back(chair, record, version, two, vial_lot_id=first)
    assert chair.session.get(InjectionSite, back.id).vial_lot_id == first


def site_ids(chair, record):
    return chair.session.exec(
        select(InjectionSite.id).where(InjectionSite.session_id == record.id)
    ).all()


def refused(chair, record, site, vial_id):
    chair.session.refresh(record)
    before = site_ids(chair, record)
    with pytest.raises(InvalidInput) as info:
        put_back(chair, record, record.version, site, vial_lot_id=vial_id)
    chair.session.rollback()
    assert site_ids(chair, record) == before  # nothing charted
    return info.value.fields


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_vial_of_another_product_or_chart_is_refused_by_name(
    chair, make_patient, product
):
    record, _, _, (deleted, _) = switched(chair, make_patient, product)
    delete(chair, record, deleted)

    # Another product's vial, open on another patient's chart: never drawn from.
    other, _ = chair.open(
        make_patient(),
        LATER,
        product=OTHER[product],
        lot_number="OTHER1",
        vial_units=SIZE[OTHER[product]],
    )
    fields = refused(chair, record, deleted, other.vial_lot_id)
    assert "another product" in fields["vial_lot_id"]

    # The same product's vial, on another chart only.
    elsewhere, _ = chair.open(
        make_patient(), LATER, product=product, lot_number="ELSE1"
    )
    fields = refused(chair, record, deleted, elsewhere.vial_lot_id)
    assert fields["vial_lot_id"].startswith("is not a vial this chart drew from")

    # No such vial.
    fields = refused(chair, record, deleted, 10**6)
    assert "vial_lot_id" in fields
