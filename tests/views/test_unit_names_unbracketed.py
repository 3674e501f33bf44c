"""A unit name beside a label is set after a comma, never in brackets.

Dysport's units are worded "U (Speywood)": wrapped in brackets they read
"Dysport (U (Speywood))". The stock report's heading, the waste field's label,
the template editor's and the outside-toxin form's product choices, and the
chart's list of vials each say "Dysport, U (Speywood)" (or "Units lost, U
(Speywood)", "sites 1, 2: 20 U (Speywood)"), Botox and Dysport alike, and no
page shown here puts brackets inside brackets.
"""

import re
from html import unescape

import pytest

from planner.models import Role
from planner.unit_words import in_units
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.services.test_reports import page_texts
from tests.views.test_stock_pages import delivery
from tests.views.test_vial_switch_page import open_chart

UNITS = {"botox": "U", "dysport": "U (Speywood)"}
BRANDS = {"botox": "Botox", "dysport": "Dysport"}
VIAL_UNITS = {"botox": "100", "dysport": "300"}
# A unit name in doubled brackets, or a unit name or a dose set inside brackets:
# "U (Speywood))", "(U (Speywood)", "(300 U (Speywood), …)". A cited source may
# quote a dose inside its own brackets ("([S24] … gives 10 U (Speywood) per
# 0.05 mL)"): it is left as the source words it.
NESTED = re.compile(r"U \(Speywood\)\s*\)|\(\s*(?:[\d.]+ )?U \(Speywood\)")
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(params=["botox", "dysport"])
def product(request):
    return request.param


def words(response):
    """The page's text as read, without its markup, scripts or styles."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(TAG.sub(" ", html)).split())


def assert_no_nested_brackets(response):
    assert response.status_code == 200
    found = NESTED.findall(words(response))
    assert not found, found


def test_the_helper_sets_the_unit_name_after_a_comma():
    assert in_units("Dysport", "U (Speywood)") == "Dysport, U (Speywood)"
    assert in_units("Dose", "U") == "Dose, U"


def test_the_stock_report_heads_each_product_with_its_units(login_as, product):
    staff = login_as(Role.STAFF)
    received = staff.post_form(
        "/stock/receipts",
        delivery(product=product, vial_units=VIAL_UNITS[product]),
    )
    assert received.status_code == 302
    report = staff.get(f"/stock/report?month={delivery()['received_on'][:7]}")
    page = report.get_data(as_text=True)
    assert f">{BRANDS[product]}, {UNITS[product]}</h2>" in page
    assert_no_nested_brackets(report)


def test_the_waste_field_names_its_units_without_brackets(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    open_chart(browser, make_patient().id, product, "W1")
    stock = browser.get("/stock/")
    assert f"Units lost, {UNITS[product]}</label>" in stock.get_data(as_text=True)
    assert_no_nested_brackets(stock)


def test_the_template_editor_offers_each_product_with_its_units(login_as):
    form = login_as(Role.ADMIN).get("/settings/templates/new")
    page = form.get_data(as_text=True)
    assert "> Botox, U</label>" in page
    assert "> Dysport, U (Speywood)</label>" in page
    assert_no_nested_brackets(form)


def test_the_outside_toxin_form_offers_each_product_with_its_units(
    login_as, make_patient
):
    detail = login_as(Role.INJECTOR).get(f"/patients/{make_patient().id}")
    page = detail.get_data(as_text=True)
    assert ">Botox, U</option>" in page
    assert ">Dysport, U (Speywood)</option>" in page
    assert_no_nested_brackets(detail)


def test_the_chart_lists_a_vials_sites_and_units_without_brackets(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    session_id = open_chart(browser, make_patient().id, product, "V1")
    tapped = post_tap(browser, session_id, "mentalis", "left", version=1, units=2)
    assert tapped.status_code == 201, tapped.json
    chart = browser.get(f"/sessions/{session_id}")
    assert f"site 1: 2 {UNITS[product]}</span>" in chart.get_data(as_text=True)
    assert_no_nested_brackets(chart)


def test_the_signed_record_pdf_sets_no_unit_name_in_brackets(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    patient = make_patient()
    consent_by_browser(browser, patient.id)
    session_id = open_chart(browser, patient.id, product, "R1")
    tapped = post_tap(browser, session_id, "mentalis", "left", version=1, units=2)
    assert tapped.status_code == 201, tapped.json
    assert post_sign(browser, session_id, version=2).status_code == 200
    pdf = browser.get(f"/sessions/{session_id}/record.pdf")
    flat = " ".join(page_texts(pdf.get_data()))
    assert f"Dose, {UNITS[product]}" in flat
    assert not NESTED.findall(flat), NESTED.findall(flat)
