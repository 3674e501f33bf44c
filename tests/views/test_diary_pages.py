"""The diary's pages over HTTP: no login, identical refusals, nothing but the cycle."""

import io
import re
import secrets
import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
import segno
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import DiaryEntry
from planner.models import DiaryLink
from planner.models import Role
from planner.reports.diary_qr import diary_qr
from planner.services.diary_links import revoke_diary_link
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_handout_print import flesch_kincaid_grade
from tests.services.test_reports import page_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CSRF_META = re.compile(r'<meta name="csrf-token" content="[^"]*">')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
STEPS = ("onset", "side-effect", "weekly", "questionnaire", "wear-off")
SAQ = {f"q{n}": "2" for n in range(1, 10)}


def now():
    return datetime.now(UTC)


@pytest.fixture
def treat(session, injector, make_patient):
    """Sign a treatment ``days`` ago; return the patient, the session and a token."""

    def treat(days=16, patient=None, **names):
        patient = patient or make_patient(**names)
        when = now() - timedelta(days=days)
        treatment = make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", 4)],
            when=when,
            sign=True,
            lot_number=f"D{days}X{patient.id}",
        )
        printed = printable_link(
            session, treatment.id, key=DIARY_KEY, now=when, zone=ZONE
        )
        return patient, treatment, printed.printed.token

    return treat


def csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    found = CSRF_INPUT.search(page)
    assert found, path
    return found.group(1)


def post(client, token, step, data):
    path = f"/diary/{token}/{step}"
    return client.post(path, data={**data, "csrf_token": csrf(client, path)})


def test_the_diary_needs_no_login_and_shows_the_first_name(client, treat):
    patient, _, token = treat(given_name="Zelda", family_name="Quackenbush")
    page = client.get(f"/diary/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Hello, Zelda" in text
    assert "Quackenbush" not in text
    for step in STEPS:
        assert client.get(f"/diary/{token}/{step}").status_code == 200
    # Only the diary is public: the rest still asks for a login.
    assert client.get(f"/patients/{patient.id}").status_code == 302


def _refusal(client, path):
    response = client.get(path)
    return response.status_code, CSRF_META.sub("", response.get_data(as_text=True))


def test_expired_revoked_ended_and_guessed_tokens_get_one_refusal(
    session, client, injector, treat
):
    _, _, expired = treat(days=7 * 27)
    patient, _, revoked = treat()
    link = session.exec(
        select(DiaryLink).where(DiaryLink.patient_id == patient.id)
    ).one()
    revoke_diary_link(session, injector, patient.id, link.id, now=now())
    ended_patient, _, ended = treat(days=100)
    treat(days=1, patient=ended_patient)
    guessed = secrets.token_urlsafe(32)
    answers = {
        _refusal(client, f"/diary/{token}{suffix}")
        for token in (expired, revoked, ended, guessed, "short")
        for suffix in ("", "/onset")
    }
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 404
    assert "This diary link does not open" in body
    assert "expired" not in body.lower()
    assert "revoked" not in body.lower()


def test_every_page_shows_only_this_cycle_and_no_surname(session, client, treat):
    other, _, other_token = treat(given_name="Otto", family_name="Vandersloot")
    post(client, other_token, "weekly", {"face": "like_before"})
    patient, _, token = treat(given_name="Zelda", family_name="Quackenbush")
    post(
        client, token, "onset", {"day": (now() - timedelta(days=13)).date().isoformat()}
    )
    pages = [client.get(f"/diary/{token}")] + [
        client.get(f"/diary/{token}/{step}") for step in STEPS
    ]
    for page in pages:
        text = page.get_data(as_text=True)
        assert "Zelda" in text or page is not pages[0]
        for secret in (
            "Quackenbush",
            patient.mrn,
            patient.date_of_birth.isoformat(),
            "Otto",
            "Vandersloot",
            other.mrn,
            "Back to how it was before the injections</li>",
        ):
            assert secret not in text, secret


def test_every_diary_read_and_write_is_audited_as_patient_entered(
    session, client, treat
):
    _, _, token = treat()
    today = now().date().isoformat()
    for step, data in (
        ("onset", {"day": today}),
        ("side-effect", {"effects": "difficulty_swallowing", "day": today}),
        ("weekly", {"face": "same"}),
        ("questionnaire", {**SAQ, "when": "two_weeks"}),
        ("wear-off", {"day": today}),
    ):
        response = post(client, token, step, data)
        assert response.status_code == 302, (step, response.get_data(as_text=True))
    stored = session.exec(select(DiaryEntry)).all()
    assert len(stored) == 5
    link_id = stored[0].link_id
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor_email == f"patient diary link {link_id}"
        )
    ).all()
    written = {e.entity_id for e in events if e.entity_type == "diary_entry"}
    assert written == {entry.id for entry in stored}
    assert all(e.after["source"] == "patient_diary" for e in events)
    assert all(e.actor_id is None for e in events)
    reads = [e for e in events if e.action == "view"]
    assert len(reads) == 5  # each step's form, read before it was posted


