"""A product row the shipped dose reference does not list (review rX, X2).

Planner has no dose limits, tap defaults or steps for such a product (a
clinic-added Relfydess) and takes none of another product's, so it cannot chart
it: it is not offered, a chart, top-up, vial or delivery of it is refused naming
``product``, and a chart or limits page already in it answers with a clear page,
not a 500, from which the draft can still be discarded.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.errors import NoDoseReference
from planner.models import Product
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import dose_rules
from planner.services import limit_settings
from planner.services import lots
from planner.services import sessions as session_service
from planner.services import stock
from planner.services import vial_switch
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import treatment_form
from tests.services.test_stock import delivery

DAY0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
REASON = "no dose reference for Relfydess: planner cannot chart it"
UNLISTED = pytest.mark.audit_exempt(
    "a clinic-added product row, and a chart moved into it: no page does either",
    tables=["product", "treatment_session"],
)


@pytest.fixture
def relfydess(session):
    product = Product(
        code="relfydess",
        brand="Relfydess",
        inn="relabotulinumtoxinA",
        unit_name="U",
        vial_sizes=[50],
        dilutions=[],
        in_use_hours=24,
        in_use_source="clinic",
        interval_source="clinic",
    )
    session.add(product)
    session.commit()
    return product


def relfydess_form(when, **overrides):
    return treatment_form(
        when, product="relfydess", vial_units=50, diluent_ml=1.0, **overrides
    )


@pytest.fixture
def unlisted_draft(session, injector, make_patient, relfydess):
    """A draft charted in Relfydess before planner refused it: a Botox draft
    whose product row is then changed, with a dose on it."""
    treatment = make_treatment(
        session, injector, make_patient().id, [("mentalis", "left", 2)], when=DAY0
    )
    record = session.get(TreatmentSession, treatment.id)
    record.product_id = relfydess.id
    session.add(record)
    session.commit()
    return record


def refused(info):
    assert info.value.fields == {"product": REASON}
    assert (
        info.value.message
        == "No dose reference for Relfydess: planner cannot chart it."
    )


@UNLISTED
def test_the_product_is_not_offered(session, relfydess):
    offered = [product.code for product in lots.list_products(session)]
    assert "relfydess" not in offered
    assert {"botox", "dysport", "xeomin", "daxxify"} <= set(offered)


@UNLISTED
@pytest.mark.parametrize("kind", ["full", "top_up"])
def test_a_chart_or_top_up_in_it_is_refused_naming_the_product(
    session, injector, make_patient, relfydess, kind
):
    patient = make_patient()
    if kind == "top_up":
        make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", 2)],
            when=DAY0,
            sign=True,
        )
    when = DAY0 + timedelta(days=14)
    with pytest.raises(NoDoseReference) as info:
        session_service.open_session(
            session,
            injector,
            patient.id,
            relfydess_form(when, kind=kind),
            zone=ZONE,
            now=when,
        )
    refused(info)
    # Botox and Dysport open as before.
    for product, units in (("botox", 100), ("dysport", 300)):
        other = make_patient()
        opened = session_service.open_session(
            session,
            injector,
            other.id,
            treatment_form(when, product=product, vial_units=units),
            zone=ZONE,
            now=when,
        )
        assert opened.status == SessionStatus.DRAFT


@UNLISTED
def test_a_delivery_of_it_is_refused_naming_the_product(session, make_user, relfydess):
    from planner.services.audit import Actor

    user = make_user(Role.STAFF)
    staff = Actor(user.id, user.email)
    today = DAY0.date()
    with pytest.raises(InvalidInput) as info:
        stock.receive_stock(
            session,
            staff,
            delivery(
                product="relfydess", vial_units="50", received_on=today.isoformat()
            ),
            today=today,
        )
    refused(info)
    for product, units in (("botox", "100"), ("dysport", "300")):
        receipt = stock.receive_stock(
            session,
            staff,
            delivery(
                product=product,
                lot_number=f"{product}1",
                vial_units=units,
                received_on=today.isoformat(),
            ),
            today=today,
        )
        assert receipt.id is not None


@UNLISTED
def test_a_new_vial_and_the_dose_rules_refuse_an_existing_chart(
    session, injector, unlisted_draft
):
    with pytest.raises(NoDoseReference) as info:
        vial_switch.switch_vial(
            session,
            injector,
            unlisted_draft.id,
            {
                **relfydess_form(DAY0, lot_number="R2"),
                "version": unlisted_draft.version,
            },
            zone=ZONE,
            now=DAY0,
        )
    refused(info)
    with pytest.raises(NoDoseReference):
        chart_state(session, unlisted_draft.id, face_map=FACE_MAP, zone=ZONE, now=DAY0)
    for read in (dose_rules.product_doses, limit_settings.product_limits):
        with pytest.raises(NoDoseReference):
            read(session, "relfydess")
    with pytest.raises(NoDoseReference):
        dose_rules.default_dose(session, "relfydess", "mentalis")
    # The listed products read as before.
    assert dose_rules.product_doses(session, "dysport").unit_name == "U (Speywood)"
    assert limit_settings.product_limits(session, "botox").code == "botox"


@UNLISTED
def test_the_pages_do_not_offer_it_and_refuse_it_by_name(
    session, login_as, make_patient, relfydess
):
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    form = injector.get(f"/patients/{patient.id}/sessions/new").get_data(as_text=True)
    assert 'value="relfydess"' not in form
    assert 'value="dysport"' in form
    answer = injector.post_form(
        f"/patients/{patient.id}/sessions",
        relfydess_form(datetime.now(UTC)),
    )
    assert answer.status_code == 400
    assert REASON in answer.get_data(as_text=True)

    staff = login_as(Role.STAFF)
    receive = staff.get("/stock/receive").get_data(as_text=True)
    assert 'value="relfydess"' not in receive
    assert 'value="botox"' in receive
    answer = staff.post_form(
        "/stock/receipts", delivery(product="relfydess", vial_units="50")
    )
    assert answer.status_code == 400
    assert REASON in answer.get_data(as_text=True)

    admin = login_as(Role.ADMIN)
    page = admin.get("/settings/limits/relfydess")
    assert page.status_code == 400
    assert REASON in page.get_data(as_text=True)
    assert admin.get("/settings/limits/botox").status_code == 200
    assert admin.get("/settings/limits/nosuch").status_code == 404
    saved = admin.post_form("/settings/limits/relfydess", {"stamp": ""})
    assert saved.status_code == 400
    assert REASON in saved.get_data(as_text=True)


@UNLISTED
def test_a_chart_in_it_answers_clearly_and_can_be_discarded(
    session, login_as, unlisted_draft
):
    injector = login_as(Role.INJECTOR)
    page = injector.get(f"/sessions/{unlisted_draft.id}")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "This chart cannot be opened" in text
    assert "No dose reference for Relfydess: planner cannot chart it." in text
    discard_link = f'href="/sessions/{unlisted_draft.id}/discard"'
    assert discard_link in text
    api = injector.api("GET", f"/api/v1/sessions/{unlisted_draft.id}")
    assert api.status_code == 400
    assert api.get_json()["fields"] == {"product": REASON}
    # Staff read the page too, without the discard button.
    assert discard_link not in login_as(Role.STAFF).get(
        f"/sessions/{unlisted_draft.id}"
    ).get_data(as_text=True)

    assert injector.get(f"/sessions/{unlisted_draft.id}/discard").status_code == 200
    done = injector.post_form(
        f"/sessions/{unlisted_draft.id}/discard",
        {"reason": "Opened in a product planner cannot chart", "confirmed": "yes"},
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(TreatmentSession, unlisted_draft.id).status == (
        SessionStatus.DISCARDED
    )
