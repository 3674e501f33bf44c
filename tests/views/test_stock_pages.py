"""The stock pages through the Flask client: deliveries, the chair, waste, recall."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.db_types import utc_now
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models import VialLot
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.conftest import assert_shows
from tests.factories import make_treatment

INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)", re.IGNORECASE)


def text(response):
    return response.get_data(as_text=True)


def delivery(**overrides):
    today = utc_now().date()
    return {
        "product": "botox",
        "lot_number": "C4410AB",
        "expiry_date": (today + timedelta(days=300)).isoformat(),
        "vial_units": "100",
        "vials": "5",
        "supplier": "Alliance Healthcare",
        "received_on": today.isoformat(),
        "storage_place": "Fridge 1",
        "note": "",
        **overrides,
    }


@pytest.fixture
def staff(login_as):
    return login_as(Role.STAFF)


@pytest.fixture
def injector_browser(login_as):
    return login_as(Role.INJECTOR)


@pytest.fixture
def received(staff):
    response = staff.post_form("/stock/receipts", delivery())
    assert response.status_code == 302, text(response)
    return delivery()


def test_staff_receive_a_delivery_and_see_it_on_hand(staff, received):
    page = text(staff.get("/stock/", follow_redirects=True))
    assert_shows(page, "C4410AB", "500 U on hand", "Fridge 1", "5 vials")
    assert "Reconciles" in page
    assert not INLINE_STYLE.search(page)
    assert not INLINE_SCRIPT.search(page)


def test_a_bad_delivery_is_shown_again_with_its_field_named(staff):
    response = staff.post_form("/stock/receipts", delivery(vial_units="150"))
    assert response.status_code == 400
    assert_shows(text(response), "Units in each vial must be one of", 'value="C4410AB"')


def test_the_chair_takes_a_vial_from_stock_and_closing_it_wastes_the_rest(
    received, injector_browser, make_patient, session
):
    patient = make_patient()
    new = text(injector_browser.get(f"/patients/{patient.id}/sessions/new"))
    assert_shows(new, '<option value="C4410AB">', "5 unopened", "Reconstituted with")
    form = {
        **VIAL_FORM,
        "lot_number": "c4410ab",
        "expiry_date": received["expiry_date"],
        "diluent": "Sodium chloride 0.9%",
    }
    consent_by_browser(injector_browser, patient.id)
    opened = injector_browser.post_form(f"/patients/{patient.id}/sessions", form)
    assert opened.status_code == 302, text(opened)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(
        injector_browser, session_id, "mentalis", "left", version=1, units=3
    )
    assert tapped.status_code == 201, tapped.json
    signed = post_sign(injector_browser, session_id, version=2)
    assert signed.status_code == 200, signed.json
    vial = session.exec(select(VialLot)).one()
    page = text(injector_browser.get("/stock/"))
    assert_shows(page, f'id="vial-{vial.id}"', "Close: 97 U to waste", "497 U on hand")
    again = text(injector_browser.get(f"/patients/{patient.id}/sessions/new"))
    assert "discard by" in again
    closed = injector_browser.post_form(
        f"/stock/vials/{vial.id}/close", {"reason": "end_of_session"}
    )
    assert closed.status_code == 302
    page = text(injector_browser.get("/stock/"))
    assert_shows(page, "97 units left in it recorded as waste", "400 U on hand")
    twice = injector_browser.post_form(
        f"/stock/vials/{vial.id}/close", {"reason": "end_of_session"}
    )
    assert "already closed" in text(injector_browser.get(twice.headers["Location"]))


def test_waste_more_than_is_left_is_refused_with_the_reason(
    received, injector_browser, make_patient, session, injector
):
    make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", 5)],
        when=utc_now(),
        sign=True,
        lot_number="C4410AB",
        expiry_date=received["expiry_date"],
        reconstituted_at=utc_now().isoformat(),
    )
    vial = session.exec(select(VialLot)).one()
    response = injector_browser.post_form(
        f"/stock/vials/{vial.id}/waste",
        {"units": "96", "reason": "dropped"},
        follow_redirects=True,
    )
    assert "is more than the 95 left in the vial" in text(response)


def test_a_vial_past_its_in_use_time_is_on_the_worklist(
    received, staff, make_patient, session, injector
):
    opened = utc_now() - timedelta(hours=30)
    make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", 5)],
        when=opened,
        sign=True,
        lot_number="C4410AB",
        expiry_date=received["expiry_date"],
        reconstituted_at=opened.isoformat(),
    )
    vial = session.exec(select(VialLot)).one()
    page = text(staff.get("/schedule/"))
    assert_shows(
        page,
        "Open vials past their in-use time",
        "Botox, lot C4410AB",
        "95 U",
        f'href="/stock/#vial-{vial.id}"',
    )


def test_the_worklist_has_no_vial_section_when_none_is_due(staff):
    assert "Open vials past" not in text(staff.get("/schedule/"))


def test_the_monthly_report_page_and_csv(received, staff):
    month = utc_now().strftime("%Y-%m")
    page = text(staff.get(f"/stock/report?month={month}"))
    assert_shows(page, "Usage and wastage by month", "Botox", "500")
    response = staff.get(f"/stock/report.csv?month={month}")
    assert response.mimetype == "text/csv"
    assert f"stock-usage-to-{month}.csv" in response.headers["Content-Disposition"]
    assert text(response).startswith("month,product,unit,received_units")
    assert staff.get("/stock/report?month=junk").status_code == 400


@pytest.fixture
def recalled(session, make_patient, injector):
    """Three patients given lot RC1, one given another lot."""
    given = []
    for index in range(3):
        patient = make_patient(family_name=f"Recall{index}", phone="01234 567890")
        make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", 4)],
            when=utc_now(),
            sign=True,
            lot_number="RC1",
        )
        given.append(patient)
    make_treatment(
        session,
        injector,
        make_patient(family_name="Elsewhere").id,
        [("mentalis", "left", 4)],
        when=utc_now(),
        sign=True,
        lot_number="RC2",
    )
    return given


def test_recall_lists_the_patients_and_audits_the_look_up(
    recalled, injector_browser, session
):
    page = text(injector_browser.get("/stock/recall?product=botox&lot=rc1"))
    assert_shows(
        page, "Botox lot RC1: 3 patients", "Recall0", "Recall2", "01234 567890"
    )
    assert "Elsewhere" not in page
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "recall")
    ).all()
    assert {e.patient_id for e in events} == {p.id for p in recalled}
    assert {e.action for e in events} == {AuditAction.LOOKUP}
    assert {e.after["product"] for e in events} == {"botox"}


def test_recall_csv_and_letters(recalled, injector_browser):
    response = injector_browser.get("/stock/recall.csv?product=botox&lot=RC1")
    assert response.mimetype == "text/csv"
    assert "recall-botox-RC1-" in response.headers["Content-Disposition"]
    assert len(text(response).splitlines()) == 4
    letters = text(injector_browser.get("/stock/recall/letters?product=botox&lot=RC1"))
    assert letters.count('class="letter"') == 3
    assert "Dear Ada Recall1" in letters


# The same lot number from three makers; Dysport's vials hold 300 U.
SHARED_LOT = {"botox": {}, "xeomin": {}, "dysport": {"vial_units": 300}}
BRANDS = {"botox": "Botox", "xeomin": "Xeomin", "dysport": "Dysport"}


@pytest.fixture
def shared_lot(session, make_patient, injector):
    """One patient per product, each given that product's lot AB123."""
    for product, form in SHARED_LOT.items():
        make_treatment(
            session,
            injector,
            make_patient(family_name=f"Given{BRANDS[product]}").id,
            [("mentalis", "left", 4)],
            when=utc_now(),
            sign=True,
            product=product,
            lot_number="AB123",
            **form,
        )


