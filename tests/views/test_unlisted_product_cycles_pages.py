"""The cycles page, its JSON and the comparison PDF of a product the dose
reference does not list answer 200 in the product row's units.

Over HTTP, as a clinic reads them: the page (with a muscle chosen), the API and
the PDF, read back with pdftotext. The same for Botox and Dysport, as before.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from tests.services.test_comparison_report import page_texts
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import CYCLES
from tests.services.test_unlisted_product_cycles import EACH_PRODUCT
from tests.services.test_unlisted_product_cycles import UNITS
from tests.services.test_unlisted_product_cycles import UNLISTED
from tests.services.test_unlisted_product_cycles import chart

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401
from tests.services.test_unlisted_product_cycles import totals
from tests.services.test_unlisted_product_cycles import two_cycles
from tests.views.test_outcomes_pages import text


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_the_page_the_api_and_the_pdf_answer_in_the_rows_units(
    session, injector, make_patient, login_as, product
):
    patient = make_patient()
    two_cycles(session, injector, patient, product)
    browser = login_as(Role.STAFF)
    unit = UNITS[product]

    for query in ("", "?muscle=mentalis:left"):
        page = browser.get(f"/patients/{patient.id}/cycles{query}")
        assert page.status_code == 200
        html = text(page)
        for total in totals(product):
            assert total in html
    assert "Mentalis, left" in html

    answer = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles")
    assert answer.status_code == 200
    data = answer.get_json()
    assert [(c["product"], c["unit"]) for c in data["cycles"]] == [(product, unit)] * 2
    for matrix in data["matrices"]:
        assert matrix["unit_names"] == [unit, unit]

    pdf = browser.get(f"/patients/{patient.id}/comparison.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    flat = " ".join(page_texts(pdf.get_data()))
    for total in totals(product):
        assert total in flat
    assert f"Cycle 2 6 Apr 2026 {BRANDS[product]}" in flat


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
def test_the_api_words_another_products_top_up_in_its_rows_units(
    session, injector, make_patient, login_as
):
    patient = make_patient()
    chart(
        session,
        injector,
        patient,
        [("mentalis", "left", 4)],
        CYCLES[0],
        "botox",
        sign=True,
    )
    chart(
        session,
        injector,
        patient,
        [("mentalis", "left", 2)],
        CYCLES[0] + timedelta(days=15),
        CLINIC,
        sign=True,
        kind="top_up",
    )
    browser = login_as(Role.STAFF)
    (cycle,) = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles").json[
        "cycles"
    ]
    assert (cycle["unit"], cycle["units"]) == ("U", 4)
    assert cycle["other_top_ups"] == [
        {
            "given_on": (CYCLES[0] + timedelta(days=15)).date().isoformat(),
            "product": CLINIC,
            "units": 2,
            "unit": UNITS[CLINIC],
        }
    ]
    page = text(browser.get(f"/patients/{patient.id}/cycles"))
    assert f"+2 {UNITS[CLINIC]} {BRANDS[CLINIC]} top-up" in page
