"""Login sessions, throttles and the kiosk's unlock (issue 18: findings 3-5, 12)."""

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import col
from sqlmodel import select

from planner import create_app
from planner.db import get_engine
from planner.models import AuditEvent
from planner.models import LoginSession
from planner.models import LoginThrottle
from planner.models import Role
from planner.services import users as user_service
from planner.services.audit import SYSTEM
from planner.services.login_throttle import ThrottleRules
from planner.services.login_throttle import delay_after
from planner.services.users import LoginAttempt
from planner.services.users import create_user
from planner.services.users import log_in
from tests.conftest import PASSWORD
from tests.conftest import PG_URL
from tests.conftest import Browser
from tests.conftest import reset_postgres
from tests.factories import make_app

OWNER = "192.0.2.10"
STRANGER = "203.0.113.66"
WRONG = "not the password at all"


def browser_at(app, address, **headers):
    """A browser whose requests come from ``address`` (and carry ``headers``)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return Browser(client)


def copy_cookie(source, target):
    """Put ``source``'s session cookie into ``target``: a stolen or copied cookie."""
    target.client.set_cookie("session", source.client.get_cookie("session").value)


def cookie_contents(app, browser):
    cookie = browser.client.get_cookie("session")
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


# --- finding 3: a session ends for good -----------------------------------------


def test_a_cookie_copied_before_logout_stops_working_at_logout(app, make_user):
    user = make_user()
    browser = browser_at(app, OWNER)
    assert browser.login(user.email).status_code == 302
    thief = browser_at(app, OWNER)
    copy_cookie(browser, thief)
    assert thief.get("/patients/").status_code == 200
    assert browser.post_form("/logout", {}).status_code == 302
    assert thief.get("/patients/").status_code == 302
    assert thief.get("/patients/").headers["Location"].startswith("/login")


def test_a_new_login_over_an_open_one_ends_the_old_one(app, make_user, session):
    # A shared desk: B logs in over A's open page. A's session stayed open on the
    # server, so a copy of A's cookie kept A's access until the idle timeout.
    first, second = make_user(), make_user(role=Role.STAFF)
    browser = browser_at(app, OWNER)
    assert browser.login(first.email).status_code == 302
    copy = browser_at(app, OWNER)
    copy_cookie(browser, copy)
    assert browser.login(second.email).status_code == 302
    assert copy.get("/patients/").status_code == 302
    assert browser.get("/schedule/").status_code == 200
    session.expire_all()
    still_open = session.exec(
        select(LoginSession.user_id).where(col(LoginSession.revoked_at).is_(None))
    ).all()
    assert still_open == [second.id]
    logout = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "logout", AuditEvent.actor_id == first.id
        )
    ).one()
    assert logout.entity_id == first.id


def test_a_replayed_cookie_does_not_outlive_the_idle_timeout(app, make_user, session):
    user = make_user()
    browser = browser_at(app, OWNER)
    browser.login(user.email)
    thief = browser_at(app, OWNER)
    copy_cookie(browser, thief)
    row = session.exec(select(LoginSession)).one()
    row.last_seen_at -= timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    session.add(row)
    session.commit()
    # Replaying it does not renew it: the server decides, not the cookie.
    assert thief.get("/patients/").status_code == 302
    assert browser.get("/patients/").status_code == 302


def test_deactivating_then_reactivating_does_not_revive_old_cookies(
    app, login_as, make_user
):
    admin = login_as(Role.ADMIN)
    user = make_user(Role.STAFF)
    browser = browser_at(app, OWNER)
    browser.login(user.email)
    shown = {
        "shown_name": user.name,
        "shown_email": user.email,
        "shown_role": "staff",
        "shown_active": "true",
    }
    admin.post_form(f"/settings/users/{user.id}/deactivate", shown)
    admin.post_form(
        f"/settings/users/{user.id}/reactivate", {**shown, "shown_active": "false"}
    )
    assert browser.get("/patients/").status_code == 302
    assert browser_at(app, OWNER).login(user.email).status_code == 302


