"""The brand on the box at the chair and in stock (review rX, X3).

Azzalure is Dysport sold in a 125 U (Speywood) vial, made up with 0.63 mL to
10 U per 0.05 mL [S24]; Bocouture is Xeomin (clinical reference §2.2). A clinic
records the brand its batch is reported under (§5). Botox has one brand: blank is
Botox, another name is refused naming ``brand``.
"""

import re

import pytest

from planner.models import Role
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import post_tap
from tests.conftest import assert_shows
from tests.views.test_stock_pages import delivery
from tests.views.test_vial_switch_page import TAPS
from tests.views.test_vial_switch_page import open_chart
from tests.views.test_vial_switch_page import version

AZZALURE = {"brand": "Azzalure", "vial_units": "125", "diluent_ml": "0.63"}
BOCOUTURE = {"brand": "Bocouture", "vial_units": "50", "diluent_ml": "1.25"}
# Another brand of each product, in its own box, opened with the label's dilution.
OTHER_BRANDS = [("dysport", AZZALURE), ("xeomin", BOCOUTURE)]


def text(response):
    return response.get_data(as_text=True)


def brand_field(page):
    """The "Brand on the box" select, or None when the form has none."""
    found = re.search(r'<select id="brand" name="brand".*?</select>', page, re.S)
    return found[0] if found else None


@pytest.fixture
def chair(login_as, make_patient):
    return login_as(Role.INJECTOR), make_patient()


def open_session(browser, patient, **form):
    return browser.post_form(
        f"/patients/{patient.id}/sessions", {**VIAL_FORM, "lot_number": "AZ1", **form}
    )


def tap_units(browser, session_id, site, units):
    muscle, side = site
    answer = post_tap(
        browser,
        session_id,
        muscle,
        side,
        version=version(browser, session_id),
        units=units,
    )
    assert answer.status_code == 201, answer.json


def state(browser, session_id):
    return browser.api("GET", f"/api/v1/sessions/{session_id}").json


def test_the_new_session_form_offers_only_the_brands_a_product_is_sold_under(chair):
    browser, patient = chair
    page = text(browser.get(f"/patients/{patient.id}/sessions/new"))
    choice = brand_field(page)
    assert choice is not None
    assert '<label for="brand">Brand on the box</label>' in page
    groups = re.findall(r'<optgroup label="([^"]+)"', choice)
    assert groups == ["Dysport (abobotulinumtoxinA)", "Xeomin (incobotulinumtoxinA)"]
    assert '<option value="Azzalure">Azzalure: vials of 125 U (Speywood)' in choice
    assert '<option value="Bocouture">Bocouture: vials of 50, 100 U</option>' in choice
    # Botox has no other brand: no group, blank is its own.
    assert "Botox" not in choice
    assert '<option value="">' in choice
    # The tables name the brand's own dilution row and its source.
    assert_shows(
        page,
        "Azzalure (Dysport, the same units)",
        "125 U (Speywood) in 0.63 mL",
        "[S24]",
    )


@pytest.mark.parametrize(("product", "vial"), OTHER_BRANDS)
def test_a_vial_of_another_brand_opens_on_its_own_dilution_without_a_tick(
    chair, product, vial
):
    browser, patient = chair
    opened = open_session(browser, patient, product=product, **vial)
    assert opened.status_code == 302, text(opened)[:800]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])

    lot = state(browser, session_id)["session"]["lot"]
    assert (lot["brand"], lot["vial_units"]) == (vial["brand"], int(vial["vial_units"]))
    codes = {w["code"] for w in state(browser, session_id)["warnings"]}
    assert "dilution_off_label" not in codes
    page = text(browser.get(f"/sessions/{session_id}"))
    assert f"<strong>{vial['brand']}</strong> lot <strong>AZ1</strong>" in page


def test_dysports_own_brand_has_no_125_unit_vial(chair):
    browser, patient = chair
    refused = open_session(
        browser, patient, product="dysport", **AZZALURE | {"brand": "Dysport"}
    )
    assert refused.status_code == 400
    page = text(refused)
    assert '<a href="#vial_units">Units in the vial must be one of 300 U' in page
    assert "for Dysport" in page
    assert re.search(r'id="vial_units"[^>]*aria-invalid="true"', page)


