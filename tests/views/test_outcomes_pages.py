"""The outcome pages through the Flask client: forms, kiosk lock, response, cycles."""

import re
from datetime import UTC
from datetime import datetime

import pytest
from markupsafe import escape
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select

from planner import scoring
from planner.db import get_engine
from planner.demo import seed_demo
from planner.models import AdverseEvent
from planner.models import Assessment
from planner.models import Patient
from planner.models import Role
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from tests.conftest import PASSWORD
from tests.conftest import assert_shows

# A Sunnybrook worked by hand (clinical reference §4.1):
#   resting: eye narrow 1, cheek absent 2, mouth normal 0 -> 3 x 5 = 15
#   voluntary: 5 + 4 + 3 + 2 + 1 = 15 -> 15 x 4 = 60
#   synkinesis: 1 + 0 + 2 + 0 + 3 = 6 -> 6 x 1 = 6
#   composite = 60 - 15 - 6 = 39
SUNNYBROOK = {
    "resting.eye": "narrow",
    "resting.cheek": "absent",
    "resting.mouth": "normal",
    "voluntary.brow_lift": "5",
    "voluntary.gentle_eye_closure": "4",
    "voluntary.open_mouth_smile": "3",
    "voluntary.snarl": "2",
    "voluntary.lip_pucker": "1",
    "synkinesis.brow_lift": "1",
    "synkinesis.gentle_eye_closure": "0",
    "synkinesis.open_mouth_smile": "2",
    "synkinesis.snarl": "0",
    "synkinesis.lip_pucker": "3",
}
SUNNYBROOK_COMPOSITE = 39
# SAQ answers q1..q9: sum 1+2+3+4+5+1+2+3+4 = 25; 25 / 45 x 100 = 55.56 (20-100).
SAQ_ANSWERS = [1, 2, 3, 4, 5, 1, 2, 3, 4]
SAQ_TOTAL = 25 / 45 * 100
# No style attribute and no inline script may reach a page: the CSP blocks both.
INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)", re.IGNORECASE)


def text(response):
    return response.get_data(as_text=True)


def assert_csp_clean(html):
    assert not INLINE_STYLE.search(html)
    assert not INLINE_SCRIPT.search(html)


@pytest.fixture
def demo_patient(app, session):
    """A demo patient with three signed cycles (the seeder's with the most)."""
    seed_demo(get_engine(app), patients=3, cycles=3, seed=11, now=datetime.now(UTC))
    counts = session.exec(
        select(TreatmentSession.patient_id, func.count())
        .where(
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
        )
        .group_by(col(TreatmentSession.patient_id))
        .order_by(func.count().desc(), col(TreatmentSession.patient_id))
    ).first()
    assert counts is not None
    patient = session.get(Patient, counts[0])
    assert patient is not None
    return patient


def full_session_of(session, patient_id):
    return session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
        )
        .order_by(col(TreatmentSession.performed_at).desc())
    ).first()


def test_each_instrument_form_renders_with_its_items(login_as, make_patient):
    patient = make_patient(given_name="Iris", family_name="Moreau")
    browser = login_as(Role.INJECTOR)
    for code, definition in scoring.INSTRUMENTS.items():
        response = browser.get(
            f"/patients/{patient.id}/assessments/new?instrument={code}"
        )
        assert response.status_code == 200
        html = text(response)
        assert f"{definition.title} for Iris Moreau" in html
        assert re.search(rf'instrument={code}"\s+aria-current="page"', html), (
            f"{code} is not marked current"
        )
        # One in the instrument switcher, one on "Patients" in the site nav.
        assert html.count('aria-current="page"') == 2
        for item in definition.items:
            assert f'name="{item.key}"' in html
        assert "How this is scored" in html
        assert str(escape(definition.reference)) in html
        assert f'name="instrument" value="{code}"' in html
        assert_csp_clean(html)
    # eFACE's sliders are number fields bounded by the slider's ends.
    eface = text(
        browser.get(f"/patients/{patient.id}/assessments/new?instrument=eface")
    )
    assert re.search(r'id="brow_rest"[^>]*min="0" max="200"', eface, re.S)
    assert re.search(r'id="ocular_synkinesis"[^>]*min="0" max="100"', eface, re.S)