def test_an_urgent_side_effect_shows_the_emergency_advice_at_once(client, treat):
    _, _, token = treat(days=3)
    form = client.get(f"/diary/{token}/side-effect").get_data(as_text=True)
    assert "If it is hard to swallow, speak or breathe" in form
    assert "[S35]" in form
    response = post(
        client,
        token,
        "side-effect",
        {"effects": "difficulty_swallowing", "day": now().date().isoformat()},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="alert"' in page
    assert "Call 999 now" in page
    assert "We will phone you about it." in page


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("onset", {}, "day"),
        ("onset", {"day": "31/02/2026"}, "day"),
        ("onset", {"day": "2999-01-01"}, "day"),
        ("onset", {"day": "1999-01-01"}, "day"),
        ("onset", {"day": "2026-01-01\x00"}, "day"),
        ("wear-off", {"day": "x" * 5000}, "day"),
        ("side-effect", {"day": "2026-01-01"}, "effects"),
        ("side-effect", {"effects": "sneezing", "day": "2026-01-01"}, "effects"),
        ("side-effect", {"effects": "other", "day": "2026-01-01"}, "other"),
        ("side-effect", {"effects": "other", "other": "y" * 501}, "other"),
        ("weekly", {"face": ""}, "face"),
        ("weekly", {"face": "<script>"}, "face"),
        ("questionnaire", {**SAQ, "q4": "6", "when": "two_weeks"}, "q4"),
        ("questionnaire", {**SAQ, "q9": ""}, "when"),
        ("questionnaire", {"when": "wear_off"}, "q1"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    session, client, treat, step, data, field
):
    _, _, token = treat()
    response = post(client, token, step, data)
    assert response.status_code == 400
    assert f'href="#field-{field}"' in response.get_data(as_text=True)
    assert session.exec(select(DiaryEntry)).all() == []


def test_the_forms_keep_csrf_protection(session, client, treat):
    _, _, token = treat()
    response = client.post(f"/diary/{token}/weekly", data={"face": "same"})
    assert response.status_code == 400
    assert session.exec(select(DiaryEntry)).all() == []


def test_injectors_revoke_a_link_from_the_patient_page(
    session, client, login_as, treat
):
    patient, _, token = treat()
    link = session.exec(select(DiaryLink)).one()
    page = login_as(Role.INJECTOR)
    detail = page.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Patient diary links" in detail
    assert "Revoke link" in detail
    path = f"/patients/{patient.id}/diary-links/{link.id}/revoke"
    assert login_as(Role.STAFF).post_form(path, {}).status_code == 403
    assert client.get(f"/diary/{token}").status_code == 200
    assert page.post_form(path, {}).status_code == 302
    assert client.get(f"/diary/{token}").status_code == 404


def test_the_handout_prints_the_cycles_working_link_with_its_qr_code(
    session, client, login_as, treat
):
    _, treatment, token = treat()
    staff = login_as(Role.STAFF)
    before = session.exec(select(DiaryLink)).one().model_dump()
    pdf = staff.get(f"/sessions/{treatment.id}/handout.pdf").get_data()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "diary-handout.pdf").write_bytes(pdf)  # for pdftoppm, by eye
    texts = page_texts(pdf)
    assert len(texts) == 3
    assert "Your diary between visits" in texts[2]
    # The address aside, the page reads as plainly as the rest of the handout.
    words = re.sub(r"\S*/diary/\S*", "", texts[2])
    assert flesch_kincaid_grade([words]) <= 6
    found = re.search(r"/diary/([A-Za-z0-9_-]{43})", texts[2].replace(" ", ""))
    assert found, texts[2]
    assert found.group(1) == token
    # A second print is the same link: printing changes nothing.
    again = page_texts(staff.get(f"/sessions/{treatment.id}/handout.pdf").get_data())
    assert token in again[2].replace(" ", "")
    session.expire_all()
    assert session.exec(select(DiaryLink)).one().model_dump() == before
    assert client.get(f"/diary/{token}").status_code == 200
    # The QR code is drawn as vector lines (segno's SVG), on the diary's page only.
    with pikepdf.open(io.BytesIO(pdf)) as document:
        drawn = [
            pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page)).count(
                b" l\n"
            )
            for page in document.pages
        ]
    assert drawn[2] > drawn[1] + 200, drawn  # page 2 is text; page 1 has the map


