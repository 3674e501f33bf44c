"""The treatment record of issue 17, printed for real and read back.

Made as the view makes it (service, template through Flask, ``render_pdf``
with the record's PDF/A variant); read back with pdftotext, and laid
out with WeasyPrint to see what shares a page.
"""

import dataclasses
import functools
import io
import re
from datetime import timedelta

import pikepdf
import pytest
from sqlmodel import select

from planner.models import Appointment
from planner.models import Role
from planner.reports.record import NUMBER_PT
from planner.reports.record import PDF_VARIANT
from planner.reports.record import treatment_record
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.patients import update_patient
from planner.services.registration import set_registration_number
from tests.factories import FACE_MAP
from tests.factories import PATIENT_DEFAULTS
from tests.factories import ZONE
from tests.report_plans import SIXTEEN_SITES
from tests.report_plans import plan_charter
from tests.services.test_handout_print import greyscale_legible
from tests.services.test_handout_print import map_svg
from tests.services.test_handout_print import number_sizes_pt
from tests.services.test_reports import NOW
from tests.services.test_reports import boxes_of
from tests.services.test_reports import html_for
from tests.services.test_reports import layout
from tests.services.test_reports import layout_text
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for


@pytest.fixture
def signer(make_user, session):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    actor = Actor(user.id, user.email)
    set_registration_number(
        session, actor, user.id, {"registration_number": "GMC 7654321"}
    )
    return actor


@pytest.fixture
def plan(session, make_patient, signer):
    """Chart a plan (16 sites unless given), on NOW unless told; return its id."""
    chart = plan_charter(session, signer, make_patient)
    return lambda sites=SIXTEEN_SITES, *, when=NOW, **kw: chart(sites, when=when, **kw)


def record_of(session, session_id):
    return treatment_record(session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW)


def print_record(app, record):
    html = html_for(app, "reports/record.html", record=record)
    return html, pdf_for(app, html, PDF_VARIANT)


def amend(session, actor, session_id, number, units, reason):
    """Correct one site's dose, giving a reason for any warning it raises."""
    site = next(
        s
        for s in chart_state(
            session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW
        ).as_json()["sites"]
        if s["number"] == number
    )
    data = {
        "version": session_service.get_session_record(session, session_id).version,
        "reason": reason,
        "corrections": [{"site_id": site["id"], "units": units}],
    }
    try:
        return amendment_service.amend_session(
            session, actor, session_id, data, zone=ZONE, now=NOW
        )
    except session_service.InvalidInput as exc:
        keys = [name.removeprefix("reasons.") for name in exc.fields]
        data["reasons"] = {key: f"Checked again ({key})." for key in keys}
        return amendment_service.amend_session(
            session, actor, session_id, data, zone=ZONE, now=NOW
        )


def test_a_draft_record_says_draft_on_every_page(app, session, plan):
    record = record_of(session, plan(sign=False))
    _, pdf = print_record(app, record)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    assert all("DRAFT — not signed" in text for text in texts)
    assert "None yet: follow-up is proposed when the session is signed." in " ".join(
        texts
    )


def test_the_record_marks_amended_doses_old_to_new_with_the_amendment(
    app, session, plan, signer, tmp_path
):
    session_id = plan()
    amend(session, signer, session_id, 2, 6, "Keyed 2 for 6 at site 2.")
    amend(session, signer, session_id, 2, 5, "It was 5, not 6.")
    amend(session, signer, session_id, 9, 2, "Buccinator was 2.")
    record = record_of(session, session_id)
    assert [a.number for a in record.amendments] == [1, 2, 3]
    _, pdf = print_record(app, record)
    text = layout_text(pdf, tmp_path)
    flat = " ".join(text.split())
    # Each correction beside the dose now, under the same "Dose, U" heading,
    # before the volume; the amendment's number after it, or under it where the
    # column is narrow.
    assert re.search(
        r"^\s*2\s+Frontalis\s.*\s5\s+2 → 6 \(amendment 1\)\s+0\.125 mL\s*$",
        text,
        re.MULTILINE,
    )
    # The second change sits under the first (beside the muscle's guidance).
    assert re.search(r"^\s*6 → 5 \(amendment 2\)\s*$", text, re.MULTILINE)
    assert re.search(
        r"^\s*9\s+Buccinator\s.*\s2\s+2\.5 → 2\s.*0\.050 mL\s*$",
        text,
        re.MULTILINE,
    )
    assert "9 Buccinator Left affected 2 2.5 → 2 (amendment 3) 0.050 mL" in " ".join(
        page_texts(pdf)
    )
    assert "Amendment 1, " in flat
    assert "Keyed 2 for 6 at site 2." in flat
    assert "Amendment 3, " in flat
    assert all("AMENDED" in page for page in page_texts(pdf))


