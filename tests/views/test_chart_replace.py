"""Copy last cycle and apply a template, replacing today's sites or adding to
them (issue 15 item 4), through the HTTP API."""

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import open_draft
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap


def sites(browser, session_id: int) -> list[tuple[int, str, str]]:
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    return [(s["number"], s["muscle"], s["side"]) for s in state["sites"]]


def signed_first_cycle(browser, patient_id: int) -> int:
    first = open_draft(browser, patient_id)
    post_tap(browser, first, "frontalis", "left", version=1)
    post_tap(browser, first, "mentalis", "left", version=2)
    signed = post_sign(browser, first, version=3, reasons={})
    assert signed.status_code == 200, signed.json
    return first


@pytest.fixture
def second_cycle(login_as, make_patient):
    """An injector's browser and today's draft, one platysma site (version 2),
    for a patient whose first cycle (frontalis and mentalis) is signed."""
    injector = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="left")
    signed_first_cycle(injector, patient.id)
    today = open_draft(injector, patient.id)
    post_tap(injector, today, "platysma", "right", version=1)
    return injector, today


def test_copy_last_cycle_replaces_today_s_sites_or_adds_to_them(
    second_cycle, session: Session
):
    injector, today = second_cycle

    refused = injector.api(
        "POST", f"/api/v1/sessions/{today}/copy-last", {"version": 2, "replace": "yes"}
    )
    assert refused.status_code == 400
    assert "replace" in refused.json["fields"]
    assert sites(injector, today) == [(1, "platysma", "right")]

    replaced = injector.api(
        "POST", f"/api/v1/sessions/{today}/copy-last", {"version": 2, "replace": True}
    )
    assert replaced.status_code == 200, replaced.json
    assert [(m, s) for _, m, s in sites(injector, today)] == [
        ("frontalis", "left"),
        ("mentalis", "left"),
    ]
    removed = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.DELETE,
            AuditEvent.entity_type == "injection_site",
        )
    ).all()
    assert [event.before["muscle"] for event in removed] == ["platysma"]

    added = injector.api(
        "POST",
        f"/api/v1/sessions/{today}/copy-last",
        {"version": replaced.json["version"]},
    )
    assert added.status_code == 200, added.json
    assert len(sites(injector, today)) == 4


def test_a_template_can_replace_today_s_sites(login_as, make_patient):
    injector = login_as(Role.INJECTOR)
    first = signed_first_cycle(injector, make_patient(affected_side="left").id)
    saved = injector.post_form(
        f"/sessions/{first}/template", {"template_name": "Brow and chin"}
    )
    assert saved.status_code == 302
    patient = make_patient(affected_side="right")
    today = open_draft(injector, patient.id)
    post_tap(injector, today, "platysma", "left", version=1)
    post_tap(injector, today, "platysma", "right", version=2)
    templates = injector.api("GET", f"/api/v1/sessions/{today}").json["templates"]
    (template,) = [t for t in templates if t["name"] == "Brow and chin"]
    answer = injector.api(
        "POST",
        f"/api/v1/sessions/{today}/apply-template",
        {"version": 3, "template_id": template["id"], "replace": True},
    )
    assert answer.status_code == 200, answer.json
    # Mirrored onto this patient's palsied (right) side.
    assert [(m, s) for _, m, s in sites(injector, today)] == [
        ("frontalis", "right"),
        ("mentalis", "right"),
    ]


def test_a_preview_says_what_a_copy_would_add_and_writes_nothing(
    second_cycle, session: Session
):
    injector, today = second_cycle
    site_events = select(AuditEvent).where(AuditEvent.entity_type == "injection_site")
    events = len(session.exec(site_events).all())

    preview = injector.api("GET", f"/api/v1/sessions/{today}/copy-last")
    assert preview.status_code == 200, preview.json
    assert preview.json["today"] == 1
    assert preview.json["left_out"] == []
    assert [
        (s["muscle"], s["muscle_name"], s["side"], s["units"], s["unset_reason"])
        for s in preview.json["sites"]
    ] == [
        ("frontalis", "Frontalis", "left", 2.0, None),
        ("mentalis", "Mentalis", "left", 2.0, None),
    ]
    # Nothing written: the chart, its version and the audit trail are as they were.
    state = injector.api("GET", f"/api/v1/sessions/{today}").json
    assert state["session"]["version"] == 2
    assert sites(injector, today) == [(1, "platysma", "right")]
    assert len(session.exec(site_events).all()) == events


def test_a_preview_into_another_product_carries_no_dose(login_as, make_patient):
    injector = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="left")
    signed_first_cycle(injector, patient.id)
    form = {**VIAL_FORM, "product": "dysport", "vial_units": "300"}
    opened = injector.post_form(f"/patients/{patient.id}/sessions", form)
    dysport = int(opened.headers["Location"].rsplit("/", 1)[1])
    preview = injector.api("GET", f"/api/v1/sessions/{dysport}/copy-last")
    assert preview.status_code == 200, preview.json
    assert preview.json["today"] == 0
    assert {(s["units"], s["unset_reason"]) for s in preview.json["sites"]} == {
        (None, "Dose not carried over: last cycle was Botox, units differ")
    }


def test_a_template_preview_names_its_sites_and_refuses_a_bad_id(
    login_as, make_patient
):
    injector = login_as(Role.INJECTOR)
    first = signed_first_cycle(injector, make_patient(affected_side="left").id)
    saved = injector.post_form(
        f"/sessions/{first}/template", {"template_name": "Brow and chin"}
    )
    assert saved.status_code == 302
    today = open_draft(injector, make_patient(affected_side="right").id)
    templates = injector.api("GET", f"/api/v1/sessions/{today}").json["templates"]
    (template,) = [t for t in templates if t["name"] == "Brow and chin"]
    url = f"/api/v1/sessions/{today}/apply-template"
    preview = injector.api("GET", f"{url}?template_id={template['id']}")
    assert preview.status_code == 200, preview.json
    # Mirrored onto this patient's palsied (right) side.
    assert [(s["muscle"], s["side"]) for s in preview.json["sites"]] == [
        ("frontalis", "right"),
        ("mentalis", "right"),
    ]
    bad = injector.api("GET", f"{url}?template_id=two")
    assert bad.status_code == 400
    assert "template_id" in bad.json["fields"]
    assert injector.api("GET", f"{url}?template_id=999").status_code == 404
    assert injector.api("GET", url).status_code == 400
