"""The chart API: taps saved at once, stale writes refused with the current state."""

import threading
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner.db import get_engine
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import ProtocolTemplate
from planner.models import Role
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import open_draft
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.conftest import PASSWORD
from tests.conftest import Browser
from tests.factories import make_app
from tests.factories import make_patient
from tests.factories import tap_at


@pytest.fixture
def chart(login_as, make_patient):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    return injector, open_draft(injector, patient.id)


def test_tap_change_move_delete_and_state(chart):
    browser, session_id = chart
    added = post_tap(browser, session_id, "mentalis", "right", version=1)
    assert added.status_code == 201
    assert added.json["version"] == 2
    site = added.json["site"]
    assert (site["muscle"], site["side"], site["role"]) == (
        "mentalis",
        "right",
        "affected",
    )
    changed = browser.api(
        "PATCH",
        f"/api/v1/sessions/{session_id}/sites/{site['id']}",
        {"version": 2, "units": 3},
    )
    assert changed.json["site"]["units"] == 3
    moved = browser.api(
        "PATCH",
        f"/api/v1/sessions/{session_id}/sites/{site['id']}",
        {"version": 3, **tap_at("platysma", "left")},
    )
    assert (moved.json["site"]["muscle"], moved.json["site"]["side"]) == (
        "platysma",
        "left",
    )
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    assert state["session"]["version"] == 4
    assert state["sites"][0]["muscle_name"].startswith("Platysma")
    assert state["totals"]["units"] == 3
    gone = browser.api(
        "DELETE", f"/api/v1/sessions/{session_id}/sites/{site['id']}", {"version": 4}
    )
    assert (
        gone.json == {"version": 5, "deleted": site["id"], "site": None}
        or gone.json["deleted"] == site["id"]
    )


def test_keyboard_placement_by_muscle_and_side(chart):
    browser, session_id = chart
    added = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sites",
        {"muscle": "procerus", "side": "midline", "version": 1},
    )
    assert added.status_code == 201
    assert added.json["site"]["role"] == "midline"
    wrong = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sites",
        {"muscle": "procerus", "side": "left", "version": 2},
    )
    assert wrong.status_code == 400
    assert "side" in wrong.json["fields"]


def test_stale_write_is_409_with_the_current_state(chart):
    browser, session_id = chart
    post_tap(browser, session_id, "mentalis", "right", version=1)
    stale = post_tap(browser, session_id, "platysma", "right", version=1)
    assert stale.status_code == 409
    assert stale.json["state"]["session"]["version"] == 2
    assert [s["muscle"] for s in stale.json["state"]["sites"]] == ["mentalis"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"x": 1, "y": 1, "version": 1}, "x"),
        ({"x": 100, "version": 1}, "x"),
        ({"x": 100, "y": 100, "version": 1, "units": -1}, "units"),
        ({"x": 100, "y": 100}, "version"),
        ({"muscle": "nose", "side": "left", "version": 1}, "muscle"),
    ],
)
def test_bad_taps_name_the_field(chart, body, field):
    browser, session_id = chart
    response = browser.api("POST", f"/api/v1/sessions/{session_id}/sites", body)
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_staff_can_read_but_not_chart(chart, login_as):
    _, session_id = chart
    staff = login_as(Role.STAFF)
    assert staff.api("GET", f"/api/v1/sessions/{session_id}").status_code == 200
    response = post_tap(staff, session_id, "mentalis", "left", version=1)
    assert response.status_code == 403


def test_sign_then_read_only(chart):
    browser, session_id = chart
    post_tap(browser, session_id, "mentalis", "right", version=1)
    refused = post_sign(browser, session_id, version=2, consent_obtained=False)
    assert refused.status_code == 400
    assert "consent_obtained" in refused.json["fields"]
    signed = post_sign(browser, session_id, version=2)
    assert signed.status_code == 200, signed.json
    assert signed.json["session"]["status"] == "signed"
    late = post_tap(browser, session_id, "platysma", "right", version=3)
    assert late.status_code == 409
    assert "signed" in late.json["error"]


