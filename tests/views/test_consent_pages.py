"""Consent pages over HTTP: signing at the tablet, field errors, roles, the PDF."""

import io
import json
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models import Role
from tests.browser_steps import open_draft
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap

STROKES = json.dumps([[[20, 150], [80, 40], [140, 150]], [[200, 100], [400, 110]]])


@pytest.fixture
def injector_browser(login_as):
    return login_as(Role.INJECTOR)


def form_id(browser, patient_id, kind="treatment"):
    page = browser.get(f"/patients/{patient_id}/consent/{kind}").get_data(as_text=True)
    return re.search(r'name="form_id" value="(\d+)"', page)[1]


def test_the_patient_reads_and_signs_with_a_finger(
    injector_browser, make_patient, session
):
    patient = make_patient(given_name="Maya", family_name="Lindqvist")
    page = injector_browser.get(f"/patients/{patient.id}/consent/treatment")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for part in (
        "Consent to botulinum toxin treatment for synkinesis",
        "version 1",
        "difficulty swallowing",
        'class="signature-pad"',
        "js/signature.js",
        'value="Maya Lindqvist"',
        "By typing your name",
    ):
        assert part in html, part
    assert "<script>" not in html  # strict CSP: the module only
    signed = injector_browser.post_form(
        f"/patients/{patient.id}/consent/treatment",
        {
            "form_id": form_id(injector_browser, patient.id),
            "printed_name": "Maya Lindqvist",
            "method": "drawn",
            "strokes": STROKES,
        },
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)[:800]
    shown = injector_browser.get(signed.headers["Location"]).get_data(as_text=True)
    assert "<svg" in shown
    assert 'aria-label="Signature of Maya Lindqvist"' in shown
    assert "M20 150L80 40L140 150" in shown
    overview = injector_browser.get(f"/patients/{patient.id}/consent")
    assert "Valid." in overview.get_data(as_text=True)


