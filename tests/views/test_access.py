"""Every route is closed to anonymous users and to requests without CSRF tokens."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel import update

from planner import create_app
from planner.access import roles_required
from planner.models import LoginSession
from planner.models import Role

PUBLIC = {
    "auth.login",
    "health.healthz",
    "static",
    "schedule.feed",
    "diary.home",
    "diary.step",
    "auth.time_left",
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def concrete_path(rule):
    """Fill a rule's URL variables with plausible values."""
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule).replace("<path:filename>", "x")


def all_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_needs_a_login_except_the_public_ones(app, client):
    checked = 0
    for rule, method in all_routes(app):
        if rule.endpoint in PUBLIC:
            continue
        with client.open(concrete_path(rule), method=method) as response:
            checked += 1
            status = response.status_code
            if rule.rule.startswith("/api/"):
                assert status == 401, (rule.rule, method)
                assert response.json == {"error": "Log in first."}
            elif method == "GET":
                assert status == 302, (rule.rule, method)
                assert response.headers["Location"].startswith("/login")
            else:
                # Without a login, a state-changing request fails either check.
                assert status in (302, 400, 401), (rule.rule, method)
    assert checked >= 10


def test_public_routes_answer_without_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    with client.get("/static/css/app.css") as static:
        assert static.status_code == 200


def test_every_state_changing_route_refuses_a_missing_csrf_token(app, login_as):
    browser = login_as(Role.ADMIN)
    checked = 0
    for rule, method in all_routes(app):
        if method not in STATE_CHANGING:
            continue
        path = concrete_path(rule)
        if rule.rule.startswith("/api/"):
            response = browser.client.open(path, method=method, json={})
        else:
            response = browser.client.open(path, method=method, data={})
        checked += 1
        assert response.status_code == 400, (rule.rule, method, response.status_code)
        assert "csrf" in response.get_data(as_text=True).lower(), (rule.rule, method)
    assert checked >= 4


def test_login_form_itself_needs_the_csrf_token(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "x" * 20})
    assert response.status_code == 400


@pytest.mark.own_app
def test_roles_required_allows_listed_roles_only(app, login_as):
    @roles_required(Role.ADMIN)
    def admin_only():
        return "secret"

    app.add_url_rule("/admin-only-test", view_func=admin_only)
    assert login_as(Role.ADMIN).get("/admin-only-test").status_code == 200
    assert login_as(Role.STAFF).get("/admin-only-test").status_code == 403
    assert admin_only._planner_roles == frozenset({Role.ADMIN})


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_style_in_pages(login_as, make_patient):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    for path in [
        "/patients/",
        "/patients/new",
        f"/patients/{patient.id}",
        f"/patients/{patient.id}/edit",
    ]:
        page = browser.get(path).get_data(as_text=True)
        for forbidden in ("<script>", " style=", "onclick"):
            assert forbidden not in page, (path, forbidden)


def test_session_cookie_flags(client, make_user):
    user = make_user()
    from tests.conftest import Browser

    browser = Browser(client)
    response = browser.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _login_page_cookie(app, **request: object) -> str:
    """GET /login (which puts a CSRF token in the session) and return its cookie."""
    response = app.test_client().get("/login", **request)
    assert response.status_code == 200
    return response.headers["Set-Cookie"]


def test_session_cookie_is_secure_exactly_when_the_request_came_by_tls(app):
    assert "Secure" not in _login_page_cookie(app)
    assert "Secure" in _login_page_cookie(app, base_url="https://localhost")
    # Without a trusted proxy, a client cannot claim TLS with a header.
    spoofed = {"X-Forwarded-Proto": "https"}
    assert "Secure" not in _login_page_cookie(app, headers=spoofed)


def test_a_trusted_proxy_reporting_tls_gets_a_secure_cookie():
    # The login page reads no table, so an empty in-memory database will do, once
    # the schema gate (which would answer 503 for a database never migrated) is off.
    config = {
        "DATABASE_URL": "sqlite://",
        "SECRET_KEY": "test",
        "TESTING": True,
        "CHECK_SCHEMA": False,
    }
    proxied = create_app({**config, "TRUSTED_PROXIES": 1})
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"}
    assert "Secure" in _login_page_cookie(proxied, headers=forwarded)
    assert "Secure" not in _login_page_cookie(proxied)
    forced = create_app({**config, "SESSION_COOKIE_SECURE": True})
    assert "Secure" in _login_page_cookie(forced)


def test_idle_session_times_out(app, login_as, session):
    browser = login_as(Role.STAFF)
    idle = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"], seconds=1)
    opened = session.exec(select(LoginSession)).one()
    # The server keeps "last seen"; the cookie has no say in it any more.
    session.exec(update(LoginSession).values(last_seen_at=opened.last_seen_at - idle))
    session.commit()
    response = browser.get("/patients/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert browser.get("/patients/").status_code == 302
    session.refresh(opened)
    assert opened.revoked_reason == "idle"


def test_a_nul_in_a_text_segment_of_a_url_matches_no_route(client, login_as):
    """PostgreSQL cannot compare text holding NUL: such a lookup must be a 404."""
    assert client.get("/calendar/ab%00cd.ics").status_code == 404
    admin = login_as(Role.ADMIN)
    assert admin.get("/exports/si%00tes.csv").status_code == 404
    assert admin.get("/exports/sites.csv").status_code == 200


def test_asking_the_time_left_does_not_keep_an_idle_login_open(app, login_as, session):
    browser = login_as(Role.STAFF)
    idle = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"])
    opened = session.exec(select(LoginSession)).one()
    quiet = idle - timedelta(seconds=90)
    session.exec(update(LoginSession).values(last_seen_at=opened.last_seen_at - quiet))
    session.commit()
    for _ in range(2):
        left = browser.get("/session/time-left").json["seconds_left"]
        assert 85 <= left <= 91
    session.refresh(opened)
    assert opened.revoked_at is None


def test_stay_signed_in_starts_the_idle_spell_again(app, login_as, session):
    browser = login_as(Role.INJECTOR)
    idle = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"])
    opened = session.exec(select(LoginSession)).one()
    # Under the 30 s a request may go without writing "last seen" itself.
    session.exec(
        update(LoginSession).values(
            last_seen_at=opened.last_seen_at - timedelta(seconds=20)
        )
    )
    session.commit()
    response = browser.api("POST", "/session/extend")
    assert response.status_code == 200
    assert response.json == {"seconds_left": int(idle.total_seconds())}
    assert browser.get("/session/time-left").json["seconds_left"] >= idle.seconds - 2


def test_time_left_is_nothing_without_a_login(client):
    assert client.get("/session/time-left").json == {"seconds_left": 0}


def test_stay_signed_in_needs_a_login_and_the_csrf_token(client, login_as):
    assert client.post("/session/extend").status_code in (302, 400)
    browser = login_as(Role.STAFF)
    assert browser.client.post("/session/extend").status_code == 400
