"""Every ``next`` the app follows stays on this site (issue 18, finding 1)."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from tests import factories
from tests.conftest import PASSWORD
from tests.conftest import Browser

OFF_SITE = [
    "////evil.example",
    "///evil.example/x",
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "/not-a-page-of-ours",
]
CONTROL = ["/patients/\r\nSet-Cookie: x=1", "/\t/evil.example", "/patients/\x00"]


def login_post(client, make_user, target):
    """Log a new user in through the login form, asking to go on to ``target``."""
    user = make_user()
    browser = Browser(client)
    browser.refresh_token()
    return client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": browser.token},
    )


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_post_never_sends_the_browser_off_site(client, make_user, target):
    response = login_post(client, make_user, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/patients/", target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_get_when_logged_in_never_sends_the_browser_off_site(login_as, target):
    browser = login_as(Role.STAFF)
    response = browser.get("/login", query_string={"next": target})
    assert response.headers["Location"] == "/patients/", target


def test_a_page_of_this_site_with_its_query_is_followed(client, make_user):
    response = login_post(client, make_user, "/patients/?q=ab&page=2")
    assert response.headers["Location"] == "/patients/?q=ab&page=2"


@pytest.mark.parametrize("target", CONTROL)
def test_control_characters_in_next_are_refused_with_400(client, make_user, target):
    response = login_post(client, make_user, target)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "next" in page
    assert "control characters" in page
    # Anonymous GET too: the login form is not shown for a poisoned link.
    assert client.get("/login", query_string={"next": target}).status_code == 400


@pytest.mark.audit_exempt("the booked appointment is a raw row", tables=["appointment"])
@pytest.mark.parametrize("target", [*OFF_SITE, *CONTROL])
def test_status_form_next_stays_on_site(login_as, session, make_patient, target):
    browser = login_as(Role.STAFF)
    patient = make_patient()
    appointment = factories.make_appointment(
        session, patient.id, datetime.now(UTC) + timedelta(days=3)
    )
    response = browser.post_form(
        f"/appointments/{appointment.id}/status",
        {
            "version": appointment.version,
            "status": "cancelled",
            "reason": "Patient rang",
            "next": target,
        },
    )
    if target in CONTROL:
        assert response.status_code == 400
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/schedule/"), target


def test_kiosk_login_link_cannot_take_the_patient_off_site(login_as, make_patient):
    browser = login_as(Role.INJECTOR)
    patient = make_patient()
    started = browser.post_form(
        f"/patients/{patient.id}/self-entry", {"instrument": "saq"}
    )
    assert started.headers["Location"].endswith("/self-entry")
    for target in OFF_SITE:
        answer = browser.get("/login", query_string={"next": target})
        location = answer.headers["Location"]
        assert location.startswith("/"), target
        assert not location.startswith("//"), target
        # Wherever it lands on this site, the tablet stays on the questionnaire.
        assert browser.get(location).headers["Location"].endswith("/self-entry")
