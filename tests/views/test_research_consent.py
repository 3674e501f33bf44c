"""The research export is opt-in: only patients whose research consent is valid.

The research form reads "You do not have to agree" and "By signing, you agree
that your information … may be used for research". So a patient is in the files
only while the consent page's own rule (``decide_consent``) holds their research
consent valid at the time of the export: never asked, withdrawn, too old or on an
old form version keeps them out of every file. Each patient is treated with
Botox and Dysport, scored, photographed, operated on and has an adverse event,
so every file has something of theirs to leave out.
"""

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.consent.kinds import ConsentKind
from planner.db_types import utc_now
from planner.interop.research_csv import FILES
from planner.interop.research_csv_cells import pseudonym
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Role
from planner.services import consent_forms
from planner.services import outcomes
from planner.services import therapy
from planner.services.consent import withdraw_consent
from planner.services.consent_status import consent_overview
from planner.services.photo_marks import save_marks
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from planner.services.research_context import research_consenting
from tests.factories import CHIN_DOSES
from tests.factories import ZONE
from tests.factories import give_consent
from tests.factories import make_assessment
from tests.factories import research_csv
from tests.factories import sign_chin
from tests.photo_images import face_jpeg
from tests.views.test_photo_research import REST
from tests.views.test_photo_research import SMILE
from tests.views.test_photo_research import marks_form

KEY = b"test"  # the app fixture's SECRET_KEY
# Who is in the files: the patients whose research consent is valid now.
INCLUDED = {"signed", "signed_again"}
EVERYONE = ("never_asked", "signed", "withdrew", "signed_again", "expired")


def treat_everything(session, injector, patient, now):
    """Botox then Dysport, a score, marked photos, an adverse event, a procedure."""
    make_assessment(
        session, injector, patient.id, timepoint="baseline", when=now - timedelta(200)
    )
    cycles = [
        sign_chin(
            session,
            injector,
            patient.id,
            when=now - timedelta(weeks=weeks),
            product=product,
            lot_number=f"RC{patient.id}{product[:2]}",
        )
        for weeks, product in zip((26, 12), sorted(CHIN_DOSES), strict=True)
    ]
    first = cycles[0]
    record_consent(
        session,
        injector,
        patient.id,
        {"consent": "teaching"},
        now=now - timedelta(weeks=26),
    )
    for view, points in (("rest", REST), ("smile_open", SMILE)):
        photo = add_photo(
            session,
            injector,
            first.id,
            view_code=view,
            timepoint="pre_treatment",
            data=face_jpeg(),
            now=now - timedelta(weeks=26) + timedelta(minutes=1),
            zone=ZONE,
        )
        save_marks(session, injector, photo.id, marks_form(points), now=now)
    today = now.astimezone(ZONE).date()
    for cycle in cycles:
        outcomes.add_adverse_event(
            session,
            injector,
            cycle.id,
            {"kind": "dry_eye", "severity": "mild", "description": "Drops"},
            today=today,
            zone=ZONE,
        )
    therapy.add_procedure(
        session,
        injector,
        patient.id,
        {
            "kind": "dao_excision",
            "side": "left",
            "performed_on": (today - timedelta(days=30)).isoformat(),
            "muscles": [],
            "surgeon": "Ms Surgeon",
        },
        today=today,
    )


def research(session, injector, patient, when):
    return give_consent(
        session, injector, patient.id, when=when, kind=ConsentKind.RESEARCH
    )


@pytest.fixture
def clinic(session, injector, make_patient):
    """One patient per research consent story, all treated alike, up to now."""
    now = utc_now()
    patients = {}
    for story in EVERYONE:
        patient = make_patient(given_name=story.replace("_", " ").title())
        treat_everything(session, injector, patient, now)
        patients[story] = patient
    research(session, injector, patients["signed"], now - timedelta(days=2))
    for story in ("withdrew", "signed_again"):
        record = research(session, injector, patients[story], now - timedelta(60))
        withdraw_consent(
            session,
            injector,
            record.id,
            {"reason": "Changed mind"},
            now=record.signed_at,
        )
    research(session, injector, patients["signed_again"], now - timedelta(days=1))
    # More than the clinic's re-consent age (12 months) ago.
    research(session, injector, patients["expired"], now - timedelta(days=400))
    return patients


