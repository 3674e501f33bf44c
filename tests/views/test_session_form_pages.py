"""The new-session form (issue 15, item 7): vials by product, plain words for bad
input, every mistake a named field on the same form with what was typed kept."""

import pytest
from sqlmodel import select

from planner.models import Role
from planner.models import TreatmentSession
from planner.models import VialLot
from tests.browser_steps import VIAL_FORM
from tests.conftest import assert_shows

DYSPORT_VIAL = {
    **VIAL_FORM,
    "product": "dysport",
    "lot_number": "DY300A",
    "vial_units": "300",
    "diluent_ml": "2.5",
}


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def chair(login_as, make_patient):
    return login_as(Role.INJECTOR), make_patient(), make_patient()


def _open(browser, patient, form):
    return browser.post_form(f"/patients/{patient.id}/sessions", form)


def _vial(session, lot_number):
    return session.exec(select(VialLot).where(VialLot.lot_number == lot_number)).one()


@pytest.mark.parametrize(
    ("vial", "product", "brand"),
    [(DYSPORT_VIAL, "botox", "Dysport"), (VIAL_FORM, "dysport", "Botox")],
)
def test_a_vial_of_another_product_is_a_field_error_on_the_same_form(
    chair, session, vial, product, brand
):
    browser, first, second = chair
    assert _open(browser, first, vial).status_code == 302
    lot = _vial(session, vial["lot_number"])
    response = _open(
        browser,
        second,
        {
            "kind": "full",
            "product": product,
            "lot_choice": str(lot.id),
            "consent_obtained": "true",
            "consent_note": "Discussed ptosis risk.",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert_shows(
        page,
        f"Vial is a {brand} vial: choose a",
        'href="#lot_choice"',
        'id="lot_choice"',
        # What was typed is kept.
        "Discussed ptosis risk.",
        f'<option value="{product}" selected>',
    )
    assert "Not Found" not in page
    assert "404" not in page
    sessions = session.exec(
        select(TreatmentSession).where(TreatmentSession.patient_id == second.id)
    ).all()
    assert sessions == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expiry_date": "31/03/2027"},
            "expiry_date",
            "Expiry date is not a date. Enter the expiry as a date, e.g. 2027-03-31",
        ),
        (
            {"expiry_date": "2027-02-30"},
            "expiry_date",
            "Enter the expiry as a date, e.g. 2027-03-31",
        ),
        (
            {"reconstituted_at": "yesterday 9am"},
            "reconstituted_at",
            "Reconstituted at is not a date and time",
        ),
        ({"vial_units": "1OO"}, "vial_units", "must be a whole number of units"),
        ({"diluent_ml": "2,5"}, "diluent_ml", "must be a number of mL, e.g. 2.5"),
        ({"lot_choice": ""}, "lot_choice", "Vial is required: choose a vial"),
        ({"lot_choice": "99999"}, "lot_choice", "Vial is not on the list"),
        ({"lot_choice": "abc"}, "lot_choice", "Vial is not on the list"),
        ({"product": "nosuch"}, "product", "Product is not a known product"),
    ],
)
@pytest.mark.parametrize("base", [VIAL_FORM, DYSPORT_VIAL], ids=["botox", "dysport"])
def test_each_bad_input_is_named_in_plain_words(
    chair, session, base, changes, field, message
):
    browser, patient, _ = chair
    response = _open(browser, patient, {**base, **changes, "consent_note": "Kept."})
    assert response.status_code == 400
    page = text(response)
    assert_shows(page, message, f'href="#{field}"', "Kept.")
    assert "Input should be" not in page  # never the parser's own words
    # The raw field name appears only in markup, never in words on the page.
    assert ">lot_choice" not in page
    assert "lot_choice " not in page
    assert session.exec(select(TreatmentSession)).all() == []


def test_the_vial_list_names_each_vials_product_and_loads_the_filter_module(
    chair, session
):
    browser, first, second = chair
    assert _open(browser, first, DYSPORT_VIAL).status_code == 302
    page = text(browser.get(f"/patients/{second.id}/sessions/new"))
    lot = _vial(session, "DY300A")
    assert_shows(
        page,
        'data-product="dysport"><input type="radio" name="lot_choice" '
        f'value="{lot.id}"',
        "Dysport, lot DY300A",
        'data-product=""><input type="radio" name="lot_choice" value="new"',
        'src="/static/js/session-form.js"',
        'type="module"',
    )
