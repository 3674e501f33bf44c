from planner.models import Role


def test_logged_in_user_sees_patient_list(login_as, make_patient):
    make_patient(given_name="Grace", family_name="Hopper")
    browser = login_as(Role.STAFF)
    page = browser.get("/patients/").get_data(as_text=True)
    assert "Hopper, Grace" in page


def test_method_not_allowed_names_the_allowed_methods(login_as):
    """A 405 carries the Allow header RFC 9110 requires, on pages and the API."""
    browser = login_as(Role.INJECTOR)
    for path in ("/api/v1/me", "/patients/new"):
        response = browser.api("TRACE", path)
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
