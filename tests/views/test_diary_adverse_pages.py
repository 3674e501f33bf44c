"""Recording a diary side effect as an adverse event, over HTTP.

An injector opens the adverse-event form from the entry, filled from it; the
saved event says the patient reported it, and the entry says it was recorded.
Other roles see no button and are refused; the form keeps its CSRF token.
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.clinic_time import day_text
from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.models import AdverseEvent
from planner.models import Role
from planner.services import diary_entries as entries
from tests.factories import ZONE
from tests.factories import sign_chin
from tests.services.test_comparison_report import save_pages
from tests.services.test_diary import CLIENT
from tests.services.test_diary import NOW
from tests.services.test_diary import opened
from tests.services.test_reports import page_texts
from tests.views.test_read_audit import views

PRODUCTS = ["botox", "dysport"]
LATER = NOW + timedelta(days=4)


@pytest.fixture
def reported(session, injector, make_patient):
    """A treated patient who reported an eyelid droop in the diary on 6 March."""

    def report(product="botox"):
        patient = make_patient()
        treated = sign_chin(
            session, injector, patient.id, when=NOW, product=product, lot_number="L1"
        )
        _, diary = opened(session, injector, treated.id, now=LATER)
        entry = entries.record_side_effect(
            session,
            diary,
            {"effects": ["eyelid_droop"], "day": "2026-03-04"},
            client=CLIENT,
            now=LATER,
        )
        return patient, treated, entry

    return report


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_injector_records_the_entry_and_both_pages_say_so(
    login_as, session, reported, product
):
    patient, treated, entry = reported(product)
    browser = login_as(Role.INJECTOR)
    form_path = f"/diary-entries/{entry.id}/adverse-event"
    cycles = text(browser.get(f"/patients/{patient.id}/cycles"))
    assert f'href="{form_path}#add-event-title"' in cycles
    worklist = text(browser.get("/schedule/"))
    assert f'href="{form_path}#add-event-title"' in worklist

    form = browser.get(form_path)
    assert form.status_code == 200
    html = text(form)
    assert f'name="diary_entry_id" value="{entry.id}"' in html
    assert re.search(r'<option value="eyelid_droop"\s*selected>', html)
    assert 'name="onset_date" value="2026-03-04"' in html
    assert "Patient reported in the diary: My eyelid droops</textarea>" in html
    assert "From the patient’s diary, entered 6 Mar 2026:" in html
    assert f'action="/sessions/{treated.id}/adverse-events"' in html

    saved = browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {
            "diary_entry_id": str(entry.id),
            "kind": "eyelid_droop",
            "severity": "moderate",
            "onset_date": "2026-03-04",
            "description": "Patient reported in the diary: My eyelid droops",
        },
    )
    assert saved.status_code == 302
    event = session.exec(select(AdverseEvent)).one()
    assert event.diary_entry_id == entry.id
    response = text(browser.get(f"/sessions/{treated.id}/response"))
    assert "Reported by the patient in the diary on 6 Mar 2026" in response
    today = day_text(local_day(utc_now(), ZONE))
    cycles = text(browser.get(f"/patients/{patient.id}/cycles"))
    assert f"Recorded as an adverse event on {today}" in cycles
    assert form_path not in cycles
    assert "Reported by the patient in the diary on 6 Mar 2026" in cycles

    # A second attempt is refused by name, opening the form or saving it.
    again = browser.get(form_path)
    assert again.status_code == 400
    assert f"is already recorded as an adverse event on {today}" in text(again)
    twice = browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {"diary_entry_id": str(entry.id), "kind": "eyelid_droop", "severity": "mild"},
    )
    assert twice.status_code == 400
    assert f"Diary entry is already recorded as an adverse event on {today}" in text(
        twice
    )
    assert len(session.exec(select(AdverseEvent)).all()) == 1


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_other_roles_see_no_button_and_are_refused(login_as, session, reported, role):
    patient, treated, entry = reported()
    browser = login_as(role)
    form_path = f"/diary-entries/{entry.id}/adverse-event"
    assert form_path not in text(browser.get(f"/patients/{patient.id}/cycles"))
    assert form_path not in text(browser.get("/schedule/"))
    assert browser.get(form_path).status_code == 403
    posted = browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {"diary_entry_id": str(entry.id), "kind": "eyelid_droop", "severity": "mild"},
    )
    assert posted.status_code == 403
    assert session.exec(select(AdverseEvent)).all() == []


def test_saving_needs_the_csrf_token(login_as, session, reported):
    _, treated, entry = reported()
    browser = login_as(Role.INJECTOR)
    posted = browser.client.post(
        f"/sessions/{treated.id}/adverse-events",
        data={"diary_entry_id": str(entry.id), "kind": "dry_eye", "severity": "mild"},
    )
    assert posted.status_code == 400
    assert "csrf" in text(posted).lower()
    assert session.exec(select(AdverseEvent)).all() == []


def test_an_unknown_entry_is_refused_by_name_not_a_500(login_as, reported):
    _, treated, entry = reported()
    browser = login_as(Role.INJECTOR)
    missing = browser.get(f"/diary-entries/{entry.id + 50}/adverse-event")
    assert missing.status_code == 400
    assert "does not exist" in text(missing)
    posted = browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {"diary_entry_id": "x", "kind": "dry_eye", "severity": "mild"},
    )
    assert posted.status_code == 400
    assert "Diary entry" in text(posted)


def test_the_api_names_the_diary_entry_of_an_event(login_as, session, reported):
    patient, treated, entry = reported("dysport")
    browser = login_as(Role.INJECTOR)
    browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {"diary_entry_id": str(entry.id), "kind": "eyelid_droop", "severity": "mild"},
    )
    browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {"kind": "dry_eye", "severity": "mild"},
    )
    events = browser.get(f"/api/v1/patients/{patient.id}/cycles").json["events"]
    assert sorted(
        (e["kind"], e["diary_entry_id"], e["reported_in_diary_on"]) for e in events
    ) == [("Dry eye", None, None), ("Eyelid droop", entry.id, "2026-03-06")]
    document = browser.get("/api/openapi.json").json
    [name] = [
        n for n in document["components"]["schemas"] if n.endswith("CycleEventOut")
    ]
    fields = document["components"]["schemas"][name]["properties"]
    assert {"diary_entry_id", "reported_in_diary_on"} <= set(fields)


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_record_and_comparison_pdfs_print_the_source(
    login_as, session, reported, product
):
    patient, treated, entry = reported(product)
    browser = login_as(Role.INJECTOR)
    browser.post_form(
        f"/sessions/{treated.id}/adverse-events",
        {
            "diary_entry_id": str(entry.id),
            "kind": "eyelid_droop",
            "severity": "mild",
            "onset_date": "2026-03-04",
        },
    )
    source = "Reported by the patient in the diary on 6 Mar 2026"
    for name, path in (
        ("record", f"/sessions/{treated.id}/record.pdf"),
        ("comparison", f"/patients/{patient.id}/comparison.pdf"),
    ):
        pdf = browser.get(path)
        assert pdf.status_code == 200
        text_of_pages = " ".join(page_texts(pdf.data))
        assert source in text_of_pages, name
        save_pages(pdf.data, f"diary-ae-{product}-{name}")


@pytest.mark.parametrize("product", PRODUCTS)
def test_opening_the_form_from_the_diary_is_an_audited_read_of_the_patient(
    login_as, session, reported, product
):
    # The page shows the patient's treatment and words: a read, like the
    # response page it fills.
    patient, _, entry = reported(product)
    browser = login_as(Role.INJECTOR)
    assert browser.get(f"/diary-entries/{entry.id}/adverse-event").status_code == 200
    (event,) = views(session, patient_id=patient.id)
    assert (event.entity_type, event.entity_id) == ("diary_entry", entry.id)
    assert event.after == {"read": "adverse event form from the diary"}


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_the_cycles_page_names_the_button_only_to_who_has_it(login_as, reported, role):
    patient, _, _ = reported("dysport")
    for who, named in ((Role.INJECTOR, True), (role, False)):
        page = text(login_as(who).get(f"/patients/{patient.id}/cycles"))
        assert "Reported by the patient in the diary" in page
        assert ("Record as adverse event" in page) is named, who