def test_the_qr_code_is_an_svg_of_the_address():
    url = "https://clinic.example/diary/" + "A" * 43
    qr = diary_qr(url, expires_on=date(2027, 1, 1))
    svg = ET.fromstring(str(qr.svg))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.find("{http://www.w3.org/2000/svg}title").text
    path = svg.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    assert len(path.get("d")) > 200
    symbol = segno.make(url, error="m", micro=False)
    side = (symbol.symbol_size(scale=1, border=4)[0]) * 0.75
    assert svg.get("width") == f"{side:g}mm"


def test_the_worklist_and_cycles_page_show_what_the_patient_entered(
    client, login_as, treat
):
    patient, treatment, token = treat(days=100)
    today = now().date().isoformat()
    post(
        client, token, "side-effect", {"effects": "difficulty_swallowing", "day": today}
    )
    post(client, token, "wear-off", {"day": today})
    staff = login_as(Role.STAFF)
    worklist = staff.get("/schedule/").get_data(as_text=True)
    assert "Patient reports a side effect — call" in worklist
    assert "Patient reports wear-off — book" in worklist
    assert "Urgent" in worklist
    cycles = staff.get(f"/patients/{patient.id}/cycles").get_data(as_text=True)
    assert "From the patient’s diary" in cycles
    assert "patient-entered" in cycles
    assert "The effect wore off on" in cycles
    response = login_as(Role.INJECTOR).get(f"/sessions/{treatment.id}/response")
    text = response.get_data(as_text=True)
    assert "Patient-entered through the diary, not yet confirmed:" in text
    assert "effect wore off after. Saving this form confirms them." in text


ERRORS_TITLE = re.compile(r'<h2 id="errors-title">([^<]*)</h2>')
ERROR_LINKS = re.compile(r'<div class="diary-errors".*?</div>', re.S)


@pytest.mark.parametrize(
    ("step", "data", "fields", "heading"),
    [
        ("weekly", {"face": ""}, ["face"], "1 answer needs checking"),
        (
            "side-effect",
            {"effects": "other", "other": "y" * 501, "day": "not a date"},
            ["other", "day"],
            "2 answers need checking",
        ),
        (
            "questionnaire",
            {"when": "wear_off"},
            [f"q{n}" for n in range(1, 10)],
            "9 answers need checking",
        ),
    ],
    ids=["one", "two", "nine"],
)
def test_the_error_box_says_how_many_answers_need_checking(
    client, treat, step, data, fields, heading
):
    _, _, token = treat()
    response = post(client, token, step, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ERRORS_TITLE.findall(page) == [heading]
    assert "Please check your answers" not in page
    # Each answer still links to its own field, once.
    box = ERROR_LINKS.search(page)
    assert box is not None
    links = re.findall(r'href="#field-([^"]+)"', box.group(0))
    assert sorted(links) == sorted(fields)
    for field in fields:
        assert f'id="field-{field}"' in page
