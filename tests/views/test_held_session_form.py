"""The new-session form keeps what was typed across signing consent.

When treatment consent is missing, the form's consent buttons send the form to be
held (its own fields only, in the session cookie, for that patient) and go on to
consent; back on the form, the product, the vial's details and the note are filled
in again, and the chart opens from them. Botox and Dysport. Nothing else sent is
kept, another patient's form is never filled in with them, and a held form is
checked again as a typed one is.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlmodel import select

from planner.db_types import utc_now
from planner.models import Role
from planner.models import TreatmentSession
from planner.models import VialLot
from tests.views.test_consent_round_trip import _sign
from tests.views.test_consent_way_back import _expired_patient
from tests.views.test_consent_way_back import _formaction

TYPED = {
    "botox": {
        "kind": "full",
        "product": "botox",
        "lot_choice": "new",
        "lot_number": "C9876XY",
        "expiry_date": "2027-09-30",
        "vial_units": "100",
        "diluent_ml": "2.5",
        "diluent": "Sodium chloride 0.9%",
        "consent_note": "Risks of ptosis discussed.",
    },
    "dysport": {
        "kind": "full",
        "product": "dysport",
        "lot_choice": "new",
        "brand": "Azzalure",
        "lot_number": "S4321Q",
        "expiry_date": "2027-05-31",
        "vial_units": "125",
        "diluent_ml": "0.63",
        "diluent": "Sodium chloride 0.9%",
        "consent_note": "Questions about the brow answered.",
    },
}


def _value(html, name):
    """Return the value an input of the form shows (None when it has none)."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'\bvalue="([^"]*)"', found[0])
    return None if value is None else unescape(value[1])


def _typed_again(html, typed):
    for name in ("lot_number", "expiry_date", "vial_units", "diluent_ml", "diluent"):
        assert _value(html, name) == typed[name], name
    product = typed["product"]
    assert re.search(rf'<option value="{product}" selected', html)
    assert re.search(r'name="lot_choice" value="new"[^>]* checked', html)
    # Free text about the patient is not kept in the cookie.
    assert unescape(typed["consent_note"]) not in unescape(html)
    if "brand" in typed:
        assert f'<option value="{typed["brand"]}" selected' in html


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_what_was_typed_is_there_after_signing_consent(
    login_as, session, injector, make_patient, product
):
    patient = _expired_patient(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    form_path = f"/patients/{patient.id}/sessions/new"
    new = browser.get(form_path).get_data(as_text=True)
    typed = TYPED[product]
    reconstituted = (utc_now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")

    held = browser.post_form(
        _formaction(new, "Hand the tablet to the patient to sign"),
        {**typed, "reconstituted_at": reconstituted},
    )
    assert held.status_code == 302
    sign_path = unescape(held.headers["Location"])
    form = browser.get(sign_path).get_data(as_text=True)
    signed = _sign(browser, sign_path, form, next=form_path)
    assert signed.headers["Location"] == form_path

    back = browser.get(form_path).get_data(as_text=True)
    assert 'id="consent-needed"' not in back
    assert 'id="held-form"' in back
    _typed_again(back, typed)
    assert _value(back, "reconstituted_at") == reconstituted

    # The held values open the chart as typed ones do, and are then forgotten.
    opened = browser.post_form(
        f"/patients/{patient.id}/sessions",
        {**typed, "reconstituted_at": reconstituted, "consent_obtained": "true"},
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:2000]
    record = session.exec(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)
    ).one()
    lot = session.get(VialLot, record.vial_lot_id)
    assert lot.lot_number == typed["lot_number"]
    assert lot.vial_units == int(typed["vial_units"])
    again = browser.get(form_path).get_data(as_text=True)
    assert 'id="held-form"' not in again
    assert typed["lot_number"] not in again


def test_only_the_forms_own_fields_are_held_and_only_for_that_patient(
    login_as, session, injector, make_patient
):
    patient = _expired_patient(session, injector, make_patient)
    other = _expired_patient(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    form_path = f"/patients/{patient.id}/sessions/new"
    new = browser.get(form_path).get_data(as_text=True)

    browser.post_form(
        _formaction(new, "Consent page"),
        {
            **TYPED["botox"],
            "lot_number": "L" * 500,
            "injector_id": "1",
            "dilution_confirmed": "true",
        },
    )

    back = browser.get(form_path).get_data(as_text=True)
    # Cut to the field's own length, and nothing that is not the form's.
    assert _value(back, "lot_number") == "L" * 40
    assert "injector_id" not in back
    assert 'name="dilution_confirmed"' not in back
    elsewhere = browser.get(f"/patients/{other.id}/sessions/new").get_data(as_text=True)
    assert "LLLL" not in elsewhere
    assert 'id="held-form"' not in elsewhere


def test_a_held_form_is_checked_again_when_sent(
    login_as, session, injector, make_patient
):
    patient = _expired_patient(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    form_path = f"/patients/{patient.id}/sessions/new"
    new = browser.get(form_path).get_data(as_text=True)
    bad = {**TYPED["dysport"], "vial_units": "abc", "lot_choice": "99999"}

    browser.post_form(_formaction(new, "Consent page"), bad)
    back = browser.get(form_path).get_data(as_text=True)
    assert _value(back, "vial_units") == "abc"

    refused = browser.post_form(f"/patients/{patient.id}/sessions", bad)
    assert refused.status_code == 400
    assert not session.exec(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)
    ).all()


def test_an_unknown_consent_page_is_refused_by_name(
    login_as, session, injector, make_patient
):
    patient = _expired_patient(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    answer = browser.post_form(
        f"/patients/{patient.id}/sessions/new/consent?to=elsewhere",
        TYPED["botox"],
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert "to" in answer.get_json()["fields"]