@pytest.mark.parametrize("brand", ["Azzalure", "Xeomin"])
def test_botox_under_another_brand_is_refused_naming_the_brand(chair, brand):
    browser, patient = chair
    refused = open_session(browser, patient, product="botox", brand=brand)
    assert refused.status_code == 400
    page = text(refused)
    assert '<a href="#brand">Brand on the box must be one of Botox for Botox' in page
    assert re.search(r'<select id="brand"[^>]*aria-invalid="true"', page)


def test_botox_with_a_blank_brand_is_botox_and_its_chart_offers_no_brand(chair):
    browser, patient = chair
    opened = open_session(browser, patient, product="botox", brand="")
    assert opened.status_code == 302, text(opened)[:800]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    assert state(browser, session_id)["session"]["lot"]["brand"] == "Botox"
    page = text(browser.get(f"/sessions/{session_id}"))
    assert 'id="vial-switch"' in page
    assert brand_field(page) is None
    assert "lot <strong>AZ1</strong>" in page


def test_a_dysport_chart_switches_to_an_azzalure_vial_and_adds_up_in_speywood_units(
    login_as, make_patient
):
    browser = login_as(Role.INJECTOR)
    session_id = open_chart(browser, make_patient().id, "dysport", "DY1")
    page = text(browser.get(f"/sessions/{session_id}"))
    choice = brand_field(page)
    assert choice is not None
    assert re.findall(r'<option value="(\w+)"', choice) == ["Dysport", "Azzalure"]
    tap_units(browser, session_id, TAPS[0], 20)

    switched = browser.post_form(
        f"/sessions/{session_id}/vial",
        {
            "version": version(browser, session_id),
            "lot_choice": "new",
            "lot_number": "AZ2",
            "expiry_date": "2030-01-01",
            "reconstituted_at": "",
            **AZZALURE,
        },
    )
    assert switched.status_code == 302, text(switched)[:800]
    tap_units(browser, session_id, TAPS[1], 10)

    chart = state(browser, session_id)
    assert [(v["brand"], v["lot_number"]) for v in chart["session"]["vials"]] == [
        ("Dysport", "DY1"),
        ("Azzalure", "AZ2"),
    ]
    first, second = chart["sites"]
    assert chart["session"]["product"]["unit_name"] == "U (Speywood)"
    # Both vials' sites are Dysport's: one total, in Speywood units.
    assert (first["units"], second["units"]) == (20, 10)
    assert chart["totals"]["units"] == 30
    # 10 U (Speywood) is 0.05 mL of Azzalure's 125 U in 0.63 mL [S24].
    assert second["volume_ml"] == pytest.approx(0.05, abs=1e-3)
    page = text(browser.get(f"/sessions/{session_id}"))
    assert "vial in use: <strong>Azzalure</strong> lot <strong>AZ2</strong>" in page


def test_stock_receives_azzalure_and_the_chair_opens_it_under_its_brand(
    login_as, make_patient
):
    staff = login_as(Role.STAFF)
    form = text(staff.get("/stock/receive"))
    assert brand_field(form) is not None
    received = staff.post_form(
        "/stock/receipts",
        delivery(
            product="dysport", brand="Azzalure", lot_number="AZ9", vial_units="125"
        ),
    )
    assert received.status_code == 302, text(received)[:800]
    assert "Azzalure AZ9" in text(staff.get("/stock/"))

    refused = staff.post_form(
        "/stock/receipts", delivery(brand="Azzalure", lot_number="BX9")
    )
    assert refused.status_code == 400
    assert "Brand on the box must be one of Botox for Botox" in text(refused)

    browser = login_as(Role.INJECTOR)
    patient = make_patient()
    expiry = {"expiry_date": delivery()["expiry_date"]}
    # The carton says Azzalure: the lot is refused under Dysport's own name.
    under_dysport = open_session(
        browser,
        patient,
        product="dysport",
        lot_number="az9",
        brand="Dysport",
        vial_units="300",
        diluent_ml="1.5",
        **expiry,
    )
    assert under_dysport.status_code == 400
    assert "was Azzalure when lot AZ9 was received into stock" in text(under_dysport)
    opened = open_session(
        browser, patient, product="dysport", lot_number="az9", **AZZALURE, **expiry
    )
    assert opened.status_code == 302, text(opened)[:800]
    stock = text(staff.get("/stock/"))
    assert "Azzalure (Dysport), lot AZ9" in stock

    # A recall by the batch number, chosen under the product, names the brand.
    recall = text(browser.get("/stock/recall?product=dysport&lot=az9"))
    assert_shows(recall, patient.family_name, "Azzalure (Dysport), lot AZ9")
    assert "Sold under another brand, the same product: Azzalure: choose Dysport" in (
        recall
    )
    csv = text(browser.get("/stock/recall.csv?product=dysport&lot=az9"))
    assert csv.splitlines()[1].endswith(",Azzalure")


