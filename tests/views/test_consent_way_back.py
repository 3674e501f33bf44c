"""Every way to consent from the chair keeps the way back.

The chart's banner has two links, "Hand the tablet to the patient to sign" and
"Consent page"; the new-session form shows the same two when consent is missing.
Each passes its own page as ``next``: the consent page keeps it on every link and
form, so recording consent there (held elsewhere, or signed on its own signing
link) lands back on the chart or the new-session form. Only those two pages are
followed: an off-site, unknown or other ``next`` is dropped and the consent page
behaves as before. Botox and Dysport charts both.
"""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import unquote

import pytest

from planner.db_types import utc_now
from planner.models import Role
from tests.factories import give_consent
from tests.views.test_consent_round_trip import HOSTILE
from tests.views.test_consent_round_trip import _expired_chart
from tests.views.test_consent_round_trip import _form_id
from tests.views.test_consent_round_trip import _sign

PRODUCTS = ["botox", "dysport"]


def _link(html, words, scope=""):
    """Return the href of the first link with these words (after ``scope``)."""
    start = html.index(scope) if scope else 0
    return unescape(re.search(rf'href="([^"]+)">{words}</a>', html[start:])[1])


def _formaction(html, words):
    """Return the formaction of the new-session form's button with these words."""
    scope = html[html.index('id="consent-needed"') :]
    return unescape(re.search(rf'formaction="([^"]+)">{words}</button>', scope)[1])


def _expired_patient(session, injector, make_patient):
    """Return a patient with no draft whose treatment consent ran out."""
    patient = make_patient(family_name="Wayback-new")
    give_consent(session, injector, patient.id, when=utc_now() - timedelta(weeks=60))
    return patient


def _elsewhere(browser, patient_id, html, **extra):
    return browser.post_form(
        f"/patients/{patient_id}/consent/treatment/elsewhere",
        {
            "form_id": _form_id(html[html.index('id="kind-treatment"') :]),
            "reason": "Paper form signed today, scanned.",
            **extra,
        },
    )


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_banners_consent_page_link_returns_to_the_chart(
    login_as, session, injector, make_patient, product
):
    patient, draft = _expired_chart(session, injector, make_patient, product)
    browser = login_as(Role.INJECTOR)
    chart_path = f"/sessions/{draft.id}"
    chart = browser.get(chart_path).get_data(as_text=True)
    link = _link(chart, "Consent page", 'id="consent-banner"')
    assert link == f"/patients/{patient.id}/consent?next={chart_path}"

    page = browser.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _link(html, "Back to the chart") == chart_path
    # The page's own signing link and its forms keep the way back.
    assert _link(html, "Hand the tablet to the patient to sign") == (
        f"/patients/{patient.id}/consent/treatment?next={chart_path}"
    )
    assert f'<input type="hidden" name="next" value="{chart_path}">' in html

    recorded = _elsewhere(browser, patient.id, html, next=chart_path)
    assert recorded.status_code == 302, recorded.get_data(as_text=True)[:800]
    assert recorded.headers["Location"] == chart_path
    back = browser.get(chart_path).get_data(as_text=True)
    assert "Consent recorded with its reason." in back
    assert 'id="consent-banner"' not in back


def test_signing_from_the_consent_page_opened_from_the_chart_returns_to_it(
    login_as, session, injector, make_patient
):
    patient, draft = _expired_chart(session, injector, make_patient, "dysport")
    browser = login_as(Role.INJECTOR)
    chart_path = f"/sessions/{draft.id}"
    html = browser.get(
        f"/patients/{patient.id}/consent", query_string={"next": chart_path}
    ).get_data(as_text=True)
    link = _link(html, "Hand the tablet to the patient to sign")
    form = browser.get(link).get_data(as_text=True)
    signed = _sign(browser, link, form, next=chart_path)
    assert signed.status_code == 302
    assert signed.headers["Location"] == chart_path


def test_a_refused_elsewhere_keeps_the_way_back(
    login_as, session, injector, make_patient
):
    patient, draft = _expired_chart(session, injector, make_patient, "botox")
    browser = login_as(Role.INJECTOR)
    chart_path = f"/sessions/{draft.id}"
    html = browser.get(
        f"/patients/{patient.id}/consent", query_string={"next": chart_path}
    ).get_data(as_text=True)
    refused = _elsewhere(browser, patient.id, html, reason="", next=chart_path)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Reason" in page
    assert _link(page, "Back to the chart") == chart_path


def test_a_withdrawal_stays_on_the_consent_page_with_the_way_back(
    login_as, session, injector, make_patient
):
    patient, draft = _expired_chart(session, injector, make_patient, "botox")
    browser = login_as(Role.INJECTOR)
    chart_path = f"/sessions/{draft.id}"
    html = browser.get(
        f"/patients/{patient.id}/consent", query_string={"next": chart_path}
    ).get_data(as_text=True)
    record_id = re.search(r'action="/consent/(\d+)/withdraw"', html)[1]
    answer = browser.post_form(
        f"/consent/{record_id}/withdraw", {"reason": "not given", "next": chart_path}
    )
    assert answer.status_code == 302
    assert unescape(answer.headers["Location"]) == (
        f"/patients/{patient.id}/consent?next={chart_path}"
    )