def test_roles_other_than_injector_cannot_record(login_as, demo_patient, session):
    full = full_session_of(session, demo_patient.id)
    for role in (Role.STAFF, Role.ADMIN):
        browser = login_as(role)
        pid = demo_patient.id
        assert browser.get(f"/patients/{pid}/assessments/new").status_code == 403
        refused = [
            browser.post_form(
                f"/patients/{pid}/assessments",
                {"instrument": "sunnybrook", **SUNNYBROOK},
            ),
            browser.post_form(f"/patients/{pid}/self-entry", {"instrument": "saq"}),
            browser.post_form(f"/sessions/{full.id}/response", {"onset_days": "3"}),
            browser.post_form(
                f"/sessions/{full.id}/adverse-events",
                {"kind": "dry_eye", "severity": "mild"},
            ),
        ]
        assert [r.status_code for r in refused] == [403, 403, 403, 403]
        # Reading is for everyone: the cycles page and the response, without forms.
        cycles = browser.get(f"/patients/{pid}/cycles")
        assert cycles.status_code == 200
        assert "Record scores" not in text(cycles)
        response = browser.get(f"/sessions/{full.id}/response")
        assert response.status_code == 200
        assert "Save response" not in text(response)
        assert "Add adverse event" not in text(response)
        detail = text(browser.get(f"/patients/{pid}"))
        assert "Compare cycles" in detail
        assert "Hand to patient" not in detail
    assert session.exec(select(func.count()).select_from(AdverseEvent)).one() == 0


def test_a_bad_sunnybrook_names_the_item_and_keeps_the_answers(
    login_as, make_patient, session
):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    answers = {**SUNNYBROOK}
    del answers["voluntary.snarl"]
    answers["synkinesis.lip_pucker"] = "7"
    response = browser.post_form(
        f"/patients/{patient.id}/assessments",
        {"instrument": "sunnybrook", "timepoint": "review", **answers},
    )
    assert response.status_code == 400
    html = text(response)
    assert "Please correct 2 fields" in html
    # Named beside the item and in the summary, with its section.
    assert_shows(
        html,
        "Snarl (levator labii superioris / LLSAN) is required",
        'href="#voluntary.snarl">Symmetry of voluntary movement: Snarl',
        'href="#synkinesis.lip_pucker">Synkinesis: Lip pucker',
        "must be 0 to 3",
    )
    # What was entered stays chosen.
    assert re.search(r'name="resting.eye" value="narrow"\s*checked', html)
    assert re.search(r'name="voluntary.brow_lift" value="5"\s*checked', html)
    assert re.search(r'<option value="review" selected>', html)
    assert session.exec(select(func.count()).select_from(Assessment)).one() == 0