def test_a_cookie_replayed_from_elsewhere_is_refused_whatever_x_forwarded_for_says(
    app, make_user
):
    user = make_user()
    browser = browser_at(app, OWNER)
    browser.login(user.email)
    thief = browser_at(app, STRANGER, **{"X-Forwarded-For": OWNER})
    copy_cookie(browser, thief)
    assert thief.get("/patients/").status_code == 302
    # The owner's own browser goes on working.
    assert browser.get("/patients/").status_code == 200


def test_x_forwarded_for_counts_only_through_a_trusted_proxy(app, make_user):
    user = make_user()
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.extensions["planner.engine"] = get_engine(app)
    via_proxy = browser_at(proxied, "10.0.0.1", **{"X-Forwarded-For": OWNER})
    assert via_proxy.login(user.email).status_code == 302
    opened = [row.client for row in sessions_of(app, user.id)]
    assert opened == [OWNER]
    # Without a trusted proxy the header is ignored: the socket's address counts.
    direct = browser_at(app, STRANGER, **{"X-Forwarded-For": OWNER})
    direct.login(user.email)
    assert sorted(row.client for row in sessions_of(app, user.id)) == sorted(
        [OWNER, STRANGER]
    )


def sessions_of(app, user_id):
    with Session(get_engine(app)) as session:
        return session.exec(
            select(LoginSession).where(LoginSession.user_id == user_id)
        ).all()


