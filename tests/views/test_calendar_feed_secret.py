"""A calendar feed's token is kept only as its SHA-256, like every bearer token.

The token is shown once, in the message after "Get my calendar feed address";
a copy of the database must open no feed (review S7). Everything that ended a
feed before still ends it, and the read audit still names the clinician.
"""

import hashlib
import re
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import SYSTEM
from planner.services.calendar_files import renew_feed_token
from planner.services.read_audit import feed_owner
from tests.browser_steps import login_form
from tests.browser_steps import login_shown
from tests.conftest import Browser
from tests.factories import make_appointment

pytestmark = [
    # The lookups are SQL: they run on PostgreSQL too.
    pytest.mark.pg,
    # The audit guard (tests/audit_guard.py) still checks every other table here.
    pytest.mark.audit_exempt(
        "stores a booked appointment directly", tables=["appointment"]
    ),
]

NEW = "a brand new passphrase"
ADDRESS = re.compile(r"http://localhost/calendar/([A-Za-z0-9_-]+)\.ics")


def tables_holding(session, secret: str) -> list[str]:
    """Name every table with a row in which ``secret`` appears, in any column."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        rows = session.connection().execute(text(f'SELECT * FROM "{table.name}"'))
        if any(secret in str(value) for row in rows for value in row):
            found.append(table.name)
    return found


def feed_status(client, token: str) -> int:
    return client.get(f"/calendar/{token}.ics").status_code


def get_feed_address(browser) -> str:
    """Press "Get my calendar feed address" and read the token off the message."""
    assert browser.post_form("/schedule/feed", {}).status_code == 302
    page = browser.get("/schedule/week").get_data(as_text=True)
    (token,) = ADDRESS.findall(page)
    shown = "Your calendar feed address (keep it private): http://localhost/calendar/"
    assert f"{shown}{token}.ics" in page
    return token


@pytest.fixture
def injector(app, make_user):
    user = make_user(Role.INJECTOR, name="Dr Hashed")
    browser = Browser(app.test_client())
    assert browser.login(user.email).status_code == 302
    return user, browser


def test_the_database_keeps_only_the_tokens_digest(injector, session):
    user, browser = injector
    token = get_feed_address(browser)
    assert tables_holding(session, token) == []
    (stored,) = session.connection().execute(
        text('SELECT * FROM "user" WHERE id = :id'), {"id": user.id}
    )
    assert hashlib.sha256(token.encode()).hexdigest() in [str(v) for v in stored]
    # The address is shown once: the week page does not show it again.
    assert token not in browser.get("/schedule/week").get_data(as_text=True)


def test_a_renewed_token_serves_the_feed_and_the_old_one_stops(
    injector, session, client, make_patient
):
    user, browser = injector
    patient = make_patient(given_name="Ada", family_name="Byron", mrn="FEED-1")
    make_appointment(
        session,
        patient.id,
        datetime(2099, 3, 2, 10, 0, tzinfo=UTC),
        clinician_id=user.id,
    )
    old = get_feed_address(browser)
    assert feed_status(client, old) == 200
    new = get_feed_address(browser)
    assert new != old
    response = client.get(f"/calendar/{new}.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "A.B. MRN FEED-1" in body
    assert "Dr Hashed" in body
    assert feed_status(client, old) == 404
    assert tables_holding(session, old) == []
    assert tables_holding(session, new) == []


def test_the_read_audit_names_the_clinician_who_holds_the_token(
    injector, session, client
):
    user, browser = injector
    token = get_feed_address(browser)
    assert feed_owner(session, token).user_id == user.id
    assert feed_owner(session, token).email == user.email
    assert feed_owner(session, token[:-1]) is None
    assert feed_owner(session, hashlib.sha256(token.encode()).hexdigest()) is None
    assert feed_status(client, token) == 200
    (read,) = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.entity_type == "calendar_feed",
        )
    ).all()
    assert (read.actor_id, read.actor_email) == (user.id, user.email)


def test_the_stored_digest_is_not_a_key(injector, session, client):
    # Whoever copies the database gets the digest: it opens nothing.
    user, browser = injector
    token = get_feed_address(browser)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert feed_status(client, digest) == 404
    assert feed_status(client, token) == 200


def test_revoking_ends_the_feed(injector, session, client):
    user, browser = injector
    token = get_feed_address(browser)
    assert browser.post_form("/schedule/feed/revoke", {}).status_code == 302
    assert feed_status(client, token) == 404
    assert feed_owner(session, token) is None


def test_an_admins_revoke_ends_the_feed(injector, login_as, session, client):
    user, browser = injector
    token = get_feed_address(browser)
    admin = login_as(Role.ADMIN)
    edit = f"/settings/users/{user.id}/edit"
    assert "Revoke calendar feed" in admin.get(edit).get_data(as_text=True)
    admin.post_form(f"/settings/users/{user.id}/feed/revoke", {})
    assert feed_status(client, token) == 404
    assert "Revoke calendar feed" not in admin.get(edit).get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("deactivate", lambda user: login_shown(user)),
        ("", lambda user: login_form(user, role="staff")),
        ("password", lambda _: {"password": NEW, "password_confirm": NEW}),
    ],
    ids=["deactivated", "no longer an injector", "password reset"],
)
def test_what_ends_a_login_ends_its_feed(
    injector, login_as, session, client, path, form
):
    user, browser = injector
    token = get_feed_address(browser)
    admin = login_as(Role.ADMIN)
    url = f"/settings/users/{user.id}" + (f"/{path}" if path else "")
    assert admin.post_form(url, form(user)).status_code == 302
    assert feed_status(client, token) == 404
    assert feed_owner(session, token) is None
    revoked = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id
        )
    ).all()
    assert revoked[-1].after["feed_token"] == "revoked"


def test_a_service_renewal_also_stores_no_token(make_user, session, client):
    user = make_user(Role.INJECTOR)
    token = renew_feed_token(session, SYSTEM, user.id)
    assert feed_status(client, token) == 200
    assert tables_holding(session, token) == []