def product_option(page, code):
    """The receipt form's option for the product ``code``, as shown."""
    found = re.search(rf'<option value="{code}"[^>]*>([^<]*)</option>', page)
    assert found, code
    return found[1]


def test_the_receipt_form_offers_every_vial_size_each_product_comes_in(login_as):
    """§2.2: the sizes of each product's own box and of its other brands' boxes."""
    page = text(login_as(Role.STAFF).get("/stock/receive"))
    assert product_option(page, "botox") == (
        "Botox (onabotulinumtoxinA): vials of 50, 100, 200 U"
    )
    assert product_option(page, "dysport") == (
        "Dysport (abobotulinumtoxinA): vials of 300, 500 U (Speywood); "
        "Azzalure: 125 U (Speywood)"
    )
    assert product_option(page, "xeomin") == (
        "Xeomin (incobotulinumtoxinA): vials of 50, 100 U; Bocouture: 50, 100 U"
    )
    for code, sizes in (
        ("jeuveau", "100 U"),
        ("daxxify", "50, 100 U"),
        ("letybo", "50, 100 U"),
    ):
        assert product_option(page, code).endswith(f": vials of {sizes}")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        # 125 U is Azzalure's box, not Botox's (§2.2: Botox 50, 100, 200 U).
        (
            {"product": "botox", "vial_units": "125"},
            "Units in each vial must be one of 50 U, 100 U, 200 U for Botox",
        ),
        # Dysport does come in 125 U, under its Azzalure brand: say so.
        (
            {"product": "dysport", "vial_units": "125"},
            "Units in each vial must be one of 300 U (Speywood), 500 U (Speywood) "
            "for Dysport; a 125 U (Speywood) vial is Azzalure: choose that brand",
        ),
        (
            {"product": "dysport", "brand": "Azzalure", "vial_units": "300"},
            "Units in each vial must be one of 125 U (Speywood) for Azzalure; "
            "a 300 U (Speywood) vial is Dysport: choose that brand",
        ),
    ],
)
def test_a_receipt_of_a_size_the_brand_does_not_come_in_names_the_field(
    login_as, form, message
):
    refused = login_as(Role.STAFF).post_form("/stock/receipts", delivery(**form))
    assert refused.status_code == 400
    page = text(refused)
    assert f'<a href="#vial_units">{message}</a>' in page
    assert re.search(r'id="vial_units"[^>]*aria-invalid="true"', page)


def test_the_monthly_stock_report_shows_an_azzalure_lot_under_dysport(login_as):
    staff = login_as(Role.STAFF)
    for form in (
        delivery(
            product="dysport", brand="Azzalure", lot_number="AZ9", vial_units="125"
        ),
        delivery(product="dysport", lot_number="DY9", vial_units="300"),
    ):
        assert staff.post_form("/stock/receipts", form).status_code == 302
    page = text(staff.get("/stock/report"))
    lots = dict(re.findall(r"<li>Lot <strong>(\w+)</strong>(.*?)</li>", page, re.S))
    assert lots == {
        "AZ9": ", sold as <strong>Azzalure</strong> (Dysport): 125 U (Speywood) "
        "vials; 5 received, 0 opened",
        "DY9": ": 300 U (Speywood) vials; 5 received, 0 opened",
    }
    csv = text(staff.get("/stock/report.csv"))
    assert "Azzalure lot AZ9" in csv
