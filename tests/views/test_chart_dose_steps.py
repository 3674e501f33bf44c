"""Each product's steppers, and one dose range for the keypad and the chart API
(review rJ, RJ4).

The chart state sends the steppers' step of the session's product (a clinic
setting: Botox 0.25 U, Dysport 1 U (Speywood)) and the range of a site's dose,
which is the chart API's own: the keypad refuses exactly what the server
refuses (tests/js/chart_modules.test.js checks the keypad against the same
figures).
"""

import pytest

from planner import dosing
from planner.models import Role
from planner.reference import PRODUCTS
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_tap

# The product, its vial and the step the state must send, in its own units.
CHARTS = {"botox": ("100", 0.25), "dysport": ("300", 1.0)}


def open_chart(browser, patient_id, product):
    consent_by_browser(browser, patient_id)
    vial, _step = CHARTS[product]
    form = {**VIAL_FORM, "product": product, "vial_units": vial}
    response = browser.post_form(f"/patients/{patient_id}/sessions", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_state_gives_the_products_step_and_the_servers_range(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    session_id = open_chart(browser, make_patient().id, product)
    api = f"/api/v1/sessions/{session_id}"
    state = browser.api("GET", api).json
    assert state["session"]["product"]["code"] == product
    assert state["step_units"] == CHARTS[product][1]
    assert (state["min_units"], state["max_units"]) == (0.01, 400)

    # The server takes the state's smallest and largest doses, and refuses
    # anything past them, naming the dose: the keypad's rule.
    low, high = state["min_units"], state["max_units"]
    added = post_tap(browser, session_id, "mentalis", "left", version=1, units=low)
    assert added.status_code == 201, added.json
    assert added.json["site"]["units"] == low
    site = f"{api}/sites/{added.json['site']['id']}"
    version = added.json["version"]
    for units in (low / 2, high + 0.01):
        refused = browser.api("PATCH", site, {"version": version, "units": units})
        assert refused.status_code == 400, (units, refused.json)
        assert "units" in refused.json["fields"], refused.json
        tapped = post_tap(
            browser, session_id, "frontalis", "left", version=version, units=units
        )
        assert tapped.status_code == 400, (units, tapped.json)
    changed = browser.api("PATCH", site, {"version": version, "units": high})
    assert changed.status_code == 200, changed.json
    # One press of + from a dose to enter: one step, which the server takes.
    version = changed.json["version"]
    step = state["step_units"]
    stepped = browser.api("PATCH", site, {"version": version, "units": step})
    assert stepped.json["site"]["units"] == step


@pytest.mark.parametrize(
    ("code", "step"),
    [("botox", 0.25), ("dysport", 1.0), ("xeomin", 0.25), ("daxxify", 0.5)],
)
def test_every_step_is_the_products_own_and_a_clinic_setting(code, step):
    product = next(p for p in PRODUCTS if p.code == code)
    found = dosing.dose_step(code, product.unit_name)
    assert found.units == step
    assert found.label.startswith("Clinic setting: shipped default")
    assert "UNSOURCED" in found.label
    # Worked out from the product's own label dose, in its own units.
    per_site = dosing.shipped_doses(code).defaults["corrugator"]
    assert f"label's {per_site:g} {product.unit_name} per glabellar site" in found.label