@pytest.mark.parametrize("product", list(SHARED_LOT))
def test_a_recall_page_csv_and_letters_cover_only_the_chosen_product(
    shared_lot, injector_browser, product
):
    others = [f"Given{BRANDS[code]}" for code in SHARED_LOT if code != product]
    page = text(injector_browser.get(f"/stock/recall?product={product}&lot=ab123"))
    assert_shows(
        page,
        f"{BRANDS[product]} lot AB123: 1 patient, 1 session",
        f"Given{BRANDS[product]}",
        f"/stock/recall.csv?product={product}&amp;lot=AB123",
        f"/stock/recall/letters?product={product}&amp;lot=AB123",
        f'<option value="{product}" selected>',
    )
    csv = text(injector_browser.get(f"/stock/recall.csv?product={product}&lot=AB123"))
    letters = text(
        injector_browser.get(f"/stock/recall/letters?product={product}&lot=AB123")
    )
    assert len(csv.splitlines()) == 2
    assert f"Given{BRANDS[product]}" in csv
    assert letters.count('class="letter"') == 1
    assert f"Dear Ada Given{BRANDS[product]}" in letters
    for other in others:
        assert other not in page
        assert other not in csv
        assert other not in letters


def test_the_recall_form_asks_for_a_product_from_the_catalogue(login_as):
    page = text(login_as(Role.ADMIN).get("/stock/recall"))
    assert_shows(
        page,
        '<label for="product">Product <span class="required">(required)</span>',
        '<select id="product" name="product" required>',
        '<option value="xeomin">Xeomin (incobotulinumtoxinA)</option>',
    )


@pytest.mark.parametrize(
    ("query", "reason"),
    [("lot=AB123", "is required"), ("product=toxin-x&lot=AB123", "is not a product")],
)
def test_a_recall_without_a_known_product_names_the_field(
    shared_lot, injector_browser, session, query, reason
):
    response = injector_browser.get(f"/stock/recall?{query}")
    assert response.status_code == 400
    assert_shows(
        text(response),
        f'<a href="#product">Product {reason}',
        'aria-invalid="true" aria-describedby="product-error"',
        'value="AB123"',
    )
    assert "GivenBotox" not in text(response)
    for path in ("/stock/recall.csv", "/stock/recall/letters"):
        response = injector_browser.get(f"{path}?{query}")
        assert response.status_code == 400
        assert_shows(text(response), f"<strong>product</strong>: {reason}")
        assert "GivenXeomin" not in text(response)
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.entity_type == "recall")).all()
        == []
    )


@pytest.mark.parametrize("role", [Role.STAFF])
def test_recall_needs_an_injector_or_an_admin(login_as, role):
    assert login_as(role).get("/stock/recall?product=botox&lot=RC1").status_code == 403


def test_an_admin_may_recall_and_a_bad_lot_is_named(login_as):
    admin = login_as(Role.ADMIN)
    assert admin.get("/stock/recall").status_code == 200
    response = admin.get("/stock/recall?product=botox&lot=RC 1")
    assert response.status_code == 400
    assert "Lot number has characters that are not allowed here" in text(response)
    assert admin.get("/stock/recall.csv").status_code == 302


def test_injector_discards_unopened_vials(received, injector_browser, session):
    lot_id = int(
        re.search(r'id="lot-(\d+)"', text(injector_browser.get("/stock/"))).group(1)
    )
    response = injector_browser.post_form(
        f"/stock/lots/{lot_id}/discard",
        {"vials": "2", "reason": "damaged"},
        follow_redirects=True,
    )
    assert_shows(
        text(response), "2 unopened vial(s) recorded as waste", "300 U on hand"
    )
