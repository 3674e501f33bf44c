import pytest
from sqlmodel import select

from planner.db import get_engine
from planner.models import Assessment
from planner.models import Role
from tests.factories import make_demo_patient

SAQ = {f"q{n}": 3 for n in range(1, 10)}
FDI = {**{f"q{n}": "4" for n in range(1, 6)}, **{f"q{n}": "some" for n in range(6, 11)}}


@pytest.fixture
def demo_patient(app, session):
    return make_demo_patient(get_engine(app), session, patients=2, cycles=3, seed=11)


def test_record_an_assessment_through_the_api(login_as, demo_patient):
    browser = login_as(Role.INJECTOR)
    response = browser.api(
        "POST",
        f"/api/v1/patients/{demo_patient.id}/assessments",
        {"instrument": "saq", "timepoint": "wear_off", "items": SAQ},
    )
    assert response.status_code == 201, response.json
    # 9 × 3 = 27; 27 / 45 × 100 = 60
    assert response.json["total"] == pytest.approx(60.0)
    bad = browser.api(
        "POST",
        f"/api/v1/patients/{demo_patient.id}/assessments",
        {"instrument": "saq", "items": {**SAQ, "q9": 6}},
    )
    assert bad.status_code == 400
    assert "q9" in bad.json["fields"]
    staff = login_as(Role.STAFF).api(
        "POST",
        f"/api/v1/patients/{demo_patient.id}/assessments",
        {"instrument": "saq", "items": SAQ},
    )
    assert staff.status_code == 403


@pytest.mark.parametrize("sent", ["false", "no", "0", 1, None])
def test_self_entered_must_be_a_json_boolean(login_as, demo_patient, session, sent):
    # "false" used to be read as true: the score was filed as the patient's.
    browser = login_as(Role.INJECTOR)
    path = f"/api/v1/patients/{demo_patient.id}/assessments"
    before = len(session.exec(select(Assessment)).all())
    body = {"instrument": "saq", "timepoint": "wear_off", "items": SAQ}
    response = browser.api("POST", path, {**body, "self_entered": sent})
    assert response.status_code == 400, response.json
    assert response.json["fields"] == {"self_entered": "must be true or false"}
    assert len(session.exec(select(Assessment)).all()) == before
    saved = browser.api("POST", path, {**body, "self_entered": False})
    assert saved.status_code == 201
    assert session.get(Assessment, saved.json["id"]).self_entered is False


@pytest.mark.parametrize(
    ("instrument", "items"),
    [("house_brackmann", {"grade": 3}), ("sunnybrook", None)],
)
def test_only_a_patient_questionnaire_is_self_entered(
    login_as, demo_patient, instrument, items
):
    browser = login_as(Role.INJECTOR)
    path = f"/api/v1/patients/{demo_patient.id}/assessments"
    refused = browser.api(
        "POST",
        path,
        {"instrument": instrument, "items": items or {}, "self_entered": True},
    )
    assert refused.status_code == 400
    assert refused.json["fields"] == {
        "self_entered": f"{instrument} is graded by a clinician"
    }
    for patient_answered, answers in (("saq", SAQ), ("fdi", FDI)):
        saved = browser.api(
            "POST",
            path,
            {"instrument": patient_answered, "items": answers, "self_entered": True},
        )
        assert saved.status_code == 201, saved.json


def test_cycles_as_data(login_as, demo_patient):
    body = (
        login_as(Role.STAFF)
        .api("GET", f"/api/v1/patients/{demo_patient.id}/cycles")
        .json
    )
    assert [c["cycle"] for c in body["cycles"]] == sorted(
        c["cycle"] for c in body["cycles"]
    )
    instruments = {s["instrument"] for s in body["scores"]}
    assert "sunnybrook" in instruments
    sunnybrook = next(s for s in body["scores"] if s["instrument"] == "sunnybrook")
    first = sunnybrook["points"][0]
    # The demo grades Sunnybrook before treatment only: no review, no response.
    assert first["pre_treatment"] == sunnybrook["baseline"]
    assert sunnybrook["baseline_cycle"] == 1
    assert first["review"] is None
    assert first["response"] is None


def test_live_score_preview(login_as):
    browser = login_as(Role.INJECTOR)
    partial = browser.api("POST", "/api/v1/scoring/saq/preview", {"items": {"q1": "3"}})
    assert partial.json["complete"] is False
    assert len(partial.json["missing"]) == 8
    full = browser.api(
        "POST",
        "/api/v1/scoring/saq/preview",
        {"items": {f"q{n}": "3" for n in range(1, 10)}},
    )
    assert full.json == {
        "complete": True,
        "total": pytest.approx(60.0),
        "scores": full.json["scores"],
    }
    bad = browser.api("POST", "/api/v1/scoring/saq/preview", {"items": {"q1": "9"}})
    assert bad.status_code == 400
    assert "q1" in bad.json["fields"]
    assert (
        browser.api("POST", "/api/v1/scoring/nope/preview", {"items": {}}).status_code
        == 400
    )
