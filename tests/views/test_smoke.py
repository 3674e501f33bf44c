from planner.models import Role


def test_logged_in_user_sees_patient_list(login_as, make_patient):
    make_patient(given_name="Grace", family_name="Hopper")
    browser = login_as(Role.STAFF)
    page = browser.get("/patients/").get_data(as_text=True)
    assert "Hopper, Grace" in page
