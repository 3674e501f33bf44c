"""Switching vial from the chart page: the form, its errors, and the vials listed.

The form offers only the chart's product's usable vials (never the one in use,
never another product's) and a new vial with the new-session form's fields; a
refusal names its field; after a switch the chart lists each vial with its
sites. Botox and Dysport, each in its own units.
"""

import re

import pytest

from planner.models import Role
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import post_tap
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import two_vial_session
from tests.services.test_vial_overdraw import VialChair

VIAL = {"botox": {"vial_units": "100"}, "dysport": {"vial_units": "300"}}
OTHER = {"botox": "dysport", "dysport": "botox"}
TAPS = [
    ("mentalis", "left"),
    ("depressor_anguli_oris", "right"),
    ("frontalis", "right"),
]


@pytest.fixture(params=["botox", "dysport"])
def product(request):
    return request.param


def open_chart(browser, patient_id, product, lot_number):
    """Open a draft on a new vial of the product; return its id."""
    form = {**VIAL_FORM, "product": product, "lot_number": lot_number, **VIAL[product]}
    response = browser.post_form(f"/patients/{patient_id}/sessions", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def vial_choices(page):
    found = re.search(r'<fieldset[^>]*id="vial-choices".*?</fieldset>', page, re.S)
    assert found, "no vial choices on the page"
    return found[0]


def new_vial(product, lot_number, **changes):
    return {
        "lot_choice": "new",
        "lot_number": lot_number,
        "expiry_date": "2030-01-01",
        "diluent_ml": "2.5",
        "reconstituted_at": "",
        **VIAL[product],
        **changes,
    }


def version(browser, session_id):
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    return state["session"]["version"]


def tap(browser, session_id, muscle, side):
    answer = post_tap(
        browser, session_id, muscle, side, version=version(browser, session_id)
    )
    assert answer.status_code == 201, answer.json


def test_a_draft_switches_to_a_new_vial_and_lists_each_vials_sites(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    # Open vials elsewhere: one of this product (offered), one of another (never).
    open_chart(browser, make_patient().id, product, "SAME9")
    open_chart(browser, make_patient().id, OTHER[product], "OTHER9")
    session_id = open_chart(browser, make_patient().id, product, "FIRST1")
    for muscle, side in TAPS[:2]:
        tap(browser, session_id, muscle, side)

    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert '<details class="vial-switch" id="vial-switch" data-edit>' in page
    choices = vial_choices(page)
    assert "lot SAME9:" in choices
    assert "OTHER9" not in choices
    assert "lot FIRST1" not in choices  # the vial in use
    assert 'value="new"' in choices
    for name in ("lot_number", "expiry_date", "vial_units", "diluent_ml"):
        assert f'id="{name}" name="{name}"' in page
    assert 'id="chart-vials" hidden' in page

    # A vial past its expiry is refused, naming the field; the form stays open.
    expired = new_vial(product, "OLD1", expiry_date="2000-01-01")
    refused = browser.post_form(
        f"/sessions/{session_id}/vial",
        {"version": version(browser, session_id), **expired},
    )
    assert refused.status_code == 400
    shown = refused.get_data(as_text=True)
    assert '<details class="vial-switch" id="vial-switch" open data-edit>' in shown
    assert '<a href="#expiry_date">Expiry date is 1 Jan 2000, before today' in shown
    assert re.search(r'id="expiry_date"[^>]*aria-invalid="true"', shown)
    assert 'value="OLD1"' in shown

    switched = browser.post_form(
        f"/sessions/{session_id}/vial",
        {"version": version(browser, session_id), **new_vial(product, "SECOND2")},
    )
    assert switched.status_code == 302
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Switched to lot SECOND2" in page
    assert "vial in use: lot <strong>SECOND2</strong>" in page
    assert 'id="chart-vials" hidden' not in page
    assert "lot FIRST1" in vial_choices(page)  # the first vial may be taken again
    tap(browser, session_id, *TAPS[2])
    fragment = browser.get(f"/sessions/{session_id}/panels").get_data(as_text=True)
    lots = re.findall(r'data-lot="(\w+)">(.*?)</li>', fragment)
    assert [lot for lot, _ in lots] == ["FIRST1", "SECOND2"]
    assert "sites 1, 2" in lots[0][1]
    assert "(in use)" in lots[1][1]
    assert "site 3" in lots[1][1]


def test_a_stale_or_unauthorised_switch_changes_nothing(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    session_id = open_chart(browser, make_patient().id, product, "FIRST1")
    tap(browser, session_id, *TAPS[0])
    stale = browser.post_form(
        f"/sessions/{session_id}/vial", {"version": "1", **new_vial(product, "LATE1")}
    )
    assert stale.status_code == 302
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    assert state["session"]["lot"]["lot_number"] == "FIRST1"
    staff = login_as(Role.STAFF)
    page = staff.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert 'id="vial-switch"' not in page
    forbidden = staff.post_form(
        f"/sessions/{session_id}/vial",
        {"version": state["session"]["version"], **new_vial(product, "LATE1")},
    )
    assert forbidden.status_code == 403


def test_a_signed_chart_lists_its_vials_read_only(
    session, injector, login_as, make_patient, product
):
    chair = VialChair(session, injector)
    _, record, _, _ = two_vial_session(chair, make_patient, product)
    page = login_as(Role.INJECTOR).get(f"/sessions/{record.id}").get_data(as_text=True)
    assert 'id="vial-switch"' not in page
    assert 'id="vial-form"' not in page
    assert "last vial: lot <strong>SECOND2</strong>" in page
    lots = re.findall(r'data-lot="(\w+)">(.*?)</li>', page)
    assert [lot for lot, _ in lots] == ["FIRST1", "SECOND2"]
    assert "sites 1, 2: " in lots[0][1]
    assert "site 3: " in lots[1][1]
    assert "(in use)" not in page
    unit = {"botox": "U", "dysport": "U (Speywood)"}[product]
    assert lots[1][1].endswith(f"site 3: {DOSE[product]} {unit}</span>")