def test_an_admin_sees_a_logins_sessions_and_ends_them(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    user = make_user(Role.STAFF)
    tablet = browser_at(app, OWNER)
    tablet.login(user.email)
    desk = browser_at(app, "192.0.2.11")
    desk.login(user.email)
    page = admin.get(f"/settings/users/{user.id}/edit").get_data(as_text=True)
    assert OWNER in page
    assert "192.0.2.11" in page
    one = next(r for r in sessions_of(app, user.id) if r.client == OWNER)
    admin.post_form(f"/settings/users/{user.id}/sessions/{one.id}/end", {})
    assert tablet.get("/patients/").status_code == 302
    assert desk.get("/patients/").status_code == 200
    admin.post_form(f"/settings/users/{user.id}/sessions/end", {})
    assert desk.get("/patients/").status_code == 302
    reasons = {r.revoked_reason for r in sessions_of(app, user.id)}
    assert reasons == {"ended by an admin"}


def test_an_admin_cannot_end_another_logins_session_by_its_id(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    victim, other = make_user(Role.STAFF), make_user(Role.STAFF)
    browser = browser_at(app, OWNER)
    browser.login(victim.email)
    opened = sessions_of(app, victim.id)[0]
    admin.post_form(f"/settings/users/{other.id}/sessions/{opened.id}/end", {})
    assert browser.get("/patients/").status_code == 200


# --- finding 4: the same work, throttles an outsider cannot turn on the owner ----


def counting_checks(monkeypatch):
    calls = {"real": 0, "dummy": 0}
    real, dummy = user_service.verify_password, user_service.verify_dummy

    def count_real(*args):
        calls["real"] += 1
        return real(*args)

    def count_dummy(*args):
        calls["dummy"] += 1
        return dummy(*args)

    monkeypatch.setattr(user_service, "verify_password", count_real)
    monkeypatch.setattr(user_service, "verify_dummy", count_dummy)
    return calls


@pytest.mark.audit_exempt(
    "switches the login off directly: the admin pages have their own tests",
    tables=["user"],
)
def test_every_account_state_costs_one_password_check(
    app, make_user, session, monkeypatch
):
    calls = counting_checks(monkeypatch)
    inactive = make_user(Role.STAFF)
    inactive.active = False
    session.add(inactive)
    session.commit()
    for email in ("nobody@example.org", inactive.email):
        before = dict(calls)
        answer = browser_at(app, OWNER).login(email, PASSWORD)
        assert answer.status_code == 401
        spent = calls["real"] - before["real"] + calls["dummy"] - before["dummy"]
        assert spent == 1, email


def test_a_stranger_failing_again_and_again_cannot_keep_the_owner_out(app, make_user):
    user = make_user()
    stranger = browser_at(app, STRANGER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        stranger.login(user.email, WRONG)
    waiting = stranger.login(user.email, PASSWORD)
    assert waiting.status_code == 429
    assert int(waiting.headers["Retry-After"]) >= 1
    assert "try again in" in waiting.get_data(as_text=True)
    assert browser_at(app, OWNER).login(user.email).status_code == 302


def test_one_client_guessing_many_logins_is_slowed_down(app, make_user):
    app.config["LOGIN_CLIENT_FAILURES"] = 5
    user = make_user()
    stranger = browser_at(app, STRANGER)
    for number in range(5):
        assert stranger.login(f"guess{number}@example.org", WRONG).status_code == 401
    # A sixth login, never tried from here, must wait too.
    assert stranger.login(user.email, PASSWORD).status_code == 429
    assert browser_at(app, OWNER).login(user.email).status_code == 302


def test_many_places_guessing_one_login_slow_down_new_places_but_not_the_owner(
    app, make_user
):
    app.config["LOGIN_ACCOUNT_FAILURES"] = 4
    user = make_user()
    owner = browser_at(app, OWNER)
    owner.login(user.email)
    owner.post_form("/logout", {})
    for number in range(4):
        assert browser_at(app, f"198.51.100.{number}").login(user.email, WRONG)
    assert browser_at(app, "198.51.100.99").login(user.email).status_code == 429
    # The owner has logged in from here before: not held up.
    assert browser_at(app, OWNER).login(user.email).status_code == 302


def test_unknown_emails_are_throttled_like_real_ones(app, make_user):
    user = make_user()
    statuses = {}
    for email in (user.email, "nobody@example.org"):
        stranger = browser_at(app, STRANGER)
        answers = [
            stranger.login(email, WRONG).status_code
            for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)
        ]
        statuses[email] = answers
        app.config["LOGIN_CLIENT_FAILURES"] = 100  # keep the client scope out of it
    assert statuses[user.email] == statuses["nobody@example.org"]
    assert statuses[user.email][-1] == 429


def test_the_delay_doubles_and_is_capped():
    longest = timedelta(minutes=15)
    assert [delay_after(n, 3, longest).total_seconds() for n in range(7)] == [
        0,
        0,
        0,
        1,
        2,
        4,
        8,
    ]
    assert delay_after(60, 3, longest) == longest


RULES = ThrottleRules(
    pair_free=100, client_free=100, account_free=100, longest=timedelta(minutes=15)
)


@pytest.fixture
def shared_engine(db_url, tmp_path):
    """A database on disk that several app instances (workers) share."""
    url = f"sqlite:///{tmp_path / 'shared.db'}" if db_url == "sqlite://" else db_url
    apps = []

    def worker():
        app = make_app(url, secret_key="test", check_schema=False)
        apps.append(app)
        return app

    first = worker()
    engine = get_engine(first)
    if url == PG_URL:
        reset_postgres(engine)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        create_user(
            session,
            SYSTEM,
            email="shared@example.org",
            name="Shared Login",
            role="staff",
            password=PASSWORD,
        )
    yield first, worker
    for app in apps:
        get_engine(app).dispose()


def failures_counted(engine, scope="pair"):
    with Session(engine) as session:
        return session.exec(
            select(func.coalesce(func.sum(LoginThrottle.failures), 0)).where(
                LoginThrottle.scope == scope
            )
        ).one()


def test_workers_share_one_count(shared_engine):
    first, worker = shared_engine
    second = worker()
    for app in (first, second, first, second, first):
        app.config["LOGIN_MAX_FAILURES"] = 3
        answer = browser_at(app, STRANGER).login("shared@example.org", WRONG)
        assert answer.status_code in (401, 429)
    assert failures_counted(get_engine(first)) == 3
    # The fourth and fifth waited: whichever worker they reached knew of the three.
    assert browser_at(second, STRANGER).login("shared@example.org").status_code == 429


def test_concurrent_failures_are_all_counted(shared_engine):
    first, _ = shared_engine
    engine = get_engine(first)
    start = threading.Barrier(15)
    errors = []

    def guess():
        try:
            start.wait()
            with Session(engine) as session:
                log_in(
                    session,
                    LoginAttempt(
                        "shared@example.org", WRONG, STRANGER, "x", datetime.now(UTC)
                    ),
                    RULES,
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert failures_counted(engine, "pair") == 15
    assert failures_counted(engine, "account") == 15


# --- finding 5: the kiosk's unlock ------------------------------------------------


def start_kiosk(browser, patient_id):
    started = browser.post_form(
        f"/patients/{patient_id}/self-entry", {"instrument": "saq"}
    )
    assert started.headers["Location"].endswith("/self-entry")


def test_the_kiosk_unlock_is_throttled_and_audited(app, make_user, make_patient):
    user = make_user(Role.INJECTOR)
    patient = make_patient()
    tablet = browser_at(app, OWNER)
    tablet.login(user.email)
    start_kiosk(tablet, patient.id)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        wrong = tablet.post_form("/self-entry/exit", {"password": WRONG})
        assert wrong.headers["Location"].endswith("error=password")
    # Now even the right password waits, unchecked.
    waiting = tablet.post_form("/self-entry/exit", {"password": PASSWORD})
    assert waiting.headers["Location"].endswith("error=wait")
    assert "please wait" in tablet.get("/self-entry?error=wait").get_data(as_text=True)
    assert tablet.get("/patients/").headers["Location"].endswith("/self-entry")
    with Session(get_engine(app)) as session:
        trail = session.exec(
            select(AuditEvent).where(AuditEvent.action == "login_failed")
        ).all()
    assert [e.after for e in trail] == [
        {"at": "kiosk unlock", "reason": "password"}
    ] * app.config["LOGIN_MAX_FAILURES"] + [
        {"at": "kiosk unlock", "reason": "throttled"}
    ]
    assert {e.actor_id for e in trail} == {user.id}


# --- finding 12: no patient data in the cookie ------------------------------------


def test_the_kiosk_keeps_the_patients_answers_off_the_cookie(
    app, make_user, make_patient
):
    user = make_user(Role.INJECTOR)
    patient = make_patient(given_name="Zebedee")
    tablet = browser_at(app, OWNER)
    tablet.login(user.email)
    start_kiosk(tablet, patient.id)
    tablet.post_form("/self-entry", {"answer": "4"})
    assert "Question 2 of 9" in tablet.get("/self-entry").get_data(as_text=True)
    contents = cookie_contents(app, tablet)
    assert "self_entry" not in contents
    assert "Zebedee" not in repr(contents)
    # Flask-Login's own keys (the session token, freshness, its client hash).
    assert set(contents) <= {"_user_id", "_fresh", "_id", "csrf_token", "_flashes"}


def test_a_registered_patients_name_is_not_flashed_into_the_cookie(app, login_as):
    browser = login_as(Role.STAFF)
    created = browser.post_form(
        "/patients/",
        {
            "mrn": "COOKIE1",
            "given_name": "Zebedee",
            "family_name": "Cookiejar",
            "date_of_birth": "1970-01-01",
            "sex": "female",
            "cause": "bells",
            "affected_side": "left",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    contents = repr(cookie_contents(app, browser))
    assert "Zebedee" not in contents
    assert "Cookiejar" not in contents
