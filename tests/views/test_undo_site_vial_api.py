"""The chart API puts a deleted site back with its own vial after a switch.

``vial_lot_id`` on a new site (the chair's undo sends the deleted site's) is kept
when it is one of this chart's vials of its product, and refused by name
otherwise; the OpenAPI document offers it as optional. After a switch, the page
says that undo starts again from it. Botox and Dysport, each in its own units.
"""

import pytest

from planner.models import Role
from tests.views.test_vial_switch_page import OTHER
from tests.views.test_vial_switch_page import new_vial
from tests.views.test_vial_switch_page import open_chart
from tests.views.test_vial_switch_page import tap
from tests.views.test_vial_switch_page import version


@pytest.fixture(params=["botox", "dysport"])
def product(request):
    return request.param


def sites(browser, session_id):
    return browser.api("GET", f"/api/v1/sessions/{session_id}").json["sites"]


def switched_chart(browser, make_patient, product):
    """Sites 1–2 from FIRST1, then a switch to SECOND2; return the chart's id."""
    session_id = open_chart(browser, make_patient().id, product, "FIRST1")
    tap(browser, session_id, "mentalis", "left")
    tap(browser, session_id, "depressor_anguli_oris", "right")
    switched = browser.post_form(
        f"/sessions/{session_id}/vial",
        {"version": version(browser, session_id), **new_vial(product, "SECOND2")},
    )
    assert switched.status_code == 302
    return session_id


def restore(browser, session_id, site, **extra):
    """Post what the chair's undo (tasks.js restoreTask) posts for a deleted site."""
    body = {
        "version": version(browser, session_id),
        "x": site["x"],
        "y": site["y"],
        "units": site["units"],
        **extra,
    }
    return browser.api("POST", f"/api/v1/sessions/{session_id}/sites", body)


def delete_first(browser, session_id):
    site = sites(browser, session_id)[0]
    deleted = browser.api(
        "DELETE",
        f"/api/v1/sessions/{session_id}/sites/{site['id']}",
        {"version": version(browser, session_id)},
    )
    assert deleted.status_code == 200, deleted.json
    return site


def test_a_first_vial_site_put_back_keeps_its_lot(login_as, make_patient, product):
    browser = login_as(Role.INJECTOR)
    session_id = switched_chart(browser, make_patient, product)
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Undo starts again from the switch" in page
    site = delete_first(browser, session_id)

    answer = restore(browser, session_id, site, vial_lot_id=site["vial_lot_id"])
    assert answer.status_code == 201, answer.json
    back = next(
        s for s in sites(browser, session_id) if s["id"] == answer.json["site"]["id"]
    )
    assert back["vial_lot_id"] == site["vial_lot_id"]
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    vials = {v["lot_number"]: v["site_numbers"] for v in state["session"]["vials"]}
    assert vials == {"FIRST1": [2, back["number"]], "SECOND2": []}


def test_a_vial_of_another_product_or_chart_answers_400_naming_it(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    other = open_chart(browser, make_patient().id, OTHER[product], "OTHER9")
    same = open_chart(browser, make_patient().id, product, "SAME9")
    session_id = switched_chart(browser, make_patient, product)
    site = delete_first(browser, session_id)
    count = len(sites(browser, session_id))
    for elsewhere in (other, same):
        vial = browser.api("GET", f"/api/v1/sessions/{elsewhere}").json["session"]
        answer = restore(browser, session_id, site, vial_lot_id=vial["lot"]["id"])
        assert answer.status_code == 400, answer.json
        assert "vial_lot_id" in answer.json["fields"]
    assert len(sites(browser, session_id)) == count


def test_the_openapi_document_offers_the_vial_as_optional(login_as):
    document = login_as(Role.STAFF).get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/sessions/{session_id}/sites"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]
    name = reference["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    assert schema["properties"]["vial_lot_id"]["anyOf"][0]["type"] == "integer"
    assert "vial_lot_id" not in schema.get("required", [])
