"""Drafts at the chair through HTTP: discard with a reason and a confirmation,
and a new treatment offers the open draft instead of opening a second one."""

import re

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import open_draft
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap
from tests.conftest import assert_shows

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)", re.IGNORECASE)


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def drafted(login_as, make_patient):
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    session_id = open_draft(injector, patient.id)
    assert post_tap(injector, session_id, "mentalis", "left", version=1).status_code
    return injector, patient, session_id


def test_a_draft_is_discarded_after_a_reason_and_a_confirmation(drafted, session):
    browser, patient, session_id = drafted
    chart = text(browser.get(f"/sessions/{session_id}"))
    assert_shows(chart, "Discard this draft", f"/sessions/{session_id}/discard")
    # A blank reason is named by its field, on the same form, with a 400.
    blank = browser.post_form(f"/sessions/{session_id}/discard", {"reason": "  "})
    assert blank.status_code == 400
    assert_shows(text(blank), 'id="reason-error"', "Reason for discarding is required")
    # A reason leads to the confirmation step; nothing is discarded yet.
    step = browser.post_form(
        f"/sessions/{session_id}/discard", {"reason": "Opened for the wrong patient."}
    )
    assert step.status_code == 200
    assert_shows(
        text(step),
        "Yes, discard this draft",
        'name="confirmed" value="yes"',
        "Opened for the wrong patient.",
    )
    assert session.get(TreatmentSession, session_id).status == SessionStatus.DRAFT
    done = browser.post_form(
        f"/sessions/{session_id}/discard",
        {"reason": "Opened for the wrong patient.", "confirmed": "yes"},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/patients/{patient.id}")
    session.expire_all()
    assert session.get(TreatmentSession, session_id).status == SessionStatus.DISCARDED
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.DISCARD)
    ).one()
    assert event.entity_id == session_id
    # The chart says so and offers no more charting; the timeline shows it.
    chart = text(browser.get(f"/sessions/{session_id}"))
    assert_shows(chart, "Discarded draft.", "Reason: Opened for the wrong patient.")
    assert "Discard this draft" not in chart
    detail = text(browser.get(f"/patients/{patient.id}"))
    assert_shows(detail, "Treatment draft, discarded", "badge-discarded")
    # Charting a discarded draft through the API is a conflict.
    again = post_tap(browser, session_id, "mentalis", "right", version=3)
    assert again.status_code == 409
    # So is discarding it twice.
    twice = browser.post_form(
        f"/sessions/{session_id}/discard", {"reason": "Again.", "confirmed": "yes"}
    )
    assert twice.status_code == 409


def test_a_signed_session_cannot_be_discarded(drafted, session):
    browser, _patient, session_id = drafted
    signed = post_sign(browser, session_id, version=2, reasons={})
    if signed.status_code == 400:  # a warning wants its reason: give one for each
        keys = signed.get_json().get("fields", {})
        signed = post_sign(
            browser,
            session_id,
            version=2,
            reasons={key.removeprefix("reasons."): "Agreed." for key in keys},
        )
    assert signed.status_code == 200, signed.get_data(as_text=True)
    assert "Discard this draft" not in text(browser.get(f"/sessions/{session_id}"))
    refused = browser.post_form(
        f"/sessions/{session_id}/discard", {"reason": "Oops.", "confirmed": "yes"}
    )
    assert refused.status_code == 409
    assert "signed and cannot be discarded" in text(refused)
    assert session.get(TreatmentSession, session_id).status == SessionStatus.SIGNED


def test_staff_cannot_discard(drafted, login_as):
    _browser, _patient, session_id = drafted
    staff = login_as(Role.STAFF)
    assert "Discard this draft" not in text(staff.get(f"/sessions/{session_id}"))
    response = staff.post_form(
        f"/sessions/{session_id}/discard", {"reason": "x", "confirmed": "yes"}
    )
    assert response.status_code == 403


def test_a_new_treatment_offers_todays_draft_and_never_opens_a_second(drafted, session):
    browser, patient, session_id = drafted
    page = text(browser.get(f"/patients/{patient.id}/sessions/new"))
    assert_shows(
        page,
        "has an unsigned draft from",
        "Resume the draft from",
        f'href="/sessions/{session_id}"',
        f"/sessions/{session_id}/discard?then=new",
    )
    assert "Open the chart" not in page  # no form for a second same-day chart
    assert not INLINE_SCRIPT.search(page)
    posted = browser.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM)
    assert posted.status_code == 400
    assert_shows(text(posted), "Resume the draft from", "Open draft resume the draft")
    assert len(session.exec(select(TreatmentSession)).all()) == 1
    # Discarding it from there returns to a fresh form.
    form = text(browser.get(f"/sessions/{session_id}/discard?then=new"))
    assert_shows(form, 'name="then" value="new"', "Reason for discarding")
    done = browser.post_form(
        f"/sessions/{session_id}/discard",
        {"reason": "Started twice.", "confirmed": "yes", "then": "new"},
    )
    assert done.headers["Location"].endswith(f"/patients/{patient.id}/sessions/new")
    fresh = text(browser.get(f"/patients/{patient.id}/sessions/new"))
    assert "Open the chart" in fresh
    assert "unsigned draft" not in fresh
    opened = browser.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM)
    assert opened.status_code == 302
    cycles = {r.cycle_number for r in session.exec(select(TreatmentSession)).all()}
    assert cycles == {1}


@pytest.mark.parametrize("then", ["junk", "New", "patients"])
def test_a_discard_link_to_an_unknown_next_page_is_refused_naming_it(drafted, then):
    """``?then=`` names where to go after discarding: a mistyped one quietly went
    to the patient page instead."""
    browser, _patient, session_id = drafted
    refused = browser.get(f"/sessions/{session_id}/discard?then={then}")
    assert refused.status_code == 400
    assert "<strong>then</strong>: must be one of new: the new-treatment form" in text(
        refused
    )
    assert "Reason for discarding" not in text(refused)
    for known in ("", "?then=", "?then=new"):
        shown = browser.get(f"/sessions/{session_id}/discard{known}")
        assert shown.status_code == 200
