from sqlmodel import select

from planner.models import AuditEvent
from tests.conftest import PASSWORD
from tests.conftest import Browser


def test_login_then_logout(client, make_user, session):
    user = make_user()
    browser = Browser(client)
    response = browser.login(user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200
    response = browser.post_form("/logout", {})
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 302
    actions = session.exec(select(AuditEvent.action)).all()
    assert {"login", "logout"} <= set(actions)


def test_wrong_password_gives_one_message_for_every_failure(client, make_user):
    user = make_user()
    browser = Browser(client)
    wrong = browser.login(user.email, "not the password at all")
    unknown = browser.login("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an active account" in wrong.get_data(as_text=True)
    assert "do not match an active account" in unknown.get_data(as_text=True)


def test_next_only_follows_local_paths(client, make_user):
    user = make_user()
    browser = Browser(client)
    browser.refresh_token()
    for target, expected in [
        ("/patients/new", "/patients/new"),
        ("https://evil.example/", "/patients/"),
        ("//evil.example/x", "/patients/"),
        ("/\\evil.example", "/patients/"),
    ]:
        response = client.post(
            f"/login?next={target}",
            data={
                "email": user.email,
                "password": PASSWORD,
                "csrf_token": browser.token,
            },
        )
        assert response.headers["Location"] == expected, target
        browser.post_form("/logout", {})
        browser.refresh_token()