def test_the_new_session_forms_consent_links_return_to_the_form(
    login_as, session, injector, make_patient
):
    patient = _expired_patient(session, injector, make_patient)
    browser = login_as(Role.INJECTOR)
    form_path = f"/patients/{patient.id}/sessions/new"
    new = browser.get(form_path).get_data(as_text=True)
    # The form's consent buttons hold what was typed, then go on to consent
    # (tests/views/test_held_session_form.py).
    sign_link = browser.post_form(
        _formaction(new, "Hand the tablet to the patient to sign"), {}
    ).headers["Location"]
    page_link = browser.post_form(_formaction(new, "Consent page"), {}).headers[
        "Location"
    ]
    assert unquote(sign_link) == (
        f"/patients/{patient.id}/consent/treatment?next={form_path}"
    )
    assert unquote(page_link) == f"/patients/{patient.id}/consent?next={form_path}"

    html = browser.get(page_link).get_data(as_text=True)
    assert _link(html, "Back to the new session") == form_path
    form = browser.get(sign_link).get_data(as_text=True)
    assert _link(form, "Back to the new session") == form_path
    signed = _sign(browser, sign_link, form, next=form_path)
    assert signed.status_code == 302
    assert signed.headers["Location"] == form_path
    again = browser.get(form_path).get_data(as_text=True)
    assert 'id="consent-needed"' not in again


@pytest.mark.parametrize(
    "target", [*HOSTILE, "/patients/{id}", "/patients/{id}/consent"]
)
def test_the_consent_page_never_follows_an_off_site_or_other_next(
    login_as, session, injector, make_patient, target
):
    patient, _ = _expired_chart(session, injector, make_patient, "dysport")
    target = target.format(id=patient.id)
    browser = login_as(Role.INJECTOR)
    page = browser.get(f"/patients/{patient.id}/consent", query_string={"next": target})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "evil.example" not in html
    assert "javascript:" not in html
    assert 'name="next"' not in html
    assert "Back to the chart" not in html
    assert "Back to the new session" not in html
    assert _link(html, "Hand the tablet to the patient to sign") == (
        f"/patients/{patient.id}/consent/treatment"
    )
    recorded = _elsewhere(browser, patient.id, html, next=target)
    assert recorded.status_code == 302
    assert recorded.headers["Location"] == f"/patients/{patient.id}/consent"


def test_a_next_with_control_characters_on_the_consent_page_is_a_400(
    login_as, session, injector, make_patient
):
    patient, draft = _expired_chart(session, injector, make_patient, "botox")
    browser = login_as(Role.INJECTOR)
    answer = browser.get(
        f"/patients/{patient.id}/consent",
        query_string={"next": f"/\t/sessions/{draft.id}"},
    )
    assert answer.status_code == 400
    assert "must not contain control characters" in answer.get_data(as_text=True)


def _next_path(page, patient_id, draft_id):
    if page == "chart":
        return f"/sessions/{draft_id}"
    return f"/patients/{patient_id}/sessions/new"


@pytest.mark.parametrize("page", ["chart", "new"])
@pytest.mark.parametrize("product", PRODUCTS)
def test_another_patients_page_as_next_is_never_followed(
    login_as, session, injector, make_patient, product, page
):
    """Consent for patient A never hands the clinician on to patient B."""
    patient, _ = _expired_chart(session, injector, make_patient, product)
    other, other_draft = _expired_chart(session, injector, make_patient, product)
    target = _next_path(page, other.id, other_draft.id)
    browser = login_as(Role.INJECTOR)

    index = browser.get(
        f"/patients/{patient.id}/consent", query_string={"next": target}
    )
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    assert 'name="next"' not in html
    assert target not in html
    assert "Back to the chart" not in html
    assert "Back to the new session" not in html

    link = f"/patients/{patient.id}/consent/treatment"
    assert _link(html, "Hand the tablet to the patient to sign") == link
    form = browser.get(link, query_string={"next": target}).get_data(as_text=True)
    assert target not in form
    signed = _sign(browser, link, form, next=target)
    assert signed.status_code == 302
    assert re.fullmatch(r"/consent/\d+", signed.headers["Location"])

    recorded = _elsewhere(browser, patient.id, html, next=target)
    assert recorded.status_code == 302
    assert recorded.headers["Location"] == f"/patients/{patient.id}/consent"

    record_id = re.search(r'action="/consent/(\d+)/withdraw"', html)[1]
    withdrawn = browser.post_form(
        f"/consent/{record_id}/withdraw", {"reason": "not given", "next": target}
    )
    assert withdrawn.status_code == 302
    assert withdrawn.headers["Location"] == f"/patients/{patient.id}/consent"


@pytest.mark.parametrize("page", ["chart", "new"])
@pytest.mark.parametrize("product", PRODUCTS)
def test_the_same_patients_page_as_next_is_followed(
    login_as, session, injector, make_patient, product, page
):
    patient, draft = _expired_chart(session, injector, make_patient, product)
    _expired_chart(session, injector, make_patient, product)  # someone else's
    target = _next_path(page, patient.id, draft.id)
    label = "Back to the chart" if page == "chart" else "Back to the new session"
    browser = login_as(Role.INJECTOR)

    html = browser.get(
        f"/patients/{patient.id}/consent", query_string={"next": target}
    ).get_data(as_text=True)
    assert _link(html, label) == target
    link = f"/patients/{patient.id}/consent/treatment"
    form = browser.get(link, query_string={"next": target}).get_data(as_text=True)
    assert _link(form, label) == target
    signed = _sign(browser, link, form, next=target)
    assert signed.status_code == 302
    assert signed.headers["Location"] == target
