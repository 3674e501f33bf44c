"""The chart API puts a deleted site back under its own number (review rW, W8).

``number`` on a new site (the chair's undo sends the deleted site's, while no
site holds it) is kept when free and once a site of this chart was deleted under
it; a taken number is refused by name (400), nothing written; the OpenAPI
document offers it as optional. Botox and Dysport, each in its own units.
"""

import pytest

from planner.models import Role
from tests.views.test_undo_site_vial_api import restore
from tests.views.test_undo_site_vial_api import sites
from tests.views.test_vial_switch_page import open_chart
from tests.views.test_vial_switch_page import tap
from tests.views.test_vial_switch_page import version


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_site_put_back_through_the_api_keeps_its_number(
    login_as, make_patient, product
):
    browser = login_as(Role.INJECTOR)
    session_id = open_chart(browser, make_patient().id, product, "NUM1")
    for muscle, side in (
        ("mentalis", "left"),
        ("platysma", "left"),
        ("depressor_anguli_oris", "right"),
    ):
        tap(browser, session_id, muscle, side)
    first = sites(browser, session_id)[0]
    deleted = browser.api(
        "DELETE",
        f"/api/v1/sessions/{session_id}/sites/{first['id']}",
        {"version": version(browser, session_id)},
    )
    assert deleted.status_code == 200, deleted.json
    taken = restore(browser, session_id, first, number=3)
    assert taken.status_code == 400
    assert "is taken" in taken.json["fields"]["number"]
    assert [s["number"] for s in sites(browser, session_id)] == [2, 3]
    back = restore(browser, session_id, first, number=1)
    assert back.status_code == 201, back.json
    assert back.json["site"]["number"] == 1
    listed = sites(browser, session_id)
    assert [(s["number"], s["muscle"]) for s in listed][0] == (1, "mentalis")
    assert [s["number"] for s in listed] == [1, 2, 3]


def test_the_openapi_document_offers_the_number_as_optional(login_as):
    document = login_as(Role.STAFF).get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/sessions/{session_id}/sites"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]
    name = reference["$ref"].rsplit("/", 1)[1]
    number = document["components"]["schemas"][name]["properties"]["number"]
    assert number["anyOf"][0] == {"maximum": 999, "minimum": 1, "type": "integer"}
    assert "number" not in document["components"]["schemas"][name].get("required", [])
