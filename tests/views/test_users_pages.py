"""The admin's user pages: listing, creating, editing, deactivating, resetting."""

import re

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import Role
from planner.models import User
from planner.passwords import verify_password
from planner.services.audit import SYSTEM
from planner.services.calendar_files import renew_feed_token
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import login_form
from tests.browser_steps import login_shown
from tests.browser_steps import open_draft
from tests.conftest import PASSWORD
from tests.conftest import Browser
from tests.conftest import assert_shows
from tests.factories import tap_at
from tests.services.test_user_admin import CREATE

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@example.org")


@pytest.fixture
def admin(app, admin_user):
    browser = Browser(app.test_client())
    assert browser.login(admin_user.email).status_code == 302
    return browser


def logged_in(app, user):
    browser = Browser(app.test_client())
    assert browser.login(user.email).status_code == 302
    return browser


def reload(session, user_id):
    session.expire_all()
    return session.get(User, user_id)


def text(response):
    return response.get_data(as_text=True)


# --- the list ---


def test_list_shows_each_login_with_its_state(admin, admin_user, make_user):
    make_user(Role.INJECTOR, name="Ivy Injector")
    quiet = make_user(Role.STAFF, name="Sam Staff")
    admin.post_form(f"/settings/users/{quiet.id}/deactivate", login_shown(quiet))
    page = text(admin.get("/settings/users/"))
    assert "<caption>Logins (3)</caption>" in page
    for name in ("Ada Admin", "Ivy Injector", "Sam Staff"):
        assert name in page
    row = page[page.index(f'id="login-{quiet.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Inactive" in row
    assert "Never" in row
    assert 'Reactivate<span class="visually-hidden"> Sam Staff</span>' in row
    mine = page[page.index(f'id="login-{admin_user.id}"') :]
    mine = mine[: mine.index("</tr>")]
    assert "(you)" in mine
    assert "Deactivate" not in mine  # no button to lock yourself out
    assert "argon2" not in page


@pytest.mark.parametrize("role", [Role.INJECTOR, Role.STAFF])
def test_only_admins_reach_the_user_pages(login_as, make_user, role):
    other = make_user(Role.STAFF)
    browser = login_as(role)
    assert browser.get("/settings/users/").status_code == 403
    assert browser.get(f"/settings/users/{other.id}/edit").status_code == 403
    response = browser.post_form(
        f"/settings/users/{other.id}/deactivate", login_shown(other)
    )
    assert response.status_code == 403


def test_settings_page_links_to_the_users_page(admin):
    assert 'href="/settings/users/"' in text(admin.get("/settings/"))


def test_names_are_shown_as_text(admin, make_user):
    make_user(Role.STAFF, name="<script>alert(1)</script>")
    page = text(admin.get("/settings/users/"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- creating ---


def test_create_a_login_that_can_then_log_in(app, admin, session):
    form = text(admin.get("/settings/users/new"))
    assert '<label for="password_confirm">' in form
    response = admin.post_form("/settings/users/", CREATE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/users/")
    listed = text(admin.get("/settings/users/"))
    assert "Login created for Jane Doe." in listed
    assert "jane.doe@example.org" in listed
    created = session.exec(select(User).where(User.name == "Jane Doe")).one()
    assert created.role == Role.STAFF
    assert Browser(app.test_client()).login("jane.doe@example.org").status_code == 302


def test_create_shows_each_bad_field_and_keeps_what_was_typed(admin, session):
    response = admin.post_form(
        "/settings/users/",
        {
            **CREATE,
            "email": "not-an-email",
            "password": "tooshort",
            "password_confirm": "tooshort",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert_shows(
        page,
        "Please correct 2 fields",
        'id="email-error"',
        'id="password-error"',
        "at least 12 characters",
        'value="Jane Doe"',
        'value="not-an-email"',
    )
    assert "tooshort" not in page  # a password is never echoed back
    assert session.exec(select(User).where(User.name == "Jane Doe")).first() is None


def test_create_refuses_a_taken_email_whatever_its_case(admin):
    response = admin.post_form(
        "/settings/users/", {**CREATE, "email": "ADA@example.org"}
    )
    assert response.status_code == 400
    assert "Email is already used by another login" in text(response)


# --- editing ---


def test_edit_form_carries_the_shown_values_and_saves(admin, make_user, session):
    user = make_user(Role.STAFF, name="Jo Bloggs", email="jo@example.org")
    form = text(admin.get(f"/settings/users/{user.id}/edit"))
    assert_shows(
        form,
        'name="shown_name" value="Jo Bloggs"',
        'name="shown_email" value="jo@example.org"',
        'name="shown_role" value="staff"',
        'name="shown_active" value="true"',
        "Save changes to Jo Bloggs",
        "Set new password for Jo Bloggs",
    )
    response = admin.post_form(
        f"/settings/users/{user.id}", login_form(user, name="Jo Smith", role="injector")
    )
    assert response.status_code == 302
    saved = reload(session, user.id)
    assert (saved.name, saved.role) == ("Jo Smith", Role.INJECTOR)
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.after == {"name": "Jo Smith", "role": "injector"}
    assert event.before == {"name": "Jo Bloggs", "role": "staff"}


def test_stale_edit_is_409_with_the_current_state(admin, make_user, session):
    user = make_user(Role.STAFF, name="Jo Bloggs")
    first = login_form(user, name="Edit One")
    second = login_form(user, name="Edit Two")
    assert admin.post_form(f"/settings/users/{user.id}", first).status_code == 302
    response = admin.post_form(f"/settings/users/{user.id}", second)
    page = text(response)
    assert response.status_code == 409
    assert_shows(
        page,
        "Someone else changed this login",
        "How this login is now",
        "<dd>Edit One</dd>",
    )
    # The edit is kept, now against the current values, so saving again applies it.
    assert 'name="name" type="text" value="Edit Two"' in page
    assert 'name="shown_name" value="Edit One"' in page
    assert reload(session, user.id).name == "Edit One"
    again = admin.post_form(
        f"/settings/users/{user.id}", {**second, "shown_name": "Edit One"}
    )
    assert again.status_code == 302
    assert reload(session, user.id).name == "Edit Two"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"active": None}, "active"), ({"role": "staff"}, "role")],
    ids=["deactivate", "demote"],
)
def test_an_admin_cannot_lock_themselves_out(
    admin, admin_user, make_user, session, changes, field
):
    make_user(Role.ADMIN)
    response = admin.post_form(
        f"/settings/users/{admin_user.id}", login_form(admin_user, **changes)
    )
    page = text(response)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert "another admin must do it" in page
    saved = reload(session, admin_user.id)
    assert (saved.role, saved.active) == (Role.ADMIN, True)


def test_self_deactivation_from_the_list_is_refused(admin, admin_user, session):
    response = admin.post_form(
        f"/settings/users/{admin_user.id}/deactivate", login_shown(admin_user)
    )
    assert response.status_code == 400
    assert "cannot deactivate their own login" in text(response)
    assert reload(session, admin_user.id).active is True


def test_edit_shows_bad_fields_by_name(admin, make_user):
    user = make_user(Role.STAFF)
    response = admin.post_form(
        f"/settings/users/{user.id}", login_form(user, email="nope", role="surgeon")
    )
    page = text(response)
    assert response.status_code == 400
    assert 'id="email-error"' in page
    assert 'id="role-error"' in page


def test_tampered_hidden_fields_are_named(admin, make_user):
    user = make_user(Role.STAFF)
    response = admin.post_form(
        f"/settings/users/{user.id}/deactivate",
        {**login_shown(user), "shown_active": "maybe"},
    )
    assert response.status_code == 400
    assert "shown_active" in text(response)


def test_stale_deactivation_is_409(admin, make_user, session):
    user = make_user(Role.STAFF, name="Sam Staff")
    before_rename = login_shown(user)
    admin.post_form(f"/settings/users/{user.id}", login_form(user, name="Sam Renamed"))
    response = admin.post_form(f"/settings/users/{user.id}/deactivate", before_rename)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this login" in page
    assert "Sam Renamed" in page
    assert reload(session, user.id).active is True


@pytest.mark.parametrize(
    "path", ["/settings/users/424242/edit", "/settings/users/99999999999999999/edit"]
)
def test_missing_login_is_404(admin, path):
    assert admin.get(path).status_code == 404


def test_missing_login_is_404_on_every_action(admin, admin_user):
    forms = {
        "": login_form(admin_user),
        "/deactivate": login_shown(admin_user),
        "/reactivate": login_shown(admin_user),
        "/password": {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        "/unlock": {},
    }
    for action, form in forms.items():
        response = admin.post_form(f"/settings/users/424242{action}", form)
        assert response.status_code == 404, action


# --- access follows the change at the next request ---


def test_deactivation_logs_the_user_out_at_their_next_request(app, admin, make_user):
    user = make_user(Role.STAFF)
    victim = logged_in(app, user)
    assert victim.get("/patients/").status_code == 200
    response = admin.post_form(
        f"/settings/users/{user.id}/deactivate", login_shown(user)
    )
    assert response.status_code == 302
    page = victim.get("/patients/")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]
    assert victim.api("GET", "/api/v1/me").status_code == 401
    # And they cannot log back in.
    assert Browser(app.test_client()).login(user.email).status_code != 302


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(
    app, admin, make_user
):
    user = make_user(Role.STAFF)
    bystander = logged_in(app, make_user(Role.STAFF))
    old = logged_in(app, user)
    assert old.get("/patients/").status_code == 200
    response = admin.post_form(
        f"/settings/users/{user.id}/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    page = old.get("/patients/")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]
    assert old.api("GET", "/api/v1/me").status_code == 401
    # Only that login's sessions end: the admin and everyone else carry on.
    assert bystander.get("/patients/").status_code == 200
    assert admin.get("/settings/users/").status_code == 200
    fresh = Browser(app.test_client())
    assert fresh.login(user.email, NEW_PASSWORD).status_code == 302
    assert fresh.get("/patients/").status_code == 200


def test_reactivation_lets_the_user_back_in(app, admin, make_user, session):
    user = make_user(Role.STAFF)
    admin.post_form(f"/settings/users/{user.id}/deactivate", login_shown(user))
    user = reload(session, user.id)
    response = admin.post_form(
        f"/settings/users/{user.id}/reactivate", login_shown(user)
    )
    assert response.status_code == 302
    assert logged_in(app, user).get("/patients/").status_code == 200


def test_a_role_change_logs_the_login_out_and_the_next_login_has_the_new_role(
    app, admin, make_user, make_patient, session
):
    patient = make_patient()
    user = make_user(Role.STAFF)
    clinician = logged_in(app, user)
    new_chart = f"/patients/{patient.id}/sessions/new"
    assert clinician.get(new_chart).status_code == 403
    admin.post_form(f"/settings/users/{user.id}", login_form(user, role="injector"))
    # The session opened as staff ends with the role it was opened under.
    assert clinician.get(new_chart).headers["Location"].startswith("/login")
    clinician = logged_in(app, user)
    assert clinician.get(new_chart).status_code == 200
    open_draft(clinician, patient.id)


def test_injector_demoted_to_staff_cannot_chart_at_once(
    app, admin, make_user, make_patient
):
    patient = make_patient(affected_side="right")
    user = make_user(Role.INJECTOR)
    clinician = logged_in(app, user)
    session_id = open_draft(clinician, patient.id)
    sites = f"/api/v1/sessions/{session_id}/sites"
    tap = {**tap_at("mentalis", "right"), "version": 1}
    admin.post_form(f"/settings/users/{user.id}", login_form(user, role="staff"))
    assert clinician.api("POST", sites, tap).status_code == 401
    clinician = logged_in(app, user)
    assert clinician.api("POST", sites, tap).status_code == 403
    assert (
        clinician.post_form(f"/patients/{patient.id}/sessions", VIAL_FORM).status_code
        == 403
    )
    # Reading the chart is still open to staff.
    assert clinician.api("GET", f"/api/v1/sessions/{session_id}").status_code == 200


# --- passwords and lockouts ---


def lock_out(app, user):
    """Fail to log in as ``user`` from a stranger's place until it must wait."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    stranger = Browser(client)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        stranger.login(user.email, "wrong password!!")


def test_failed_logins_are_shown_and_can_be_cleared(app, admin, make_user, session):
    user = make_user(Role.STAFF, name="Lou Locked")
    lock_out(app, user)
    page = text(admin.get("/settings/users/"))
    row = page[page.index(f'id="login-{user.id}"') :]
    row = row[: row.index("</tr>")]
    assert f"{app.config['LOGIN_MAX_FAILURES']} in the last hour" in row
    assert "Clear failed logins" in row
    edit = text(admin.get(f"/settings/users/{user.id}/edit"))
    assert "Clear the failed logins of Lou Locked" in edit
    # The stranger's place waits; the owner's own place does not.
    assert Browser(app.test_client()).login(user.email).status_code == 302
    lock_out(app, user)
    response = admin.post_form(f"/settings/users/{user.id}/unlock", {})
    assert response.status_code == 302
    page = text(admin.get("/settings/users/"))
    row = page[page.index(f'id="login-{user.id}"') :]
    assert "None" in row[: row.index("</tr>")]


def test_reset_password_ends_sessions_and_feed_and_never_shows_the_hash(
    app, admin, make_user, session
):
    user = make_user(Role.INJECTOR)
    before = logged_in(app, user)
    feed = f"/calendar/{renew_feed_token(session, SYSTEM, user.id)}.ics"
    assert app.test_client().get(feed).status_code == 200
    lock_out(app, user)
    response = admin.post_form(
        f"/settings/users/{user.id}/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    saved = reload(session, user.id)
    assert verify_password(saved.password_hash, NEW_PASSWORD)
    assert saved.feed_token_hash is None
    assert app.test_client().get(feed).status_code == 404
    assert before.get("/patients/").status_code == 302
    assert logged_in_with(app, user.email, NEW_PASSWORD)
    trail = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "user"))
    assert all("argon2" not in repr((e.before, e.after)) for e in trail)
    page = text(admin.get(f"/settings/users/{user.id}/edit"))
    assert saved.password_hash not in page
    assert "argon2" not in page


def logged_in_with(app, email, password):
    return Browser(app.test_client()).login(email, password).status_code == 302


def test_reset_password_shows_the_rule_it_breaks(admin, make_user, session):
    user = make_user(Role.STAFF)
    response = admin.post_form(
        f"/settings/users/{user.id}/password",
        {"password": "short", "password_confirm": "shorter"},
    )
    page = text(response)
    assert response.status_code == 400
    assert 'id="password-error"' in page
    assert "New password must be at least 12 characters" in page
    assert not re.search(r'value="short(er)?"', page)
    mismatch = admin.post_form(
        f"/settings/users/{user.id}/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"},
    )
    assert mismatch.status_code == 400
    assert "does not match the new password" in text(mismatch)
    assert verify_password(reload(session, user.id).password_hash, PASSWORD)