def test_a_dose_with_no_default_is_null_in_the_api_and_never_none_on_the_page(
    login_as, make_patient
):
    injector = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="left")
    form = {**VIAL_FORM, "product": "dysport", "vial_units": "300"}
    opened = injector.post_form(f"/patients/{patient.id}/sessions", form)
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    added = post_tap(injector, session_id, "depressor_anguli_oris", "left", version=1)
    assert added.status_code == 201
    assert added.json["site"]["units"] is None
    assert added.json["site"]["unset_reason"].startswith("No Dysport default")
    state = injector.api("GET", f"/api/v1/sessions/{session_id}").json
    (site,) = state["sites"]
    assert (site["units"], site["volume_ml"], site["draw_text"]) == (None, None, None)
    assert (state["totals"]["units"], state["totals"]["unset"]) == (0, 1)
    page = injector.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "None" not in page
    assert "No Dysport default for this muscle" in page
    assert "1 dose to enter in Dysport units before signing" in page
    refused = post_sign(injector, session_id, version=2)
    assert refused.status_code == 400
    assert refused.json["fields"]["doses"] == "missing at site 1: enter it first"
    entered = injector.api(
        "PATCH",
        f"/api/v1/sessions/{session_id}/sites/{site['id']}",
        {"version": 2, "units": 5},
    )
    changed = entered.json["site"]
    assert (changed["units"], changed["unset_reason"]) == (5, None)


def test_a_draft_with_a_dose_to_enter_prints_and_exports(login_as, make_patient):
    injector = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="left")
    form = {**VIAL_FORM, "product": "dysport", "vial_units": "300"}
    opened = injector.post_form(f"/patients/{patient.id}/sessions", form)
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    post_tap(injector, session_id, "depressor_anguli_oris", "left", version=1)
    for path in (
        f"/sessions/{session_id}/record.pdf",
        f"/sessions/{session_id}/handout.pdf",
        f"/patients/{patient.id}/fhir.json",
    ):
        assert injector.get(path).status_code == 200, path
    consent_by_browser(injector, patient.id, kind="research")
    admin = login_as(Role.ADMIN)
    for name in ("sites", "sessions"):
        response = admin.get(f"/exports/{name}.csv")
        assert response.status_code == 200, name
        assert "None" not in response.get_data(as_text=True)
        assert response.get_data(as_text=True).count("\r\n") == 2, name


