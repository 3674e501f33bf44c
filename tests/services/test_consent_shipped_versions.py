"""A corrected shipped consent text arrives as a new version; signed ones keep theirs.

Review rP, P4 corrected the treatment form's time course. A clinic that stored
version 1 of the shipped text, unedited, gets the corrected text as version 2,
the way an admin's edit adds a version: version 1 is not changed, a consent
signed on it still prints its own words, and patients sign version 2 from then
on. A clinic's own words are never replaced, and a new clinic starts on the
corrected text as version 1.
"""

import hashlib
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.consent import DEFAULT_FORMS
from planner.consent import ConsentKind
from planner.consent.defaults import SHIPPED_BEFORE
from planner.consent.defaults import shipped_update
from planner.models import AuditEvent
from planner.models import ConsentForm
from planner.models import Role
from planner.reference import PRODUCTS
from planner.reports import consent as consent_report
from planner.reports.wearing_off import wears_off
from planner.services import consent_forms
from planner.services import consent_status
from planner.services.audit import Actor
from tests.factories import ZONE
from tests.factories import give_consent
from tests.factories import make_treatment
from tests.services.test_handout_print import injector  # noqa: F401
from tests.services.test_reports import html_for
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for

TREATMENT = ConsentKind.TREATMENT
OLD = SHIPPED_BEFORE[TREATMENT][0]
OLD_WORDS = "It wears off slowly over about 3 to 4 months."
NEW_WORDS = "How long it lasts depends on the medicine"
# The treatment form's body as version 1 shipped it: clinics stored these bytes.
VERSION_1_SHA256 = "ee00bc9c03c4548f45d7e803682d245c4fa80dd0cd1319004c54125347626c4c"


def sign_before_the_correction(session, actor, patient_id, when, monkeypatch):
    """Store version 1 and sign it as the code did before the correction."""
    with monkeypatch.context() as before:
        before.setitem(DEFAULT_FORMS, TREATMENT, OLD)
        before.setattr(consent_forms, "shipped_update", lambda *_: None, raising=False)
        return give_consent(session, actor, patient_id, when=when)


def printed(app, session, record_id):
    copy = consent_report.consent_copy(session, record_id)
    html = html_for(app, "reports/consent.html", copy=copy)
    return copy, " ".join(page_texts(pdf_for(app, html, consent_report.PDF_VARIANT)))


def versions(session):
    return session.exec(
        select(ConsentForm)
        .where(ConsentForm.kind == TREATMENT)
        .order_by(col(ConsentForm.version))
    ).all()


def test_version_1_is_kept_word_for_word():
    assert hashlib.sha256(OLD.body.encode()).hexdigest() == VERSION_1_SHA256
    assert OLD.title == DEFAULT_FORMS[TREATMENT].title
    assert OLD_WORDS in OLD.body
    assert shipped_update(TREATMENT, OLD.title, OLD.body) == DEFAULT_FORMS[TREATMENT]
    current = DEFAULT_FORMS[TREATMENT]
    assert shipped_update(TREATMENT, current.title, current.body) is None
    assert shipped_update(TREATMENT, OLD.title, OLD.body + " Edited.") is None
    for kind in (ConsentKind.PHOTOGRAPHY, ConsentKind.RESEARCH):
        shipped = DEFAULT_FORMS[kind]
        assert shipped_update(kind, shipped.title, shipped.body) is None


