"""The printed treatment record names its consent: form, version, how and when given.

Printed over HTTP as the clinic prints it, and read back with pdftotext.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from planner.consent.kinds import ConsentKind
from planner.models import Role
from planner.services import consent as consent_service
from planner.services import consent_forms
from planner.services.audit import Actor
from tests.factories import CHIN_DOSES
from tests.factories import give_consent
from tests.factories import sign_chin
from tests.services.test_reports import page_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NOW = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


@pytest.fixture
def witness(make_user):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    return Actor(user.id, user.email)


def treat(session, actor, patient, product="botox", when=NOW):
    return sign_chin(
        session,
        actor,
        patient.id,
        when=when,
        product=product,
        lot_number=f"C{product[:2]}{patient.id}{when:%m%d}",
    )


def printed(login_as, treatment, name=None):
    response = login_as(Role.STAFF).get(f"/sessions/{treatment.id}/record.pdf")
    assert response.status_code == 200
    pdf = response.get_data()
    if name:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / name).write_bytes(pdf)  # for pdftoppm, by eye
    return " ".join(page_texts(pdf))


@pytest.mark.parametrize("product", sorted(CHIN_DOSES))
def test_the_record_names_the_signed_form_its_version_and_when(
    session, login_as, make_patient, witness, product
):
    patient = make_patient()
    give_consent(
        session, witness, patient.id, when=NOW - timedelta(hours=1), name="Ada Okafor"
    )
    treatment = treat(session, witness, patient, product)
    text = printed(login_as, treatment, f"record-consent-{product}.pdf")
    form = consent_forms.current_form(session, ConsentKind.TREATMENT)
    assert f"{form.title} (treatment form, version 1)" in text
    assert (
        "Typed name as signature by Ada Okafor, 2 Mar 2026, 09:15; "
        "witnessed by Dr Ines Duarte" in text
    )
    assert "Withdrawn" not in text


def test_a_consent_held_elsewhere_prints_its_reason(
    session, login_as, make_patient, witness
):
    patient = make_patient()
    form = consent_forms.current_form(session, ConsentKind.TREATMENT)
    consent_service.record_elsewhere(
        session,
        witness,
        patient.id,
        ConsentKind.TREATMENT,
        {"form_id": form.id, "reason": "Paper form scanned into the hospital record"},
        now=NOW - timedelta(days=2),
    )
    treatment = treat(session, witness, patient, "dysport")
    text = printed(login_as, treatment, "record-consent-elsewhere.pdf")
    assert "(treatment form, version 1)" in text
    assert (
        "Held elsewhere Paper form scanned into the hospital record "
        "(recorded 28 Feb 2026, 10:15 by Dr Ines Duarte)" in text
    )
    # A general consent, as for a signature; the product is stated apart (P3).
    assert "the form names no product" in text
    assert "Product used Dysport (abobotulinumtoxinA) in this session" in text


def test_the_record_keeps_the_consent_it_was_signed_under(
    session, login_as, make_patient, witness
):
    patient = make_patient()
    first = give_consent(
        session, witness, patient.id, when=NOW - timedelta(hours=1), name="Ada Okafor"
    )
    treatment = treat(session, witness, patient)
    # Signed again later under another name, then the first consent withdrawn.
    give_consent(
        session, witness, patient.id, when=NOW + timedelta(days=30), name="A O"
    )
    consent_service.withdraw_consent(
        session,
        witness,
        first.id,
        {"reason": "Asked to stop"},
        now=NOW + timedelta(days=40),
    )
    text = printed(login_as, treatment)
    assert "by Ada Okafor, 2 Mar 2026, 09:15" in text
    assert "by A O," not in text
    assert "Withdrawn 11 Apr 2026, 11:15: Asked to stop" in text