def test_the_treatment_time_is_entered_on_the_chart_page(chart, login_as):
    browser, session_id = chart
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert 'id="performed_at" name="performed_at" type="datetime-local"' in page
    refused = browser.post_form(
        f"/sessions/{session_id}/time",
        {"version": "1", "performed_at": "2999-01-01T09:00"},
    )
    assert refused.status_code == 400
    shown = refused.get_data(as_text=True)
    assert "Treatment time (clinic time) must not be in the future" in shown
    assert 'value="2999-01-01T09:00"' in shown
    earlier = (datetime.now(ZoneInfo("Europe/London")) - timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    saved = browser.post_form(
        f"/sessions/{session_id}/time", {"version": "1", "performed_at": earlier}
    )
    assert saved.status_code == 302
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    assert state["session"]["performed_at_confirmed"] is True
    assert state["session"]["treatment_time_input"] == earlier
    staff = login_as(Role.STAFF)
    forbidden = staff.post_form(
        f"/sessions/{session_id}/time", {"version": "2", "performed_at": earlier}
    )
    assert forbidden.status_code == 403


def test_openapi_documents_the_chart(login_as):
    paths = login_as(Role.STAFF).get("/api/openapi.json").json["paths"]
    assert "/api/v1/sessions/{session_id}/sites/{site_id}" in paths
    assert set(paths["/api/v1/sessions/{session_id}/sites/{site_id}"]) == {
        "patch",
        "delete",
    }


@pytest.fixture
def file_app(tmp_path, db_url):
    url = f"sqlite:///{tmp_path / 'race.db'}" if db_url == "sqlite://" else db_url
    app = make_app(url, secret_key="race", check_schema=False)
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        load_catalogue(session)
        create_user(
            session,
            SYSTEM,
            email="a@example.org",
            name="A",
            role="injector",
            password=PASSWORD,
        )
        create_user(
            session,
            SYSTEM,
            email="b@example.org",
            name="B",
            role="injector",
            password=PASSWORD,
        )
        patient = make_patient(session, SYSTEM, "RACE1")
        patient_id = patient.id
    yield app, patient_id
    engine.dispose()


def test_two_tablets_racing_never_lose_an_acknowledged_write(file_app):
    app, patient_id = file_app
    tablets = []
    for email in ("a@example.org", "b@example.org"):
        browser = Browser(app.test_client())
        browser.login(email)
        tablets.append(browser)
    session_id = open_draft(tablets[0], patient_id)
    targets = [
        tap_at(m, s)
        for m in ("mentalis", "platysma", "frontalis")
        for s in ("left", "right")
    ]
    acknowledged: list[int] = []
    conflicts: list[int] = []
    lock = threading.Lock()

    def work(browser, offset):
        version = 1
        for attempt in range(15):
            body = {**targets[(attempt + offset) % len(targets)], "version": version}
            response = browser.api("POST", f"/api/v1/sessions/{session_id}/sites", body)
            if response.status_code == 201:
                version = response.json["version"]
                with lock:
                    acknowledged.append(response.json["site"]["id"])
            else:
                assert response.status_code == 409, response.json
                version = response.json["state"]["session"]["version"]
                with lock:
                    conflicts.append(version)

    threads = [
        threading.Thread(target=work, args=(t, i)) for i, t in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(get_engine(app)) as session:
        stored = session.exec(
            select(InjectionSite.id).where(InjectionSite.session_id == session_id)
        ).all()
    assert sorted(stored) == sorted(acknowledged)
    assert len(acknowledged) + len(conflicts) == 30
    assert len(set(acknowledged)) == len(acknowledged)


def test_amend_a_signed_record_from_its_page(chart, session):
    browser, session_id = chart
    added = post_tap(browser, session_id, "mentalis", "right", version=1)
    site_id = added.json["site"]["id"]
    post_sign(browser, session_id, version=2)
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Amend this record" in page
    assert f'name="units_{site_id}" type="text" value="2"' in page
    missing = browser.post_form(
        f"/sessions/{session_id}/amendments",
        {"version": "3", "reason": "", f"units_{site_id}": "2"},
    )
    assert missing.status_code == 400
    assert 'id="reason-error"' in missing.get_data(as_text=True)
    bad = browser.post_form(
        f"/sessions/{session_id}/amendments",
        {"version": "3", "reason": "Typo", f"units_{site_id}": "two"},
    )
    assert bad.status_code == 400
    assert f'id="units_{site_id}-error"' in bad.get_data(as_text=True)
    saved = browser.post_form(
        f"/sessions/{session_id}/amendments",
        {
            "version": "3",
            "reason": "Dose written down wrongly",
            "note": "<b>checked</b>",
            f"units_{site_id}": "2.5",
        },
    )
    assert saved.status_code == 302
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Dose written down wrongly" in page
    assert "Site 1: 2 → 2.5 U" in page
    assert "&lt;b&gt;checked&lt;/b&gt;" in page
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    assert state["session"]["status"] == "signed"
    assert state["sites"][0]["units"] == 2.5
    assert state["amendments"][0]["sites"] == [{"site": 1, "before": 2.0, "after": 2.5}]


def test_staff_cannot_amend(chart, login_as):
    _, session_id = chart
    staff = login_as(Role.STAFF)
    response = staff.post_form(f"/sessions/{session_id}/amendments", {"reason": "x"})
    assert response.status_code == 403


def test_an_injector_saves_a_chart_as_a_template(chart, login_as, session):
    browser, session_id = chart
    added = post_tap(browser, session_id, "mentalis", "right", version=1)
    assert added.status_code == 201
    page = browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Save as template" in page
    response = browser.post_form(
        f"/sessions/{session_id}/template", {"template_name": "Chin only"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{session_id}")
    template = session.exec(
        select(ProtocolTemplate).where(ProtocolTemplate.name == "Chin only")
    ).one()
    assert [site["muscle"] for site in template.sites] == ["mentalis"]
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "protocol_template",
            AuditEvent.entity_id == template.id,
        )
    ).one()
    assert event.action == AuditAction.CREATE
    # A refused name is flashed on the chart, and nothing is saved.
    refused = browser.post_form(
        f"/sessions/{session_id}/template",
        {"template_name": ""},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert 'class="flash flash-error"' in refused.get_data(as_text=True)
    assert len(session.exec(select(ProtocolTemplate)).all()) == 1
    staff = login_as(Role.STAFF)
    assert "Save as template" not in staff.get(f"/sessions/{session_id}").get_data(
        as_text=True
    )
    assert (
        staff.post_form(
            f"/sessions/{session_id}/template", {"template_name": "Nope"}
        ).status_code
        == 403
    )