def test_every_warning_prints_its_reason_and_who_gave_it(
    app, session, plan, signer, make_patient
):
    patient = make_patient(affected_side="left", toxin_allergy=True)
    session_id = plan(patient=patient)
    amend(session, signer, session_id, 2, 6, "Keyed 2 for 6 at site 2.")
    record = record_of(session, session_id)
    _, pdf = print_record(app, record)
    flat = "".join(" ".join(page_texts(pdf)).split())
    assert record.warnings, "the allergy and the plan raise warnings"
    assert any(w.hard_stop for w in record.warnings)
    for warning in record.warnings:
        assert warning.reason
        assert "".join(warning.message.split()) in flat
        said = f"Reason,givenbyDrInesDuartewhensigning:{warning.reason}"
        assert "".join(said.split()) in flat, warning.message
        if warning.hard_stop:
            assert f"OverriddenbyDrInesDuarte({signer.email})." in flat
    raised = record.amendments[0].warnings
    assert raised, "a dose above the point limit needs its own reason"
    for warning in raised:
        said = f"Reason, given by Dr Ines Duarte in this amendment: {warning.reason}"
        assert "".join(said.split()) in flat
    assert "No safety warnings" not in flat


def test_a_warning_signed_without_its_reason_says_so(app, session, plan, signer):
    session_id = plan()
    record = record_of(session, session_id)
    # As an old record kept it: a warning that needed a reason, without one.
    unanswered = dataclasses.replace(
        record,
        warnings=[
            dataclasses.replace(record.warnings[0], needs_reason=True, reason=None)
        ],
    )
    _, pdf = print_record(app, unanswered)
    assert "No reason recorded." in " ".join(page_texts(pdf))


def test_the_record_shows_diagnosis_diluent_consent_and_registration(
    app, session, plan, make_patient
):
    patient = make_patient(affected_side="left", cause="ramsay_hunt")
    record = record_of(session, plan(patient=patient, consent_note="Risks explained."))
    _, pdf = print_record(app, record)
    texts = page_texts(pdf)
    flat = " ".join(" ".join(texts).split())
    assert "Diagnosis Facial palsy: Ramsay Hunt syndrome" in flat
    assert "Diluent 2.5 mL in a 100 U vial" in flat
    assert "Strength 4 U per 0.1 mL" in flat
    assert "Consent Obtained" in flat
    assert "Product used Botox (onabotulinumtoxinA) in this session" in flat
    assert "by Dr Ines Duarte when signing, 20 Nov 2026, 10:00" in flat
    assert "Risks explained." in flat
    assert "Registration number: GMC 7654321" in texts[-1]


def test_no_warnings_beside_a_caution_added_later_is_explained(
    app, session, plan, signer, make_patient
):
    patient = make_patient(affected_side="left")
    session_id = plan([("mentalis", "left", 2)], patient=patient)
    record = record_of(session, session_id)
    assert record.warnings == []
    update_patient(
        session,
        signer,
        patient.id,
        {
            **PATIENT_DEFAULTS,
            "affected_side": "left",
            "mrn": patient.mrn,
            "toxin_allergy": True,
            "version": patient.version,
        },
    )
    _, pdf = print_record(app, record_of(session, session_id))
    flat = " ".join(" ".join(page_texts(pdf)).split())
    assert "No safety warnings were recorded when this session was signed." in flat
    assert (
        "Cautions on the patient's file when printed: Allergy to botulinum toxin."
        " They are not among the warnings recorded for this session: check whether"
        " they were added after it was signed." in flat
    )


