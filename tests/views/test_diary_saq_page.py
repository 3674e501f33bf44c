"""The diary's questionnaire page offers only the answers today's clinic day allows.

And where the clinic reads the scores, the clinic's review is the cycle's,
the patient's own is still listed and says whose it is.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import outcomes
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
SAQ = {f"q{n}": "4" for n in range(1, 10)}  # 80
LOW = {f"q{n}": "2" for n in range(1, 10)}  # 40
PRODUCTS = ["botox", "dysport"]


def now():
    return datetime.now(UTC)


@pytest.fixture
def treat(session, injector, make_patient):
    """Sign a treatment ``days`` ago; return the patient, the session and a token."""

    def treat(days, product="botox"):
        patient = make_patient()
        when = now() - timedelta(days=days)
        record = sign_chin(
            session, injector, patient.id, when=when, lot_number="Q1", product=product
        )
        printed = printable_link(session, record.id, key=DIARY_KEY, now=when, zone=ZONE)
        return patient, record, printed.printed.token

    return treat


def page(client, token):
    return client.get(f"/diary/{token}/questionnaire").get_data(as_text=True)


def post(client, token, data):
    path = f"/diary/{token}/questionnaire"
    found = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert found
    return client.post(path, data={**data, "csrf_token": found.group(1)})


@pytest.mark.parametrize("product", PRODUCTS)
def test_too_early_there_is_no_form(client, treat, product):
    _, _, token = treat(1, product)
    html = page(client, token)
    assert "It is too early for these questions." in html
    assert 'name="q1"' not in html
    assert "Save my answers" not in html


@pytest.mark.parametrize("product", PRODUCTS)
def test_in_the_review_window_the_page_says_so(client, treat, product):
    _, _, token = treat(14, product)
    html = page(client, token)
    assert "Today is about 2 weeks after your injections" in html
    assert '<input type="hidden" name="when" value="two_weeks">' in html
    assert 'type="radio" id="when-' not in html
    assert post(client, token, SAQ).status_code == 400  # no "when": named
    response = post(client, token, {**SAQ, "when": "two_weeks"})
    assert response.status_code == 302


@pytest.mark.parametrize("product", PRODUCTS)
def test_outside_the_window_two_weeks_is_neither_offered_nor_accepted(
    client, treat, product
):
    _, _, token = treat(30, product)
    html = page(client, token)
    assert "When are you filling this in?" in html
    assert 'value="two_weeks"' not in html
    assert 'value="wear_off">' in html  # offered, not pre-selected
    assert 'value="still_working">' in html
    refused = post(client, token, {**SAQ, "when": "two_weeks"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'href="#field-when"' in text
    assert "Today is not about 2 weeks after your injections" in text
    assert post(client, token, {**SAQ, "when": "wear_off"}).status_code == 302


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_clinic_reads_its_own_review_and_sees_the_patients(
    login_as, client, session, injector, treat, product
):
    patient, _, token = treat(15, product)
    for items, point, days in ((SAQ, "pre_treatment", 15), (LOW, "review", 1)):
        outcomes.record_assessment(
            session,
            injector,
            patient.id,
            "saq",
            items,
            timepoint=point,
            zone=ZONE,
            now=now() - timedelta(days=days, minutes=5),
        )
    assert post(client, token, {**SAQ, "when": "two_weeks"}).status_code == 302
    browser = login_as(Role.INJECTOR)
    api = browser.get(f"/api/v1/patients/{patient.id}/cycles").get_json()
    (saq,) = [s for s in api["scores"] if s["instrument"] == "saq"]
    assert saq["points"][0]["review"] == 40.0
    assert saq["points"][0]["response"] == -40.0
    cycles = browser.get(f"/patients/{patient.id}/cycles").get_data(as_text=True)
    assert "80 → 40" in cycles
    detail = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "score 80, the patient&#39;s own" in detail
    assert "score 40</span>" in detail
