"""The OpenAPI document says exactly what the cycle comparison and a stored
score hold.

``CyclesOut`` used to be ``list[dict[str, Any]]`` with ``extra="allow"``, its
events' ``other_top_up`` and a score's ``scores`` ``dict[str, Any]``: the
document named none of their keys, and schemathesis could check no body. Every
object in them is now closed and names its keys; units name their product.
"""

import pytest
from jsonschema_rs import Draft202012Validator

from planner.models import Role
from tests.views.test_chart_state_schema import answer
from tests.views.test_chart_state_schema import objects
from tests.views.test_chart_state_schema import resolve
from tests.views.test_cycles_api_body import ORDERS
from tests.views.test_cycles_api_body import seeded

CYCLES = "/api/v1/patients/{patient_id}/cycles"
ASSESSMENTS = "/api/v1/patients/{patient_id}/assessments"


@pytest.fixture
def document(login_as):
    return login_as(Role.STAFF).get("/api/openapi.json").json


def test_every_object_in_the_cycles_answer_is_closed(document):
    found = list(objects(document, answer(document, CYCLES, "get", "200")))
    assert found
    for schema in found:
        assert schema.get("additionalProperties") is False, schema.get("title")
        assert schema["properties"], schema.get("title")


def test_the_cycles_answer_names_every_key(document):
    body = resolve(document, answer(document, CYCLES, "get", "200"))
    cycle = resolve(document, body["properties"]["cycles"]["items"])
    assert set(cycle["required"]) == {
        "cycle",
        "treated_on",
        "product",
        "unit",
        "units",
        "top_up_units",
        "other_top_ups",
        "changes",
        "response",
    }
    # Every count of units says whose units they are.
    for name in ("units", "top_up_units", "other_top_ups"):
        assert "product" in cycle["properties"][name]["description"], name
    other = resolve(document, cycle["properties"]["other_top_ups"]["items"])
    assert set(other["required"]) == {"given_on", "product", "units", "unit"}
    assert "own product" in other["properties"]["units"]["description"]
    matrix = resolve(document, body["properties"]["matrices"]["items"])
    assert {"products", "unit_names", "rows"} <= set(matrix["required"])
    lines = [
        resolve(document, s) for s in body["properties"]["scores"]["items"]["anyOf"]
    ]
    by_kind = {line["properties"]["descriptive"]["const"]: line for line in lines}
    scale = resolve(document, by_kind[False]["properties"]["points"]["items"])
    grade = resolve(document, by_kind[True]["properties"]["points"]["items"])
    # A descriptive grade gives better/same/worse and never a number.
    assert "response" in scale["required"]
    assert "change" not in scale["properties"]
    assert "response" not in grade["properties"]
    assert grade["properties"]["change"]["anyOf"][0]["enum"] == [
        "better",
        "same",
        "worse",
    ]
    event = resolve(document, body["properties"]["events"]["items"])
    top_up = event["properties"]["other_top_up"]["anyOf"][0]
    assert resolve(document, top_up)["title"] == "OtherTopUpOut"


def test_a_stored_scores_values_are_numbers_words_or_null(document):
    stored = resolve(document, answer(document, ASSESSMENTS, "post", "201"))
    assert stored["additionalProperties"] is False
    values = stored["properties"]["scores"]["additionalProperties"]
    assert {option["type"] for option in values["anyOf"]} == {
        "integer",
        "number",
        "string",
        "null",
    }


@pytest.mark.parametrize(("product", "other"), ORDERS, ids=["botox", "dysport"])
def test_the_body_fits_the_documented_schema(
    session, injector, make_patient, login_as, document, product, other
):
    patient = make_patient(affected_side="left")
    seeded(session, injector, patient, product, other)
    path = f"/api/v1/patients/{patient.id}/cycles"
    body = login_as(Role.STAFF).api("GET", path).json
    schema = {**document, **answer(document, CYCLES, "get", "200")}
    validator = Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(body)] == []
    # Both kinds of line are in it, so both were checked.
    assert {line["descriptive"] for line in body["scores"]} == {True, False}
    # A key the document does not name is caught, so the check bites.
    body["cycles"][0]["units_in_botox"] = 1
    assert not validator.is_valid(body)