def pages_of(document, wanted):
    """Return the pages holding boxes ``wanted(element)`` picks."""
    found = set()
    for number, page in enumerate(document.pages, start=1):
        for box in boxes_of(page):
            element = getattr(box, "element", None)
            if element is not None and wanted(element):
                found.add(number)
    return found


@pytest.mark.slow
def test_the_signature_stays_with_the_last_table_rows(app, session, plan):
    record = record_of(
        session, plan([("mentalis", "left", 2), ("depressor_anguli_oris", "left", 2)])
    )
    last_visit = record.appointments[-1].kind

    @functools.cache  # the length that adds a page is laid out again below
    def laid_out(lines):
        """Lay the record out with ``lines`` lines of notes before the visits."""
        noted = dataclasses.replace(
            record, notes="\n".join(f"Note line {n}." for n in range(lines)) or None
        )
        return layout(app, html_for(app, "reports/record.html", record=noted))

    # Find how many lines of notes push the record onto another page, then
    # check every length up to it: somewhere there the signature alone would
    # fall onto the new page.
    pages = len(laid_out(0).pages)
    more = next(n for n in range(10, 200, 10) if len(laid_out(n).pages) > pages)
    for lines in range(more - 9, more + 1):
        document = laid_out(lines)
        signature = pages_of(
            document, lambda e: "signature" in (e.get("class") or "").split()
        )
        rows = pages_of(
            document,
            lambda e: e.tag == "tr" and last_visit in "".join(e.itertext()),
        )
        assert len(signature) == 1
        assert signature <= rows, (lines, signature, rows)


def test_a_record_lists_only_the_visits_its_session_arranged(
    app, session, plan, make_patient
):
    patient = make_patient(affected_side="left")
    first = plan(patient=patient)
    top_up = plan(
        [("mentalis", "left", 1)],
        patient=patient,
        when=NOW + timedelta(days=15),
        kind="top_up",
    )
    plan(patient=patient, when=NOW + timedelta(days=400), expiry_date="2028-06-30")
    arranged = {
        a.id
        for a in session.exec(
            select(Appointment).where(Appointment.source_session_id == first)
        )
    }
    assert {a.id for a in record_of(session, first).appointments} == arranged
    later = record_of(session, top_up)
    assert later.kind == "top_up"
    assert later.appointments == []
    _, pdf = print_record(app, later)
    flat = " ".join(page_texts(pdf))
    assert "Visits arranged by this session None." in flat
    assert "2027" not in flat.split("Visits arranged by this session")[1]


def test_the_record_is_archival_with_its_language_and_title(app, session, plan):
    record = record_of(session, plan())
    _, pdf = print_record(app, record)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            assert xmp["pdfaid:part"] == "2"
            assert xmp["pdfaid:conformance"] == "U"
            assert xmp["dc:title"] == (
                f"Treatment record 20 Nov 2026, {record.patient.mrn}"
                " · Facial Palsy Clinic"
            )
        assert str(root.Lang) == "en-GB"
        assert "/StructTreeRoot" in root
        # PDF/A's colour: an sRGB output intent for the whole document.
        assert str(root.OutputIntents[0].S) == "/GTS_PDFA1"


def test_the_record_map_numbers_print_at_seven_points_in_a_dark_ink(app, session, plan):
    html = html_for(app, "reports/record.html", record=record_of(session, plan()))
    sizes = number_sizes_pt(app, html)
    assert len(sizes) == 16
    assert min(sizes) >= NUMBER_PT == 7
    assert greyscale_legible(map_svg(html)) == 16
