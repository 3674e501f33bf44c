"""Photo capture asks the signed photography consent form, as signing a chart asks
the treatment form: the same rule (``decide_consent``), on the clinic's day.

A photography form signed longer ago than the clinic's re-consent age, or on a
form version since replaced, closes capture until the patient signs again or
consent held elsewhere is recorded with its reason; the photos already taken
stay visible (expiry is not withdrawal). Consent recorded only on the photos
page ages too (tests/services/test_photo_consent_ages.py). Photography consent
is the same whatever product is injected: the cycles here are Botox and Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.consent import ConsentKind
from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models.photos import Photo
from planner.services import consent as consent_service
from planner.services import consent_forms
from planner.services import photos as photo_service
from planner.services.audit import Actor
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from tests.factories import CHIN_DOSES
from tests.factories import ZONE
from tests.factories import give_consent
from tests.factories import make_treatment
from tests.photo_images import face_jpeg

# Signed at 10:00 UTC on 15 June 2025 (11:00 BST): the clinic day is 15 June,
# so at the shipped 12 months the form no longer counts from 15 June 2026.
SIGNED = datetime(2025, 6, 15, 10, tzinfo=UTC)
TREATED = datetime(2026, 5, 4, 9, tzinfo=UTC)
# 23:30 UTC on 14 June 2026 is 00:30 on 15 June in London: the expiry day.
EXPIRY_DAY_LATE_UTC = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
# 22:30 UTC on 14 June 2026 is 23:30 on 14 June in London: the last good day.
LAST_DAY_LATE = datetime(2026, 6, 14, 22, 30, tzinfo=UTC)
PRODUCTS = ["botox", "dysport"]


def take(session, actor, session_id, *, now, view="rest"):
    return photo_service.add_photo(
        session,
        actor,
        session_id,
        view_code=view,
        timepoint="review",
        data=face_jpeg(),
        now=now,
        zone=ZONE,
    )


def treat(session, actor, patient_id, product):
    """Open a cycle on ``TREATED`` with a vial of the product's usual size."""
    return make_treatment(
        session,
        actor,
        patient_id,
        when=TREATED,
        product=product,
        vial_units=CHIN_DOSES[product][1],
    )


def stored(session):
    session.expire_all()
    return session.exec(select(Photo)).all()


def photo_events(session):
    return session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "photo")
    ).all()


def refused(session, actor, session_id, *, now):
    """Try to take a photo; return the consent message, checking nothing was kept."""
    before = (len(stored(session)), len(photo_events(session)))
    with pytest.raises(InvalidInput) as caught:
        take(session, actor, session_id, now=now)
    assert (len(stored(session)), len(photo_events(session))) == before
    return caught.value.fields["consent"]


@pytest.fixture
def cycle(session, injector, make_patient, request):
    """A patient who signed the photography form on ``SIGNED``, and a cycle."""
    patient = make_patient()
    give_consent(
        session, injector, patient.id, when=SIGNED, kind=ConsentKind.PHOTOGRAPHY
    )
    product = getattr(request, "param", "botox")
    treatment = treat(session, injector, patient.id, product)
    return patient, treatment.id


@pytest.mark.parametrize("cycle", PRODUCTS, indirect=True)
def test_a_form_older_than_the_re_consent_age_closes_capture(session, injector, cycle):
    patient, session_id = cycle
    kept = take(session, injector, session_id, now=LAST_DAY_LATE)
    message = refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    assert "signed on 15 June 2025" in message
    assert "more than 12 months ago" in message
    assert "sign" in message
    assert "held elsewhere" in message
    state = photo_service.consent_in_force(
        session, patient.id, now=EXPIRY_DAY_LATE_UTC, zone=ZONE
    )
    assert not state.allows_capture
    assert state.closed_because is not None
    assert state.closed_because in message
    # Expiry is not withdrawal: the photo taken in time is still shown.
    assert not state.hidden
    assert photo_service.get_visible_photo(session, kept.id).id == kept.id


@pytest.mark.parametrize("cycle", PRODUCTS, indirect=True)
def test_the_expiry_day_is_the_clinic_day_not_the_utc_day(session, injector, cycle):
    _patient, session_id = cycle
    # Late evening UTC on 14 June is already 15 June at the clinic: refused.
    refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    # An hour earlier it is still 14 June at the clinic: taken.
    take(session, injector, session_id, now=LAST_DAY_LATE)
    assert len(stored(session)) == 1


@pytest.mark.parametrize("cycle", PRODUCTS, indirect=True)
def test_a_form_signed_on_a_replaced_version_closes_capture(
    session, injector, make_user, cycle
):
    patient, session_id = cycle
    now = datetime(2026, 5, 11, 10, tzinfo=UTC)
    take(session, injector, session_id, now=now)
    old = consent_forms.current_form(session, ConsentKind.PHOTOGRAPHY)
    admin = make_user()
    consent_forms.save_form_version(
        session,
        Actor(admin.id, admin.email),
        ConsentKind.PHOTOGRAPHY,
        {"title": old.title, "body": old.body + "\n\nA new line.", "version": 1},
        now=now,
    )
    message = refused(session, injector, session_id, now=now + timedelta(hours=1))
    assert "signed version 1" in message
    assert "now version 2" in message
    assert "held elsewhere" in message
    # Signing the new version opens capture again.
    give_consent(
        session,
        injector,
        patient.id,
        when=now + timedelta(hours=2),
        kind=ConsentKind.PHOTOGRAPHY,
    )
    take(session, injector, session_id, now=now + timedelta(hours=3), view="pucker")
    assert len(stored(session)) == 2


@pytest.mark.parametrize("cycle", PRODUCTS, indirect=True)
def test_consent_held_elsewhere_counts_as_a_signature_and_expires_like_one(
    session, injector, cycle
):
    patient, session_id = cycle
    refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    form = consent_forms.current_form(session, ConsentKind.PHOTOGRAPHY)
    consent_service.record_elsewhere(
        session,
        injector,
        patient.id,
        ConsentKind.PHOTOGRAPHY,
        {"form_id": form.id, "reason": "Paper form signed in outpatients"},
        now=EXPIRY_DAY_LATE_UTC,
    )
    take(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC + timedelta(hours=1))
    a_year_on = EXPIRY_DAY_LATE_UTC + timedelta(days=366)
    message = refused(session, injector, session_id, now=a_year_on)
    assert "more than 12 months ago" in message


def test_the_clinic_re_consent_age_is_the_one_asked(session, injector, cycle):
    _patient, session_id = cycle
    refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    setting = get_setting(session, "consent_valid_months")
    update_setting(
        session,
        injector,
        "consent_valid_months",
        24,
        version=setting.version,
        now=EXPIRY_DAY_LATE_UTC,
    )
    take(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)


def test_a_teaching_consent_keeps_its_scope_when_the_form_is_signed_again(
    session, injector, cycle
):
    patient, session_id = cycle
    photo_service.record_consent(
        session, injector, patient.id, {"consent": "teaching"}, now=SIGNED
    )
    refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    give_consent(
        session,
        injector,
        patient.id,
        when=EXPIRY_DAY_LATE_UTC,
        kind=ConsentKind.PHOTOGRAPHY,
    )
    take(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    state = photo_service.consent_in_force(
        session, patient.id, now=EXPIRY_DAY_LATE_UTC, zone=ZONE
    )
    assert state.consent is not None
    assert state.consent.value == "teaching"
    assert state.allows_capture
