"""The signed-session page, record.pdf and the session JSON of a signed record in
a product the dose reference does not list answer 200, as recorded.

Over HTTP, as a clinic reads them; the PDF read back with pdftotext. A draft in
such a product is still refused with the clear page, and the signed record is
not amended (there is no reference to check a correction against). Botox and
Dysport as before.
"""

import pytest

from planner.models import Role
from planner.models import TreatmentSession
from tests.services.test_reports import page_texts
from tests.services.test_signed_unlisted_record import NO_REFERENCE
from tests.services.test_signed_unlisted_record import STEPS
from tests.services.test_signed_unlisted_record import WHEN
from tests.services.test_signed_unlisted_record import lot_number
from tests.services.test_signed_unlisted_record import sign_two_sites
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import DOSES
from tests.services.test_unlisted_product_cycles import EACH_PRODUCT
from tests.services.test_unlisted_product_cycles import UNITS
from tests.services.test_unlisted_product_cycles import UNLISTED
from tests.services.test_unlisted_product_cycles import chart

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401
from tests.views.test_outcomes_pages import text

REFUSED = "No dose reference for Clinic toxin: planner cannot chart it."


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_the_page_the_pdf_and_the_json_answer_as_signed(
    session, injector, make_patient, login_as, product
):
    treatment = sign_two_sites(session, injector, make_patient(), product)
    browser = login_as(Role.INJECTOR)
    unit = UNITS[product]
    (mentalis, _), dao = DOSES[product]

    page = browser.get(f"/sessions/{treatment.id}")
    assert page.status_code == 200
    html = text(page)
    assert f'<span class="unit">{unit}</span>' in html
    assert f"lot <strong>{lot_number(product)}</strong>" in html
    assert "Print record" in html
    if product == CLINIC:
        assert (
            f"No dose reference is held for Clinic toxin: this record shows the "
            f"doses as recorded, in {unit}, without dose-range checks, and planner "
            "cannot amend it." in html
        )
        assert 'id="amend"' not in html
    else:
        assert "corrections are made by amendment" in html
        assert f"Doses in {unit}; change only those" in html
        assert "dose reference" not in html.lower()

    pdf = browser.get(f"/sessions/{treatment.id}/record.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    flat = " ".join(page_texts(pdf.get_data()))
    assert f"Dose, {unit}" in flat
    assert f"{mentalis + dao:g} {unit}" in flat
    assert f"Product {BRANDS[product]} (" in flat
    assert (NO_REFERENCE in flat) is (product == CLINIC)

    answer = browser.api("GET", f"/api/v1/sessions/{treatment.id}")
    assert answer.status_code == 200
    state = answer.get_json()
    assert state["session"]["status"] == "signed"
    assert state["session"]["product"] == {
        "code": product,
        "brand": BRANDS[product],
        "unit_name": unit,
        "colour": state["session"]["product"]["colour"],
        "dose_reference": product != CLINIC,
    }
    assert [s["units"] for s in state["sites"]] == [mentalis, dao]
    assert state["step_units"] == STEPS[product]


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
def test_a_draft_in_it_is_refused_as_before(session, injector, make_patient, login_as):
    (mentalis, _), _ = DOSES[CLINIC]
    draft = chart(
        session,
        injector,
        make_patient(),
        [("mentalis", "left", mentalis)],
        WHEN,
        CLINIC,
    )
    browser = login_as(Role.INJECTOR)
    page = browser.get(f"/sessions/{draft.id}")
    assert page.status_code == 400
    assert "This chart cannot be opened" in text(page)
    assert REFUSED in text(page)
    pdf = browser.get(f"/sessions/{draft.id}/record.pdf")
    assert pdf.status_code == 400
    assert "This record cannot be printed" in text(pdf)
    assert REFUSED in text(pdf)
    answer = browser.api("GET", f"/api/v1/sessions/{draft.id}")
    assert answer.status_code == 400
    assert answer.get_json()["error"] == REFUSED


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
def test_the_signed_record_is_not_amended_and_says_why(
    session, injector, make_patient, login_as
):
    treatment = sign_two_sites(session, injector, make_patient(), CLINIC)
    version = session.get(TreatmentSession, treatment.id).version
    site = treatment.sites[0].id
    browser = login_as(Role.INJECTOR)
    page = browser.post_form(
        f"/sessions/{treatment.id}/amendments",
        {"reason": "Dose typed wrongly", "version": str(version), f"units_{site}": "3"},
    )
    assert page.status_code == 400
    assert "This chart cannot be changed" in text(page)
    assert REFUSED in text(page)
    answer = browser.api(
        "POST",
        f"/api/v1/sessions/{treatment.id}/amendments",
        json={
            "reason": "Dose typed wrongly",
            "version": version,
            "corrections": [{"site_id": site, "units": 3}],
        },
    )
    assert answer.status_code == 400
    assert answer.get_json()["fields"] == {
        "product": "no dose reference for Clinic toxin: planner cannot chart it"
    }
    session.expire_all()
    assert session.get(TreatmentSession, treatment.id).version == version
