"""Treatment consent is judged before the injections, by the rule signing uses (rW, W1).

An expired or superseded consent used to be found only at "Sign session", after
the patient had been injected. ``consent_alerts`` asks the same rule earlier: for
Today's clinic and the patient page (``treatment_consent_now``) and for a draft
chart (``chart_consent_problem``, the signing check itself). Consent is the
patient's, not the product's: each case runs on a Botox and a Dysport chart.
The clinic is in London; the re-consent age is the shipped 12 months.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.consent import ConsentKind
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import consent_forms
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.consent_alerts import chart_consent_problem
from planner.services.consent_alerts import treatment_consent_now
from tests.factories import ZONE
from tests.factories import give_consent
from tests.factories import make_treatment

PRODUCTS = ["botox", "dysport"]
SITES = {"botox": [("mentalis", "left", 2.5)], "dysport": [("mentalis", "left", 10)]}
# Signed at 11:00 BST on 15 July 2025: the consent runs out on 15 July 2026.
SIGNED = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)
# 23:59 BST on 14 July 2026 (the last day it is valid) and, half an hour
# later, 00:29 BST on 15 July: still the 14th in UTC, already the day it expires.
LAST_VALID = datetime(2026, 7, 14, 22, 59, tzinfo=UTC)
EXPIRES = datetime(2026, 7, 14, 23, 29, tzinfo=UTC)


def _draft(session, injector, patient, product, when):
    return make_treatment(
        session,
        injector,
        patient.id,
        SITES[product],
        when=when,
        product=product,
        vial_units=100 if product == "botox" else 300,
        diluent_ml=2.5,
    )


def _sign_refusal(session, injector, draft, now):
    # At the chart's own version: a stale one is refused before any check.
    with pytest.raises(InvalidInput) as refused:
        session_service.sign_session(
            session,
            injector,
            draft.id,
            {"version": draft.version, "consent_obtained": True, "reasons": {}},
            zone=ZONE,
            now=now,
        )
    return refused.value.fields.get("consent")


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_expired_consent_is_flagged_from_the_day_it_expires_on_the_clinic_day(
    session, injector, make_patient, product
):
    patient = make_patient()
    give_consent(session, injector, patient.id, when=SIGNED)

    before = treatment_consent_now(session, [patient.id], now=LAST_VALID, zone=ZONE)
    assert before[patient.id].valid
    assert before[patient.id].badge == ""
    draft = _draft(session, injector, patient, product, LAST_VALID)
    assert chart_consent_problem(session, draft.id, now=LAST_VALID, zone=ZONE) is None

    after = treatment_consent_now(session, [patient.id], now=EXPIRES, zone=ZONE)
    decision = after[patient.id]
    assert not decision.valid
    assert decision.badge == "Consent needed: signed 15 Jul 2025, over 12 months ago"
    # The draft started yesterday is still open after midnight: signing judges
    # it at its treatment time, when consent was valid. A chart opened now is not.
    assert chart_consent_problem(session, draft.id, now=EXPIRES, zone=ZONE) is None
    fresh = make_patient()
    give_consent(session, injector, fresh.id, when=SIGNED)
    late = _draft(session, injector, fresh, product, EXPIRES)
    problem = chart_consent_problem(session, late.id, now=EXPIRES, zone=ZONE)
    assert problem is not None
    assert "15 July 2025, more than 12 months ago" in problem
    # The banner says what signing will say, word for word.
    assert _sign_refusal(session, injector, late, EXPIRES) == f"is needed. {problem}"


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_superseded_form_version_is_flagged_before_treatment(
    session, injector, make_patient, make_user, product
):
    patient = make_patient()
    give_consent(session, injector, patient.id, when=LAST_VALID - timedelta(days=30))
    admin = make_user(Role.ADMIN)
    old = consent_forms.current_form(session, ConsentKind.TREATMENT)
    consent_forms.save_form_version(
        session,
        Actor(admin.id, admin.email),
        ConsentKind.TREATMENT,
        {"title": old.title, "body": old.body + "\n\nA new risk.", "version": 1},
        now=LAST_VALID - timedelta(days=1),
    )

    decision = treatment_consent_now(session, [patient.id], now=LAST_VALID, zone=ZONE)[
        patient.id
    ]
    assert not decision.valid
    assert decision.badge == (
        "Consent needed: signed version 1, the form is now version 2"
    )
    draft = _draft(session, injector, patient, product, LAST_VALID)
    problem = chart_consent_problem(session, draft.id, now=LAST_VALID, zone=ZONE)
    assert problem is not None
    assert "version 1" in problem
    assert "now version 2" in problem
    assert (
        _sign_refusal(session, injector, draft, LAST_VALID) == f"is needed. {problem}"
    )


@pytest.mark.parametrize("product", PRODUCTS)
def test_no_consent_at_all_and_a_renewed_one(session, injector, make_patient, product):
    never = make_patient()
    renewed = make_patient()
    give_consent(session, injector, renewed.id, when=SIGNED)
    give_consent(session, injector, renewed.id, when=EXPIRES - timedelta(hours=1))

    found = treatment_consent_now(
        session, [never.id, renewed.id], now=EXPIRES, zone=ZONE
    )
    assert found[never.id].badge == "Consent needed: none signed"
    assert found[renewed.id].valid
    assert found[renewed.id].badge == ""
    draft = _draft(session, injector, renewed, product, EXPIRES)
    assert chart_consent_problem(session, draft.id, now=EXPIRES, zone=ZONE) is None


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_signed_chart_has_no_banner(session, injector, make_patient, product):
    patient = make_patient()
    signed = make_treatment(
        session,
        injector,
        patient.id,
        SITES[product],
        when=LAST_VALID,
        sign=True,
        product=product,
        vial_units=100 if product == "botox" else 300,
        diluent_ml=2.5,
    )
    later = LAST_VALID + timedelta(days=400)
    assert chart_consent_problem(session, signed.id, now=later, zone=ZONE) is None