def refs_in(text):
    return {row["patient_ref"] for row in csv.DictReader(io.StringIO(text))}


def ref(patient):
    return pseudonym(KEY, patient.id)


@pytest.mark.parametrize("name", [file.name for file in FILES])
def test_only_patients_with_valid_research_consent_are_in_each_file(
    clinic, login_as, name
):
    response = login_as(Role.ADMIN).get(f"/exports/{name}.csv", buffered=True)
    assert response.status_code == 200
    assert refs_in(response.get_data(as_text=True)) == {
        ref(clinic[story]) for story in INCLUDED
    }


@pytest.mark.parametrize("name", ["sessions", "sites"])
def test_the_included_patients_keep_both_products(clinic, login_as, name):
    text = (
        login_as(Role.ADMIN).get(f"/exports/{name}.csv", buffered=True).get_data(True)
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    for story in INCLUDED:
        theirs = [row for row in rows if row["patient_ref"] == ref(clinic[story])]
        assert sorted(row["product"] for row in theirs) == ["botox", "dysport"]
        assert {row["unit_name"] for row in theirs} == {"U", "U (Speywood)"}


def test_the_export_follows_the_consent_page(clinic, session, injector):
    """Each patient is in the files exactly when the consent page says research
    consent is valid, and the page's sentence says why the others are not."""
    now = utc_now()
    text = research_csv(session, injector, "sessions", now=now)
    found = refs_in(text)
    said = {}
    for story, patient in clinic.items():
        [status] = [
            status
            for status in consent_overview(session, patient.id, now=now, zone=ZONE)
            if status.kind == ConsentKind.RESEARCH
        ]
        assert status.decision.valid == (ref(patient) in found), story
        said[story] = status.decision.message
    assert said["never_asked"].startswith("The patient has not signed")
    assert "withdrew" in said["withdrew"]
    assert "re-consent age" in said["expired"]


def test_the_audit_counts_the_patients_left_out(clinic, session, login_as):
    login_as(Role.ADMIN).get("/exports/sites.csv", buffered=True)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    patients = len(session.exec(select(Patient.id)).all())
    assert event.after["patients_left_out"] == patients - len(INCLUDED)


def test_consent_counts_from_its_day_and_a_new_form_version_asks_again(
    session, injector, make_patient
):
    """Judged at the export's time: a consent given later, or to an old version
    of the research form, does not count."""
    now = utc_now()
    patient = make_patient()
    treat_everything(session, injector, patient, now)
    signed = now - timedelta(days=10)
    research(session, injector, patient, signed)
    assert research_consenting(session, now=signed - timedelta(days=1), zone=ZONE) == (
        frozenset()
    )
    assert research_consenting(session, now=now, zone=ZONE) == {patient.id}
    form = consent_forms.current_form(session, ConsentKind.RESEARCH)
    consent_forms.save_form_version(
        session,
        injector,
        ConsentKind.RESEARCH,
        {"version": form.version, "title": form.title, "body": form.body + "\n\nNew."},
        now=now - timedelta(days=5),
    )
    for name in ("sessions", "scores"):
        assert research_csv(session, injector, name, now=now).count("\r\n") == 1
    research(session, injector, patient, now - timedelta(days=1))
    assert refs_in(research_csv(session, injector, "scores", now=now)) == {ref(patient)}


def test_with_no_research_consent_at_all_every_file_is_empty(
    session, injector, make_patient
):
    now = utc_now()
    treat_everything(session, injector, make_patient(), now)
    for file in FILES:
        text = research_csv(session, injector, file.name, now=now)
        assert text.count("\r\n") == 1, file.name  # the header alone
