"""Photography consent recorded only on the photos page ages as a signed form does.

With no signed photography consent form, the answer recorded on the photos page
counts from its recorded clinic day for the clinic's re-consent age
(``consent_valid_months``), then capture closes until the answer is recorded
again or the patient signs the form. The consent page's photography status is
the same decision (``photography_decision``), so the two pages agree. Expiry
hides no photo. The cycles are Botox and Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.services import photo_consent
from planner.services import photos as photo_service
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from tests.factories import ZONE
from tests.services.test_photo_consent_in_force import refused
from tests.services.test_photo_consent_in_force import stored
from tests.services.test_photo_consent_in_force import take
from tests.services.test_photo_consent_in_force import treat

NOW = datetime(2026, 6, 20, 10, tzinfo=UTC)
THIRTEEN_MONTHS_AGO = datetime(2025, 5, 20, 10, tzinfo=UTC)
ELEVEN_MONTHS_AGO = datetime(2025, 7, 20, 10, tzinfo=UTC)
# Recorded at 10:00 UTC on 15 June 2025 (11:00 BST): at 12 months it no longer
# counts from 15 June 2026, which starts at 23:00 UTC on 14 June.
RECORDED = datetime(2025, 6, 15, 10, tzinfo=UTC)
EXPIRY_DAY_LATE_UTC = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
LAST_DAY_LATE = datetime(2026, 6, 14, 22, 30, tzinfo=UTC)
PRODUCTS = ["botox", "dysport"]
KEY = "consent_valid_months"


@pytest.fixture(params=PRODUCTS)
def answered(request, session, injector, make_patient):
    """Return a recorder of a patient answered only on the photos page, and a cycle."""

    def record(when, answer="clinical"):
        patient = make_patient()
        photo_service.record_consent(
            session, injector, patient.id, {"consent": answer}, now=when
        )
        treatment = treat(session, injector, patient.id, request.param)
        return patient, treatment.id

    return record


def set_re_consent_age(session, actor, months):
    current = get_setting(session, KEY).version
    update_setting(session, actor, KEY, months, version=current, now=NOW)


def decision(session, patient_id, now):
    return photo_consent.photography_decision(session, patient_id, now=now, zone=ZONE)


def in_force(session, patient_id, now):
    return photo_consent.consent_in_force(session, patient_id, now=now, zone=ZONE)


def test_an_answer_recorded_13_months_ago_closes_capture_and_both_pages_say_why(
    session, injector, answered
):
    patient, session_id = answered(THIRTEEN_MONTHS_AGO)
    kept = take(session, injector, session_id, now=LAST_DAY_LATE - timedelta(days=30))
    message = refused(session, injector, session_id, now=NOW)
    assert "recorded on the photos page on 20 May 2025" in message
    assert "more than 12 months ago" in message
    assert "again on the photos page" in message
    assert "sign the photography consent form" in message
    state = in_force(session, patient.id, NOW)
    assert not state.allows_capture
    assert state.closed_because in message
    judged = decision(session, patient.id, NOW)
    assert not judged.valid
    assert judged.message == state.closed_because
    # Expiry is not withdrawal: the photo taken in time is still shown.
    assert not state.hidden
    assert photo_service.get_visible_photo(session, kept.id).id == kept.id


def test_an_answer_recorded_11_months_ago_still_allows_capture(
    session, injector, answered
):
    patient, session_id = answered(ELEVEN_MONTHS_AGO)
    take(session, injector, session_id, now=NOW)
    assert len(stored(session)) == 1
    assert in_force(session, patient.id, NOW).allows_capture
    judged = decision(session, patient.id, NOW)
    assert judged.valid
    assert "Recorded on the photos page on 20 July 2025" in judged.message
    assert "re-consent due on 20 July 2026" in judged.message


def test_the_expiry_day_is_the_clinic_day_not_the_utc_day(session, injector, answered):
    patient, session_id = answered(RECORDED)
    # Late evening UTC on 14 June is already 15 June in London: refused.
    refused(session, injector, session_id, now=EXPIRY_DAY_LATE_UTC)
    assert not decision(session, patient.id, EXPIRY_DAY_LATE_UTC).valid
    # An hour earlier it is still 14 June in London: taken.
    take(session, injector, session_id, now=LAST_DAY_LATE)
    assert decision(session, patient.id, LAST_DAY_LATE).valid
    assert len(stored(session)) == 1


@pytest.mark.parametrize("answer", ["clinical", "teaching"])
def test_recording_the_answer_again_reopens_capture_with_its_scope(
    session, injector, answered, answer
):
    patient, session_id = answered(THIRTEEN_MONTHS_AGO, answer)
    refused(session, injector, session_id, now=NOW)
    photo_service.record_consent(
        session, injector, patient.id, {"consent": answer}, now=NOW
    )
    take(session, injector, session_id, now=NOW + timedelta(minutes=5))
    assert len(stored(session)) == 1
    state = in_force(session, patient.id, NOW)
    assert state.consent is not None
    assert state.consent.value == answer
    assert decision(session, patient.id, NOW).valid


def test_the_clinic_re_consent_age_moves_the_expiry(session, injector, answered):
    patient, session_id = answered(THIRTEEN_MONTHS_AGO)
    refused(session, injector, session_id, now=NOW)
    set_re_consent_age(session, injector, 24)
    take(session, injector, session_id, now=NOW)
    assert decision(session, patient.id, NOW).valid
    set_re_consent_age(session, injector, 6)
    eleven = answered(ELEVEN_MONTHS_AGO)
    message = refused(session, injector, eleven[1], now=NOW)
    assert "more than 6 months ago" in message


def test_a_withdrawal_on_the_photos_page_hides_and_both_pages_say_so(
    session, injector, answered
):
    patient, _session_id = answered(ELEVEN_MONTHS_AGO)
    photo_service.record_consent(
        session,
        injector,
        patient.id,
        {"consent": "withdrawn", "note": "Asked at the desk"},
        now=NOW,
    )
    assert in_force(session, patient.id, NOW).hidden
    judged = decision(session, patient.id, NOW)
    assert not judged.valid
    assert (
        judged.message
        == "Withdrawn on the photos page on 20 Jun 2026: Asked at the desk"
    )
