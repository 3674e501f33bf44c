"""Treatment consent that signing would refuse is shown before treatment (rW, W1).

Today's row, the patient page, the new-session form (a warning beside the consent
box, not a refusal) and the draft chart's header (a banner with a link to sign)
all say it. A valid consent shows none of it. The clinic's clock is frozen at
00:29 BST on 15 July 2026 (still the 14th in UTC), the day a consent signed on
15 July 2025 runs out. Botox and Dysport charts both.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from tests.factories import give_consent
from tests.factories import make_appointment
from tests.factories import make_treatment

NOW = datetime(2026, 7, 14, 23, 29, tzinfo=UTC)
SIGNED = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)
BADGE = "Consent needed: signed 15 Jul 2025, over 12 months ago"
PRODUCTS = {
    "botox": (100, [("mentalis", "left", 2.5)]),
    "dysport": (300, [("mentalis", "left", 10)]),
}

pytestmark = pytest.mark.audit_exempt(
    "appointments as raw rows", tables=["appointment"]
)


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setattr("planner.views.context.utc_now", lambda: NOW)
    return NOW


def _patient(session, injector, make_patient, *, renewed):
    patient = make_patient(family_name="Dysport")
    give_consent(session, injector, patient.id, when=SIGNED)
    if renewed:
        give_consent(session, injector, patient.id, when=NOW - timedelta(days=2))
    make_appointment(session, patient.id, NOW + timedelta(hours=9), kind="treatment")
    return patient


def _draft(session, injector, patient, product):
    vial, sites = PRODUCTS[product]
    return make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=NOW,
        product=product,
        vial_units=vial,
        diluent_ml=2.5,
    )


def _page(browser, path):
    response = browser.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_an_expired_consent_is_shown_on_every_page_before_the_injections(
    login_as, session, injector, make_patient, frozen, product
):
    patient = _patient(session, injector, make_patient, renewed=False)
    browser = login_as(Role.INJECTOR)

    today = _page(browser, "/")
    assert BADGE in today
    detail = _page(browser, f"/patients/{patient.id}")
    assert BADGE in detail
    form = _page(browser, f"/patients/{patient.id}/sessions/new")
    assert 'id="consent-needed"' in form
    assert BADGE in form
    assert "cannot be signed until the patient signs" in form
    # A button of the form: it holds what was typed, then goes on to sign
    # (test_held_session_form.py).
    assert f'formaction="/patients/{patient.id}/sessions/new/consent?to=sign"' in form

    draft = _draft(session, injector, patient, product)
    chart = _page(browser, f"/sessions/{draft.id}")
    assert 'id="consent-banner"' in chart
    assert "Treatment consent needed before injecting." in chart
    assert "signed on 15 July 2025, more than 12 months ago" in chart
    assert "Hand the tablet to the patient to sign" in chart
    # Signing from the chart returns to it (test_consent_round_trip.py).
    assert (
        f'href="/patients/{patient.id}/consent/treatment?next=/sessions/{draft.id}"'
        in chart
    )


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_a_valid_consent_shows_nothing_alarming(
    login_as, session, injector, make_patient, frozen, product
):
    patient = _patient(session, injector, make_patient, renewed=True)
    browser = login_as(Role.INJECTOR)
    draft = _draft(session, injector, patient, product)
    pages = [
        _page(browser, "/"),
        _page(browser, f"/patients/{patient.id}"),
        _page(browser, f"/sessions/{draft.id}"),
    ]
    for page in pages:
        assert "Consent needed" not in page
        assert "consent-banner" not in page
        assert "consent-badge" not in page


def test_the_new_session_form_warns_but_still_opens_the_chart(
    login_as, session, injector, make_patient, frozen
):
    patient = _patient(session, injector, make_patient, renewed=False)
    browser = login_as(Role.INJECTOR)
    opened = browser.post_form(
        f"/patients/{patient.id}/sessions",
        {
            "kind": "full",
            "product": "dysport",
            "lot_choice": "new",
            "lot_number": "DYS-1",
            "expiry_date": "2027-06-30",
            "vial_units": "300",
            "diluent_ml": "2.5",
            "reconstituted_at": "2026-07-15T00:20",
            "consent_obtained": "on",
        },
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)
    chart = _page(browser, opened.headers["Location"])
    assert "Treatment consent needed before injecting." in chart
