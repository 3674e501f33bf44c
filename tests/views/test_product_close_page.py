"""Each product's re-treatment close is set on the settings page, as a clinic setting.

Every product ships unset (blank: the clinic-wide close); a value is bounded as
the clinic-wide close is (12 to 30 weeks) and may not come before the product's
window opens; a refusal names the setting and the reason, never a 500.
"""

import pytest

from planner.models import ClinicSetting
from planner.models import Role
from tests.conftest import assert_shows
from tests.views.test_clinic_interval_setting_page import row_of

KEY = "retreat_window_end_weeks.dysport"
ROW_ID = 'id="setting-retreat_window_end_weeks-dysport"'
LABEL = "Dysport: re-treatment window closes, weeks (blank: the clinic-wide close)"


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def stored(session):
    session.expire_all()
    return session.get(ClinicSetting, KEY)


def test_each_product_shows_an_unset_close_labelled_as_a_clinic_setting(admin):
    page = admin.get("/settings/").get_data(as_text=True)
    row = row_of(page, ROW_ID)
    assert_shows(
        row,
        LABEL,
        "12 to 30 weeks; blank: the clinic-wide value",
        'value=""',
        "Clinic setting — not a sourced fact",
    )
    daxxify = row_of(page, 'id="setting-retreat_window_end_weeks-daxxify"')
    assert "marketing copy says about 6 months" in daxxify
    for code in ("botox", "xeomin", "jeuveau", "letybo"):
        assert f'id="setting-retreat_window_end_weeks-{code}"' in page


def test_a_good_value_is_saved_and_a_blank_unsets_it(admin, session):
    response = admin.post_form(f"/settings/{KEY}", {"value": "20", "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "/settings/#setting-retreat_window_end_weeks-dysport"
    )
    saved = stored(session)
    assert (saved.value, saved.version, saved.unsourced) == (20, 2, True)
    assert 'value="20"' in row_of(
        admin.get("/settings/").get_data(as_text=True), ROW_ID
    )
    cleared = admin.post_form(f"/settings/{KEY}", {"value": " ", "version": "2"})
    assert cleared.status_code == 302
    assert stored(session).value is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31", "must be between 12 and 30 weeks"),
        ("11", "must be between 12 and 30 weeks"),
        ("20.5", "must be a whole number"),
        ("five months", "must be a number"),
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_the_field(
    admin, session, typed, message
):
    response = admin.post_form(f"/settings/{KEY}", {"value": typed, "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_shows(
        page,
        'id="setting-retreat_window_end_weeks-dysport-value-error"',
        'href="#setting-retreat_window_end_weeks-dysport-value"',
        f"{LABEL}: value {message}",
    )
    assert stored(session).version == 1


def test_a_close_before_the_products_window_opens_is_refused(admin, session):
    opened = admin.post_form(
        "/settings/min_interval_days.dysport", {"value": "100", "version": "1"}
    )
    assert opened.status_code == 302
    response = admin.post_form(f"/settings/{KEY}", {"value": "14", "version": "1"})
    assert response.status_code == 400
    assert_shows(
        response.get_data(as_text=True),
        f"{LABEL}: value must not be before Dysport&#39;s re-treatment window "
        "opens (100 days after treatment)",
    )
    assert stored(session).value is None
