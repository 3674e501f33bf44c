"""The chart API's OpenAPI schema says exactly what the chart state holds.

It used to let any extra field through (``extra="allow"``); every object the
chart's answers can hold is now closed, and names its fields.
"""

import pytest

from planner.models import Role

CHART = "/api/v1/sessions/{session_id}"


@pytest.fixture
def document(login_as):
    return login_as(Role.STAFF).get("/api/openapi.json").json


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def objects(document, schema, seen=None):
    """Yield every object schema reachable from ``schema``, each once."""
    seen = set() if seen is None else seen
    schema = resolve(document, schema)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "object" or "properties" in schema:
        yield schema
    for value in schema.get("properties", {}).values():
        yield from objects(document, value, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from objects(document, schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from objects(document, option, seen)


def answer(document, path, method, status):
    content = document["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        (CHART, "get", "200"),
        (f"{CHART}/sign", "post", "200"),
        (f"{CHART}/amendments", "post", "201"),
        (f"{CHART}/sites", "post", "201"),
        (f"{CHART}/sites/{{site_id}}", "patch", "200"),
    ],
)
def test_every_object_in_the_chart_answers_is_closed(document, path, method, status):
    found = list(objects(document, answer(document, path, method, status)))
    assert found
    for schema in found:
        assert schema.get("additionalProperties") is False, schema.get("title")
        assert schema["properties"], schema.get("title")


def test_the_state_names_every_part_chart_js_reads(document):
    state = resolve(document, answer(document, CHART, "get", "200"))
    assert set(state["required"]) == {
        "session",
        "patient",
        "sites",
        "totals",
        "warnings",
        "flag_changes",
        "last_cycle",
        "changes",
        "svg",
        "treated_muscles",
        "map",
        "amendments",
        "templates",
        "step_units",
        "min_units",
        "max_units",
        "muscles",
    }
    record = resolve(document, state["properties"]["session"])
    assert record["properties"]["performed_at"]["format"] == "date-time"
    lot = resolve(document, record["properties"]["lot"]["anyOf"][0])
    assert lot["properties"]["expiry_date"]["format"] == "date"
    sites = resolve(document, state["properties"]["sites"]["items"])
    assert resolve(document, sites["properties"]["side"])["enum"] == [
        "left",
        "right",
        "midline",
    ]
    warning = resolve(document, state["properties"]["warnings"]["items"])
    # A draft's warnings carry no reason; a signed record's do.
    assert "reason" in warning["properties"]
    assert "reason" not in warning["required"]
    assert "needs_reason" in warning["required"]


def test_a_stale_write_answers_with_the_same_closed_state(document):
    stale = resolve(document, answer(document, f"{CHART}/sites", "post", "409"))
    state = resolve(document, stale["properties"]["state"]["anyOf"][0])
    assert state["additionalProperties"] is False
    assert "warnings" in state["required"]