def test_a_sunnybrook_is_saved_with_its_composite(login_as, demo_patient, session):
    browser = login_as(Role.INJECTOR)
    response = browser.post_form(
        f"/patients/{demo_patient.id}/assessments",
        {"instrument": "sunnybrook", "timepoint": "other", **SUNNYBROOK},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patients/{demo_patient.id}/cycles")
    saved = session.exec(
        select(Assessment)
        .where(Assessment.patient_id == demo_patient.id)
        .order_by(col(Assessment.id).desc())
    ).first()
    assert saved.total == SUNNYBROOK_COMPOSITE
    assert saved.items["voluntary"]["snarl"] == 2
    page = text(browser.get(response.headers["Location"]))
    assert f"Sunnybrook Facial Grading System saved: {SUNNYBROOK_COMPOSITE}." in page


def test_self_entry_locks_the_tablet_until_the_clinician_unlocks(
    login_as, make_patient
):
    patient = make_patient(given_name="Noor")
    browser = login_as(Role.INJECTOR)
    started = browser.post_form(
        f"/patients/{patient.id}/self-entry",
        {"instrument": "saq", "timepoint": "pre_treatment"},
    )
    assert started.status_code == 302
    assert started.headers["Location"].endswith("/self-entry")
    page = browser.get("/self-entry")
    assert page.status_code == 200
    html = text(page)
    assert "Question 1 of 9" in html
    assert "When I smile, my eye closes." in html
    assert "Clinician password to unlock" in html
    # Nothing to leave by: no site navigation, no log-out, no link home.
    assert 'aria-label="Main"' not in html
    assert "Log out" not in html
    assert 'href="/"' not in html
    assert_csp_clean(html)

    for path in ("/patients/", f"/patients/{patient.id}", "/schedule/"):
        locked = browser.get(path)
        assert locked.status_code == 302
        assert locked.headers["Location"].endswith("/self-entry")
    assert browser.post_form("/logout", {}).headers["Location"].endswith("/self-entry")

    wrong = browser.post_form("/self-entry/exit", {"password": "not the password"})
    assert wrong.status_code == 302
    assert "That password is not right" in text(browser.get(wrong.headers["Location"]))
    assert browser.get("/patients/").headers["Location"].endswith("/self-entry")

    right = browser.post_form("/self-entry/exit", {"password": PASSWORD})
    assert right.headers["Location"].endswith(f"/patients/{patient.id}")
    unlocked = browser.get("/patients/")
    assert unlocked.status_code == 200
    assert "the unfinished answers were not saved" in text(unlocked)


def test_self_entry_saves_the_saq_the_patient_answered(login_as, demo_patient, session):
    browser = login_as(Role.INJECTOR)
    browser.post_form(
        f"/patients/{demo_patient.id}/self-entry",
        {"instrument": "saq", "timepoint": "wear_off"},
    )
    # No answer chosen: the same question again, with a message.
    skipped = browser.post_form("/self-entry", {})
    again = text(browser.get(skipped.headers["Location"]))
    assert "Please choose one answer." in again
    assert "Question 1 of 9" in again

    # Answer the first, go back: the answer is still chosen.
    browser.post_form("/self-entry", {"answer": "1"})
    second = text(browser.get("/self-entry"))
    assert "Question 2 of 9" in second
    assert 'name="move" value="back"' in second
    browser.post_form("/self-entry", {"move": "back"})
    first = text(browser.get("/self-entry"))
    assert "Question 1 of 9" in first
    assert re.search(r'name="answer" value="1"\s*checked', first)
    assert 'name="move" value="back"' not in first

    for number, answer in enumerate(SAQ_ANSWERS, start=1):
        page = text(browser.get("/self-entry"))
        assert f"Question {number} of 9" in page
        assert ("Finish" if number == 9 else "Next") in page
        moved = browser.post_form("/self-entry", {"answer": str(answer)})
        assert moved.status_code == 302
    done = text(browser.get("/self-entry"))
    assert f"Thank you, {demo_patient.given_name}." in done
    assert "Please hand the tablet back." in done
    assert "Question" not in done
    # A second tap on Finish, or Back, after the answers are saved: the thank-you
    # screen again, never the clinic's error page, and nothing saved twice.
    for late in ({"answer": str(SAQ_ANSWERS[-1])}, {"move": "back"}):
        tapped = browser.post_form("/self-entry", late)
        assert tapped.status_code == 302
        assert tapped.headers["Location"].endswith("/self-entry")
        assert f"Thank you, {demo_patient.given_name}." in text(
            browser.get("/self-entry")
        )

    saved = session.exec(
        select(Assessment).where(
            Assessment.patient_id == demo_patient.id,
            col(Assessment.self_entered).is_(True),
        )
    ).one()
    assert saved.instrument.value == "saq"
    assert saved.total == pytest.approx(SAQ_TOTAL)
    assert saved.items == {f"q{n}": a for n, a in enumerate(SAQ_ANSWERS, start=1)}

    unlocked = browser.post_form("/self-entry/exit", {"password": PASSWORD})
    assert unlocked.headers["Location"].endswith(f"/patients/{demo_patient.id}/cycles")
    cycles = text(browser.get(unlocked.headers["Location"]))
    assert "The patient&#39;s answers are saved." in cycles
    assert "Synkinesis Assessment Questionnaire" in cycles


def test_response_and_adverse_events(login_as, demo_patient, session):
    browser = login_as(Role.INJECTOR)
    full = full_session_of(session, demo_patient.id)
    path = f"/sessions/{full.id}/response"
    page = browser.get(path)
    assert page.status_code == 200
    html = text(page)
    assert f"Response to cycle {full.cycle_number}" in html
    assert "Add adverse event" in html
    assert_csp_clean(html)
    version = re.search(r'name="version" value="(\d+)"', html)

    data = {
        "onset_days": "3",
        "peak_days": "14",
        "wear_off_weeks": "11.5",
        "patient_rating": "8",
        "notes": "Smile freer.",
    }
    if version:
        data["version"] = version.group(1)
    saved = browser.post_form(path, data)
    assert saved.status_code == 302
    html = text(browser.get(path))
    assert 'name="onset_days" type="text" value="3"' in html
    assert 'name="wear_off_weeks" type="text" value="11.5"' in html
    assert re.search(r'name="patient_rating" value="8"\s*checked', html)
    current = re.search(r'name="version" value="(\d+)"', html).group(1)

    # Peak before onset: refused at the field, the entry kept.
    bad = browser.post_form(
        path, {**data, "onset_days": "10", "peak_days": "5", "version": current}
    )
    assert bad.status_code == 400
    assert "cannot come before the onset" in text(bad)
    assert 'name="onset_days" type="text" value="10"' in text(bad)
    # A stale version: 409 and a way to reload.
    stale = browser.post_form(path, {**data, "version": str(int(current) + 1)})
    assert stale.status_code == 409
    assert "Someone changed this response; reload to see it." in text(stale)
    assert "Reload the latest response" in text(stale)

    events = f"/sessions/{full.id}/adverse-events"
    refused = browser.post_form(events, {"kind": "other", "severity": "mild"})
    assert refused.status_code == 400
    assert 'href="#event_description"' in text(refused)
    missing = browser.post_form(events, {"severity": "mild"})
    assert missing.status_code == 400
    assert "Kind of adverse event" in text(missing)
    added = browser.post_form(
        events,
        {
            "kind": "eyelid_droop",
            "severity": "moderate",
            "description": "Left upper lid, 2 mm.",
        },
    )
    assert added.status_code == 302
    html = text(browser.get(path))
    assert "Eyelid droop" in html
    assert "Left upper lid, 2 mm." in html
    cycles = text(browser.get(f"/patients/{demo_patient.id}/cycles"))
    assert "Left upper lid, 2 mm." in cycles


def test_the_cycles_page_compares_cycles(login_as, demo_patient, session):
    browser = login_as(Role.STAFF)
    signed = session.exec(
        select(TreatmentSession.cycle_number)
        .where(
            TreatmentSession.patient_id == demo_patient.id,
            TreatmentSession.kind == SessionKind.FULL,
            TreatmentSession.status == SessionStatus.SIGNED,
        )
        .order_by(col(TreatmentSession.cycle_number))
    ).all()
    response = browser.get(f"/patients/{demo_patient.id}/cycles")
    assert response.status_code == 200
    html = text(response)
    assert f"Cycles for {demo_patient.full_name}" in html
    assert html.count('class="cycle-card"') == len(signed)
    for number in signed:
        assert f'id="cycle-{number}-title">Cycle {number}' in html
        assert f'name="cycle" value="{number}" checked' in html
    assert '<table class="matrix">' in html
    assert re.search(r'<rect width="100%" height="100%" fill="#[0-9a-f]{6}"/>', html)
    assert 'class="chart line-chart"' in html
    assert "How this is scored" in html
    assert_csp_clean(html)

    first, last = signed[0], signed[-1]
    chosen = text(
        browser.get(f"/patients/{demo_patient.id}/cycles?cycle={first}&cycle={last}")
    )
    assert chosen.count('class="cycle-card"') == 2
    assert "Show all cycles" in chosen


def test_a_patient_without_treatments_sees_what_to_do(login_as, make_patient):
    patient = make_patient()
    html = text(login_as(Role.INJECTOR).get(f"/patients/{patient.id}/cycles"))
    assert "No signed treatments yet" in html
    assert "Start a treatment" in html
    assert "cycle-card" not in html


def test_the_patient_page_links_to_outcomes(login_as, demo_patient, session):
    html = text(login_as(Role.INJECTOR).get(f"/patients/{demo_patient.id}"))
    assert "Record scores" in html
    assert "Hand to patient: SAQ" in html
    assert f'href="/patients/{demo_patient.id}/self-entry/new?instrument=saq"' in html
    assert "Compare cycles" in html
    full = full_session_of(session, demo_patient.id)
    assert f'href="/sessions/{full.id}/response"' in html