@pytest.mark.parametrize(
    ("strokes", "says"),
    [
        ("", "is empty"),
        ("nonsense", "not readable"),
        (json.dumps([[[9999, 1], [1, 1]]]), "outside the signature box"),
        (json.dumps([[["a", "b"]]]), "pair of numbers"),
        ("[" * 5000 + "]" * 5000, "not readable"),
    ],
)
def test_bad_stroke_data_is_a_field_error_not_a_500(
    injector_browser, make_patient, session, strokes, says
):
    patient = make_patient()
    response = injector_browser.post_form(
        f"/patients/{patient.id}/consent/treatment",
        {
            "form_id": form_id(injector_browser, patient.id),
            "printed_name": "Ada Okafor",
            "method": "drawn",
            "strokes": strokes,
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert says in html
    assert 'id="strokes-error"' in html
    assert 'href="#strokes"' in html
    assert session.exec(select(ConsentRecord)).all() == []


def test_typed_signature_needs_its_box_and_odd_fields_are_refused(
    injector_browser, make_patient, session
):
    patient = make_patient()
    path = f"/patients/{patient.id}/consent/photography"
    base = {"form_id": form_id(injector_browser, patient.id, "photography")}
    unticked = injector_browser.post_form(
        path, {**base, "printed_name": "Ada Okafor", "method": "typed"}
    )
    assert unticked.status_code == 400
    assert "must be ticked" in unticked.get_data(as_text=True)
    odd = injector_browser.post_form(path, {**base, "method": "typed", "x": "1"})
    assert odd.status_code == 400
    assert (
        injector_browser.get(f"/patients/{patient.id}/consent/nope").status_code == 404
    )
    typed = injector_browser.post_form(
        path,
        {
            **base,
            "printed_name": "Ada Okafor",
            "method": "typed",
            "typed_confirm": "on",
        },
    )
    assert typed.status_code == 302
    record = session.exec(select(ConsentRecord)).one()
    assert (record.kind, record.method, record.strokes) == (
        "photography",
        "typed",
        None,
    )


def test_staff_and_strangers_are_refused(login_as, browser, make_patient):
    patient = make_patient()
    staff = login_as(Role.STAFF)
    for path in (
        f"/patients/{patient.id}/consent",
        f"/patients/{patient.id}/consent/treatment",
        "/settings/consent-forms/",
    ):
        assert staff.get(path).status_code == 403
        assert browser.get(path).status_code == 302  # to the login page
    posted = staff.post_form(
        f"/patients/{patient.id}/consent/treatment",
        {
            "form_id": "1",
            "printed_name": "X Y",
            "method": "typed",
            "typed_confirm": "on",
        },
    )
    assert posted.status_code == 403
    assert login_as(Role.INJECTOR).get("/settings/consent-forms/").status_code == 403


def test_signing_a_chart_without_consent_says_why(injector_browser, make_patient):
    patient = make_patient(affected_side="right")
    session_id = open_draft(injector_browser, patient.id, consent=False)
    post_tap(injector_browser, session_id, "mentalis", "right", version=1)
    refused = post_sign(injector_browser, session_id, version=2)
    assert refused.status_code == 400
    assert (
        "has not signed the treatment consent form" in refused.json["fields"]["consent"]
    )
    chart = injector_browser.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert f"/patients/{patient.id}/consent" in chart


def test_withdrawal_and_consent_elsewhere_from_the_overview(
    injector_browser, make_patient, session
):
    patient = make_patient()
    path = f"/patients/{patient.id}/consent/treatment/elsewhere"
    fid = form_id(injector_browser, patient.id)
    short = injector_browser.post_form(path, {"form_id": fid, "reason": "no"})
    assert short.status_code == 400
    assert "Reason" in short.get_data(as_text=True)
    done = injector_browser.post_form(
        path, {"form_id": fid, "reason": "Paper form scanned elsewhere"}
    )
    assert done.status_code == 302
    record = session.exec(select(ConsentRecord)).one()
    blank = injector_browser.post_form(f"/consent/{record.id}/withdraw", {"reason": ""})
    assert blank.status_code == 400
    withdrawn = injector_browser.post_form(
        f"/consent/{record.id}/withdraw", {"reason": "Changed their mind"}
    )
    assert withdrawn.status_code == 302
    page = injector_browser.get(f"/patients/{patient.id}/consent").get_data(
        as_text=True
    )
    assert "Changed their mind" in page
    assert "withdrew their treatment consent form" in page


def test_an_admin_edits_a_form_into_a_new_version(login_as, session):
    admin = login_as(Role.ADMIN)
    page = admin.get("/settings/consent-forms/").get_data(as_text=True)
    assert "Save as version 2" in page
    first = session.exec(
        select(ConsentForm).where(ConsentForm.kind == "research")
    ).one()
    saved = admin.post_form(
        "/settings/consent-forms/research",
        {"title": first.title, "body": first.body + "\nOne more line.", "version": "1"},
    )
    assert saved.status_code == 302
    versions = session.exec(
        select(ConsentForm.version).where(ConsentForm.kind == "research")
    ).all()
    assert sorted(versions) == [1, 2]
    empty = admin.post_form(
        "/settings/consent-forms/research", {"title": "", "body": "", "version": "2"}
    )
    assert empty.status_code == 400
    stale = admin.post_form(
        "/settings/consent-forms/research",
        {"title": first.title, "body": first.body + " Again.", "version": "1"},
    )
    assert stale.status_code == 409
    assert admin.post_form("/settings/consent-forms/x", {}).status_code == 404


def test_the_signed_consent_pdf_reads_back(injector_browser, make_patient, session):
    patient = make_patient(given_name="Maya", family_name="Lindqvist")
    injector_browser.post_form(
        f"/patients/{patient.id}/consent/treatment",
        {
            "form_id": form_id(injector_browser, patient.id),
            "printed_name": "Maya Lindqvist",
            "method": "drawn",
            "strokes": STROKES,
        },
    )
    record = session.exec(select(ConsentRecord)).one()
    response = injector_browser.get(f"/consent/{record.id}/consent.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "consent-treatment-" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Form version" in text
    assert "version 1" in text
    assert "Maya Lindqvist" in text
    local = record.signed_at.astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/London")
    )
    assert local.strftime("%H:%M") in text
    assert "difficulty swallowing" in text
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).lower().startswith("en")
    assert "/StructTreeRoot" in root