def test_a_clinic_on_version_1_gets_version_2_and_old_consents_print_their_own(
    app,
    session,
    make_patient,
    injector,  # noqa: F811
    monkeypatch,
):
    start = datetime.now(UTC).replace(microsecond=0)
    patient = make_patient(mrn="OLD1")
    old = sign_before_the_correction(
        session, injector, patient.id, start - timedelta(days=30), monkeypatch
    )
    assert old.form_version == 1
    (first,) = versions(session)
    assert first.body == OLD.body

    form = consent_forms.current_form(session, TREATMENT)
    session.commit()
    assert (form.version, form.body) == (2, DEFAULT_FORMS[TREATMENT].body)
    assert form.created_by_id is None
    assert consent_forms.current_form(session, TREATMENT).id == form.id
    assert [(v.version, v.body) for v in versions(session)] == [
        (1, OLD.body),
        (2, DEFAULT_FORMS[TREATMENT].body),
    ]
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "consent_form", AuditEvent.entity_id == form.id
        )
        .order_by(col(AuditEvent.id))
    ).one()
    assert event.actor_id is None
    assert event.before == {"version": 1}
    assert event.after["version"] == 2

    # The consent signed on version 1 still prints version 1's words.
    copy, text = printed(app, session, old.id)
    assert copy.version == 1
    assert OLD_WORDS in text
    assert NEW_WORDS not in text

    # It still covers a treatment given before version 2; after it, the
    # patient reads and signs version 2, which prints its own words.
    before = make_treatment(
        session, injector, patient.id, [("mentalis", "left", 4)], when=start
    )
    covered = consent_status.treatment_consent_errors(
        session,
        before.record,
        treated_at=form.created_at - timedelta(days=1),
        now=start,
        zone=ZONE,
    )
    assert covered == {}
    needs = consent_status.treatment_consent_errors(
        session,
        before.record,
        treated_at=form.created_at + timedelta(days=1),
        now=form.created_at + timedelta(days=1),
        zone=ZONE,
    )
    assert "signed version 1" in needs["consent"]
    assert "now version 2" in needs["consent"]
    new = give_consent(
        session, injector, patient.id, when=form.created_at + timedelta(hours=1)
    )
    assert new.form_version == 2
    copy, text = printed(app, session, new.id)
    assert copy.version == 2
    assert NEW_WORDS in text
    assert OLD_WORDS not in text
    copy, text = printed(app, session, old.id)
    assert OLD_WORDS in text


def test_a_clinics_own_version_is_never_replaced(
    session,
    make_patient,
    make_user,
    injector,  # noqa: F811
    monkeypatch,
):
    user = make_user(Role.ADMIN, name="Ada Admin")
    admin = Actor(user.id, user.email)
    start = datetime.now(UTC)
    patient = make_patient(mrn="OWN1")
    sign_before_the_correction(
        session, injector, patient.id, start - timedelta(days=30), monkeypatch
    )
    # The clinic's edit of version 1 (made before the correction), then one
    # that puts version 1's words back: both are the clinic's own.
    with monkeypatch.context() as before:
        before.setattr(consent_forms, "shipped_update", lambda *_: None, raising=False)
        edited = {"title": OLD.title, "body": OLD.body + "\n\nOur clinic's words."}
        consent_forms.save_form_version(
            session, admin, TREATMENT, {**edited, "version": 1}, now=start
        )
        consent_forms.save_form_version(
            session,
            admin,
            TREATMENT,
            {"title": OLD.title, "body": OLD.body, "version": 2},
            now=start,
        )
    form = consent_forms.current_form(session, TREATMENT)
    assert (form.version, form.body) == (3, OLD.body)
    assert form.created_by_id == admin.user_id
    assert len(versions(session)) == 3


def test_a_new_clinic_starts_on_the_corrected_text(session):
    form = consent_forms.current_form(session, TREATMENT)
    assert (form.version, form.body) == (1, DEFAULT_FORMS[TREATMENT].body)
    assert NEW_WORDS in form.body
    assert consent_forms.current_form(session, TREATMENT).id == form.id
    for kind in (ConsentKind.PHOTOGRAPHY, ConsentKind.RESEARCH):
        assert consent_forms.current_form(session, kind).version == 1


@pytest.mark.parametrize("product", [product.code for product in PRODUCTS])
def test_only_botox_states_3_to_4_months_as_a_fact(product):
    line = wears_off(product)
    if product == "botox":
        assert not line.clinics_own
        assert "[S20]" in line.source
        assert "[S16]" in line.source
    else:
        assert line.clinics_own, product
    if product == "daxxify":
        assert "month" not in line.text
        assert "[S27c]" in line.source
    assert wears_off("a-product-the-reference-lacks").clinics_own
    assert "month" not in wears_off("a-product-the-reference-lacks").text
