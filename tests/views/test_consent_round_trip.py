"""Consent signed from the chart goes back to that chart (tablet walkthrough, item 1).

The chart's consent banner links to the signing form with ``next`` set to the
chart. Signing, or leaving the form, returns there, and the banner is gone. Only
a page of this site is followed: a hostile ``next`` falls back to the old
behaviour (the consent record, the consent page), and one with control
characters is a 400 naming the field. Reached without ``next``, nothing changes.
Botox and Dysport charts both.
"""

import re
from datetime import timedelta
from html import unescape

import pytest

from planner.db_types import utc_now
from planner.models import Role
from tests.factories import give_consent
from tests.factories import make_treatment

PRODUCTS = {
    "botox": (100, [("mentalis", "left", 2.5)]),
    "dysport": (300, [("mentalis", "left", 10)]),
}
HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%2F/evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/no-such-page",
    "/patients/",  # a page of the site, but not a chart: "Back to the chart" would lie
]


def _expired_chart(session, injector, make_patient, product):
    """Return a patient whose treatment consent ran out, and their draft chart."""
    patient = make_patient(family_name=f"Roundtrip-{product}")
    now = utc_now()
    give_consent(session, injector, patient.id, when=now - timedelta(weeks=60))
    vial, sites = PRODUCTS[product]
    draft = make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=now,
        product=product,
        vial_units=vial,
        diluent_ml=2.5,
    )
    return patient, draft


def _form_id(html):
    return re.search(r'name="form_id" value="(\d+)"', html)[1]


def _sign(browser, path, html, **extra):
    return browser.post_form(
        path,
        {
            "form_id": _form_id(html),
            "printed_name": "Ada Okafor",
            "method": "typed",
            "typed_confirm": "on",
            **extra,
        },
    )


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_signing_from_the_chart_banner_returns_to_the_chart_without_its_banner(
    login_as, session, injector, make_patient, product
):
    patient, draft = _expired_chart(session, injector, make_patient, product)
    browser = login_as(Role.INJECTOR)
    chart = browser.get(f"/sessions/{draft.id}").get_data(as_text=True)
    assert 'id="consent-banner"' in chart
    link = re.search(
        r'<a class="button primary" href="([^"]+)">Hand the tablet', chart
    )[1]
    link = unescape(link)
    assert link == (
        f"/patients/{patient.id}/consent/treatment?next=/sessions/{draft.id}"
    )

    form = browser.get(link)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="/sessions/{draft.id}">' in html
    assert f'href="/sessions/{draft.id}">Back to the chart</a>' in html

    signed = _sign(browser, link, html, next=f"/sessions/{draft.id}")
    assert signed.status_code == 302, signed.get_data(as_text=True)[:800]
    assert signed.headers["Location"] == f"/sessions/{draft.id}"
    back = browser.get(signed.headers["Location"]).get_data(as_text=True)
    assert "consent-banner" not in back
    assert "Signed. Thank you." in back


def test_a_refused_signature_keeps_the_way_back_to_the_chart(
    login_as, session, injector, make_patient
):
    patient, draft = _expired_chart(session, injector, make_patient, "dysport")
    browser = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/consent/treatment"
    html = browser.get(path).get_data(as_text=True)
    refused = browser.post_form(
        path,
        {
            "form_id": _form_id(html),
            "printed_name": "Ada Okafor",
            "method": "typed",
            "next": f"/sessions/{draft.id}",
        },
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "must be ticked" in page
    assert f'<input type="hidden" name="next" value="/sessions/{draft.id}">' in page
    assert f'href="/sessions/{draft.id}">Back to the chart</a>' in page


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_is_never_followed(
    login_as, session, injector, make_patient, target
):
    patient, _ = _expired_chart(session, injector, make_patient, "botox")
    browser = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/consent/treatment"
    form = browser.get(path, query_string={"next": target})
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "evil.example" not in html
    assert "javascript:" not in html
    assert 'name="next"' not in html
    assert f'href="/patients/{patient.id}/consent">Back to consent</a>' in html

    signed = _sign(browser, path, html, next=target)
    assert signed.status_code == 302
    assert re.fullmatch(r"/consent/\d+", signed.headers["Location"])


@pytest.mark.parametrize("where", ["get", "post"])
def test_a_next_with_control_characters_is_a_field_error_not_a_500(
    login_as, session, injector, make_patient, where
):
    patient, draft = _expired_chart(session, injector, make_patient, "botox")
    browser = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/consent/treatment"
    html = browser.get(path).get_data(as_text=True)
    target = f"/\t/sessions/{draft.id}"
    if where == "get":
        answer = browser.get(path, query_string={"next": target})
    else:
        answer = _sign(browser, path, html, next=target)
    assert answer.status_code == 400
    assert "must not contain control characters" in answer.get_data(as_text=True)


def test_reached_from_elsewhere_signing_shows_the_record_as_before(
    login_as, session, injector, make_patient
):
    patient, _ = _expired_chart(session, injector, make_patient, "dysport")
    browser = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/consent/treatment"
    html = browser.get(path).get_data(as_text=True)
    assert 'name="next"' not in html
    assert f'href="/patients/{patient.id}/consent">Back to consent</a>' in html
    signed = _sign(browser, path, html)
    assert signed.status_code == 302
    assert re.fullmatch(r"/consent/\d+", signed.headers["Location"])
