"""Dysport's minimum interval is edited on the settings page (review rX, X4).

It shows as a clinic setting with its UNSOURCED note; an edit is audited against
its version, out-of-range and non-numeric values are refused naming the field, and
the chart the tablet reads (the chart API's JSON) holds Dysport to the clinic's
figure while Botox keeps its label's 84 days. Sourced intervals are not offered.
"""

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import Role
from planner.services.audit import Actor
from planner.services.settings import update_setting
from tests.conftest import assert_shows
from tests.services.top_up_steps import tablet_top_up

KEY = "min_interval_days.dysport"
ROW_ID = 'id="setting-min_interval_days-dysport"'


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def row_of(page, row_id):
    """The settings page's table row with this id, up to its end."""
    row = page[page.index(row_id) :]
    return row[: row.index("</tr>")]


def stored(session):
    session.expire_all()
    return session.get(ClinicSetting, KEY)


def test_the_page_shows_the_interval_as_an_unsourced_clinic_setting(admin):
    page = admin.get("/settings/").get_data(as_text=True)
    row = row_of(page, ROW_ID)
    assert_shows(
        row,
        "Dysport: minimum days between full treatments",
        "UNSOURCED: 3 months assumed as for the other products",
        "Clinic setting — not a sourced fact",
        'value="84"',
        "28 to 365 days",
    )
    # Sourced intervals stay the labels': no setting offers to change them.
    for sourced in ("botox", "xeomin", "jeuveau", "daxxify", "letybo"):
        assert f'id="setting-min_interval_days-{sourced}"' not in page


def test_an_edit_is_saved_audited_and_named_as_the_clinics(admin, session):
    response = admin.post_form(f"/settings/{KEY}", {"value": "70", "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "/settings/#setting-min_interval_days-dysport"
    )
    saved = stored(session)
    assert (saved.value, saved.version, saved.unsourced) == (70, 2, True)
    assert saved.source.startswith("Clinic setting (edited ")
    (event,) = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "clinic_setting")
    ).all()
    assert (event.before["key"], event.before["value"]) == (KEY, 84)
    assert event.before["source"].startswith("UNSOURCED")
    assert event.after["value"] == 70
    page = admin.get("/settings/").get_data(as_text=True)
    assert "Saved: Dysport: minimum days between full treatments." in page
    assert_shows(
        row_of(page, ROW_ID),
        'value="70"',
        "Seeded from: UNSOURCED: 3 months assumed as for the other products",
    )
    stale = admin.post_form(f"/settings/{KEY}", {"value": "90", "version": "1"})
    assert stale.status_code == 409
    assert stored(session).value == 70


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("27", "must be between 28 and 365 days"),
        ("366", "must be between 28 and 365 days"),
        ("70.5", "must be a whole number"),
        ("ten weeks", "must be a number"),
        ("", "is required"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(admin, session, typed, message):
    response = admin.post_form(f"/settings/{KEY}", {"value": typed, "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_shows(
        page,
        'id="setting-min_interval_days-dysport-value-error"',
        'href="#setting-min_interval_days-dysport-value"',
        message,
    )
    assert stored(session).version == 1


@pytest.mark.parametrize("typed", ["27", "366", "70.5", "ten weeks", True])
def test_the_service_refuses_a_bad_value_by_the_value_field(session, make_user, typed):
    user = make_user(Role.ADMIN)
    with pytest.raises(InvalidInput) as refused:
        update_setting(session, Actor(user.id, user.email), KEY, typed, version=1)
    assert set(refused.value.fields) == {"value"}


def test_a_sourced_interval_cannot_be_edited(admin):
    response = admin.post_form(
        "/settings/min_interval_days.botox", {"value": "70", "version": "1"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("product", "days", "short"),
    [("dysport", 65, True), ("dysport", 75, False), ("botox", 75, True)],
)
def test_the_chart_api_holds_dysport_to_the_clinics_interval(
    session, injector, admin, login_as, make_patient, product, days, short
):
    assert (
        admin.post_form(f"/settings/{KEY}", {"value": "70", "version": "1"})
    ).status_code == 302
    patient = make_patient(affected_side="left")
    _, _, state = tablet_top_up(
        session, injector, login_as, patient, product, days, kind="full"
    )
    found = [w for w in state["warnings"] if w["code"] == "interval_short"]
    assert len(found) == int(short)
    if short:
        weeks = "70 days (10 weeks)" if product == "dysport" else "84 days (12 weeks)"
        assert weeks in found[0]["message"]
