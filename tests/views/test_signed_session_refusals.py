"""A signed session refuses to be discarded or edited, and says it is signed.

The refusal is a 409 like a change by another device, but nobody else changed
anything: the page is headed "This session is signed", never "Changed by someone
else", and the API's error says the same (review rW, W7). Botox and Dysport.
"""

import re

import pytest

from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap

# Each product's vial, and a dose of its own units for the site charted.
VIALS = {
    "botox": ({"product": "botox", "vial_units": "100"}, 4),
    "dysport": ({"product": "dysport", "vial_units": "500"}, 15),
}
HEADING = re.compile(r"<h1>([^<]*)</h1>")


def heading(response) -> str:
    found = HEADING.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:500]
    return found[1]


@pytest.fixture(params=sorted(VIALS))
def signed(request, login_as, make_patient, session):
    """A chart of the product with one site, signed; the injector's browser."""
    vial, units = VIALS[request.param]
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    consent_by_browser(injector, patient.id)
    opened = injector.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM | vial)
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(injector, session_id, "mentalis", "left", version=1, units=units)
    assert tapped.status_code == 201, tapped.get_data(as_text=True)
    answer = post_sign(injector, session_id, version=2, reasons={})
    if answer.status_code == 400:  # a warning wants its reason: give one for each
        keys = answer.get_json().get("fields", {})
        answer = post_sign(
            injector,
            session_id,
            version=2,
            reasons={key.removeprefix("reasons."): "Agreed." for key in keys},
        )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert session.get(TreatmentSession, session_id).status == SessionStatus.SIGNED
    return injector, session_id


def test_discarding_a_signed_session_says_it_is_signed(signed, session):
    browser, session_id = signed
    path = f"/sessions/{session_id}/discard"
    for refused in (
        browser.get(path),
        browser.post_form(path, {"reason": "Oops."}),
        browser.post_form(path, {"reason": "Oops.", "confirmed": "yes"}),
    ):
        assert refused.status_code == 409
        assert heading(refused) == "This session is signed"
        page = refused.get_data(as_text=True)
        assert "Changed by someone else" not in page
        assert "signed and cannot be discarded" in page
    # Asked for JSON, the same words.
    answer = browser.post_form(
        path,
        {"reason": "Oops.", "confirmed": "yes"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"].startswith("This session is signed")
    session.expire_all()
    assert session.get(TreatmentSession, session_id).status == SessionStatus.SIGNED


def test_editing_a_signed_session_says_it_is_signed(signed):
    browser, session_id = signed
    # The chart's API: a tap on the signed chart, as another tab still open sends it.
    tap = post_tap(browser, session_id, "mentalis", "right", version=3)
    assert tap.status_code == 409
    assert tap.get_json()["error"].startswith("This session is signed")
