import re

from planner.models import Role

BODY = {
    "mrn": "API-1",
    "given_name": "Sam",
    "family_name": "Rivera",
    "date_of_birth": "1990-07-04",
    "cause": "post_surgical",
    "affected_side": "left",
}


def test_openapi_describes_every_api_route(app, login_as):
    document = login_as(Role.STAFF).get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    assert "PatientCreate" in str(document["components"])


def test_create_read_update_a_patient(login_as):
    browser = login_as(Role.STAFF)
    created = browser.api("POST", "/api/v1/patients", BODY)
    assert created.status_code == 201
    patient = created.json
    assert patient["version"] == 1
    fetched = browser.api("GET", f"/api/v1/patients/{patient['id']}")
    assert fetched.json["family_name"] == "Rivera"
    update = {**BODY, "notes": "from the API", "version": 1}
    updated = browser.api("PUT", f"/api/v1/patients/{patient['id']}", update)
    assert updated.status_code == 200
    assert updated.json["version"] == 2
    stale = browser.api("PUT", f"/api/v1/patients/{patient['id']}", update)
    assert stale.status_code == 409
    assert "Someone else saved" in stale.json["error"]


def test_search_through_the_api(login_as, make_patient):
    make_patient(family_name="Zhang")
    make_patient(family_name="Zimmer")
    make_patient(family_name="Young")
    body = login_as(Role.STAFF).api("GET", "/api/v1/patients?q=z&size=1&page=2").json
    assert [p["family_name"] for p in body["items"]] == ["Zimmer"]
    assert (body["total"], body["pages"], body["page"]) == (2, 2, 2)


def test_validation_errors_name_the_fields(login_as):
    browser = login_as(Role.STAFF)
    response = browser.api(
        "POST", "/api/v1/patients", {**BODY, "affected_side": "middle", "extra": 1}
    )
    assert response.status_code == 400
    assert set(response.json["fields"]) == {"affected_side", "extra"}


def test_non_json_body_is_a_clear_400(login_as):
    browser = login_as(Role.STAFF)
    response = browser.client.post(
        "/api/v1/patients",
        data="not json",
        content_type="application/json",
        headers={"X-CSRFToken": browser.token},
    )
    assert response.status_code == 400
    assert response.json["fields"] == {"body": "is missing or is not valid JSON"}


def test_bad_query_parameters_are_named(login_as):
    response = login_as(Role.STAFF).api("GET", "/api/v1/patients?page=0&size=500")
    assert response.status_code == 400
    assert set(response.json["fields"]) == {"page", "size"}


def test_unknown_patient_is_404_json(login_as):
    response = login_as(Role.STAFF).api("GET", "/api/v1/patients/999")
    assert response.status_code == 404
    assert response.json == {"error": "There is no patient 999."}


def test_me(login_as):
    body = login_as(Role.ADMIN).api("GET", "/api/v1/me").json
    assert body["role"] == "admin"


def test_deeply_nested_json_is_a_400_not_a_crash(login_as):
    browser = login_as(Role.STAFF)
    body = "[" * 100_000 + "]" * 100_000
    response = browser.client.post(
        "/api/v1/patients",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": browser.token},
    )
    assert response.status_code == 400
    assert "body" in response.json["fields"]


def test_huge_version_is_refused_by_name(login_as, make_patient):
    patient = make_patient()
    response = login_as(Role.STAFF).api(
        "PUT", f"/api/v1/patients/{patient.id}", {**BODY, "version": 10**30}
    )
    assert response.status_code == 400
    assert "version" in response.json["fields"]


def test_every_path_parameter_has_a_schema(login_as):
    document = login_as(Role.STAFF).get("/api/openapi.json").json
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert parameter.get("schema"), (path, parameter["name"])
