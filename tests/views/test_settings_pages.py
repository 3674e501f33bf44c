"""The admin's settings pages: listing, editing in place, templates, access."""

import re

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import ProtocolTemplate
from planner.models import Role
from tests.conftest import assert_shows

TEMPLATE_FORM = {
    "name": "Lower face",
    "description": "DAO and platysma",
    "product": "botox",
    "muscle": ["depressor_anguli_oris", "platysma", ""],
    "role": ["affected", "contralateral", "affected"],
    "units": ["2", "2.5", ""],
    "x": ["", "", ""],
    "y": ["", "", ""],
}


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def setting(session, key):
    session.expire_all()
    return session.get(ClinicSetting, key)


def templates(session):
    session.expire_all()
    return session.exec(select(ProtocolTemplate)).all()


def settings_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("settings."):
            path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield path, method


def test_admin_sees_every_setting_with_its_source_and_the_unsourced_badge(admin):
    page = admin.get("/settings/").get_data(as_text=True)
    assert_shows(
        page,
        "Review visit, days after treatment",
        "[S63] several clinics review at 2 weeks",
        "Reference dose per point, zygomaticus major",
        "Scheduling and safety",
    )
    # One badge per unsourced setting, and none for the sourced review day.
    row = page[page.index('id="setting-review_day"') :]
    row = row[: row.index("</tr>")]
    assert "not a sourced fact" not in row
    zygomaticus = page[page.index('id="setting-dose-zygomaticus_major"') :]
    zygomaticus = zygomaticus[: zygomaticus.index("</tr>")]
    assert "Clinic setting — not a sourced fact" in zygomaticus
    assert (
        'name="value.low" type="text" inputmode="decimal" autocomplete="off" value="1"'
        in zygomaticus
    )
    assert "No templates yet." in page


def test_admin_edits_a_value_in_place(admin, session):
    response = admin.post_form("/settings/review_day", {"value": "21", "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/#setting-review_day")
    saved = setting(session, "review_day")
    assert (saved.value, saved.version, saved.unsourced) == (21, 2, True)
    page = admin.get("/settings/").get_data(as_text=True)
    assert "Saved: Review visit, days after treatment." in page
    row = page[page.index('id="setting-review_day"') :]
    row = row[: row.index("</tr>")]
    assert_shows(
        row,
        'value="21"',
        "Clinic setting (edited",
        "Clinic setting — not a sourced fact",
        "Seeded from: [S63]",
    )
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "clinic_setting")
    ).one()
    assert event.before["source"] == "[S63] several clinics review at 2 weeks"


def test_admin_edits_a_reference_dose(admin, session):
    response = admin.post_form(
        "/settings/dose.depressor_anguli_oris",
        {"value.low": "2", "value.default": "3", "value.high": "4", "version": "1"},
    )
    assert response.status_code == 302
    assert setting(session, "dose.depressor_anguli_oris").value == {
        "low": 2.0,
        "high": 4.0,
        "default": 3.0,
    }


def test_bad_value_is_shown_beside_its_field_with_what_was_typed(admin, session):
    response = admin.post_form(
        "/settings/dose.frontalis",
        {"value.low": "0", "value.default": "2", "value.high": "x", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_shows(
        page,
        'id="setting-dose-frontalis-value-low-error"',
        "Low must be more than 0 and at most 100 units",
        'id="setting-dose-frontalis-value-high-error"',
        'href="#setting-dose-frontalis-value-high"',
        'aria-invalid="true"',
        'value="x"',
    )
    assert setting(session, "dose.frontalis").version == 1


def test_out_of_range_scalar_names_the_value_field(admin):
    response = admin.post_form("/settings/review_day", {"value": "3", "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="setting-review_day-value-error"' in page
    assert "must be between 7 and 28 days" in page


def test_a_stale_edit_is_refused(admin, session):
    assert (
        admin.post_form(
            "/settings/review_day", {"value": "10", "version": "1"}
        ).status_code
        == 302
    )
    stale = admin.post_form("/settings/review_day", {"value": "20", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else saved this setting" in stale.get_data(as_text=True)
    assert setting(session, "review_day").value == 10


def test_an_unknown_setting_is_not_found(admin):
    response = admin.post_form(
        "/settings/no_such_thing", {"value": "1", "version": "1"}
    )
    assert response.status_code == 404


def test_a_setting_key_with_nul_is_not_found(admin):
    """Found by tests/fuzz: PostgreSQL refused the NUL in the lookup, a 500."""
    response = admin.post_form("/settings/review%00day", {"value": "1", "version": "1"})
    assert response.status_code == 404


def test_editing_needs_the_csrf_token(admin, session):
    response = admin.client.post(
        "/settings/review_day", data={"value": "21", "version": "1"}
    )
    assert response.status_code == 400
    assert "csrf" in response.get_data(as_text=True).lower()
    assert setting(session, "review_day").value == 14


@pytest.mark.parametrize("role", [Role.INJECTOR, Role.STAFF])
def test_only_admins_reach_any_settings_route(app, login_as, role):
    browser = login_as(role)
    checked = 0
    for path, method in settings_routes(app):
        if method == "GET":
            response = browser.get(path)
        else:
            response = browser.post_form(path, {"value": "21", "version": "1"})
        assert response.status_code == 403, (path, method)
        checked += 1
    assert checked == 14


def test_settings_routes_need_a_login(app, client):
    for path, method in settings_routes(app):
        response = client.open(path, method=method)
        assert response.status_code in (302, 400), (path, method)
        if method == "GET":
            assert response.headers["Location"].startswith("/login")


def test_admin_creates_edits_and_deletes_a_template(admin, session):
    form = admin.get("/settings/templates/new").get_data(as_text=True)
    assert (
        '<option value="depressor_anguli_oris">Depressor anguli oris</option>' in form
    )
    response = admin.post_form("/settings/templates/", TEMPLATE_FORM)
    assert response.status_code == 302
    (template,) = templates(session)
    template_id = template.id
    assert template.sites == [
        {
            "muscle": "depressor_anguli_oris",
            "role": "affected",
            "x": 143.0,
            "y": 366.0,
            "units": 2.0,
        },
        {
            "muscle": "platysma",
            "role": "contralateral",
            "x": 220.0,
            "y": 438.0,
            "units": 2.5,
        },
    ]
    listing = admin.get("/settings/").get_data(as_text=True)
    assert "Lower face" in listing
    assert "DAO and platysma" in listing

    edit = admin.get(f"/settings/templates/{template_id}/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in edit
    assert re.search(r'id="sites\.1\.x" name="x" [^>]*value="220"', edit)
    changed = {**TEMPLATE_FORM, "name": "Lower face v2", "version": "1"}
    assert (
        admin.post_form(f"/settings/templates/{template_id}", changed).status_code
        == 302
    )
    stale = admin.post_form(f"/settings/templates/{template_id}", changed)
    assert stale.status_code == 409
    assert "Someone else changed this template" in stale.get_data(as_text=True)
    assert templates(session)[0].name == "Lower face v2"

    old = admin.post_form(f"/settings/templates/{template_id}/delete", {"version": "1"})
    assert old.status_code == 302
    assert templates(session) != []
    gone = admin.post_form(
        f"/settings/templates/{template_id}/delete", {"version": "2"}
    )
    assert gone.status_code == 302
    assert templates(session) == []
    assert admin.get(f"/settings/templates/{template_id}/edit").status_code == 404


def test_bad_template_rows_are_named_and_kept(admin, session):
    form = {
        **TEMPLATE_FORM,
        "name": "",
        "muscle": ["zygomaticus_minor", "", "platysma"],
        "role": ["affected", "affected", "contralateral"],
        "units": ["1", "", "500"],
        "x": ["114", "", ""],
        "y": ["272", "", ""],
    }
    response = admin.post_form("/settings/templates/", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in page
    # The empty middle row is dropped, so the platysma is now site 2.
    assert_shows(
        page,
        'id="sites.0.point"',
        "is on the Zygomaticus major (patient&#39;s right)",
        'id="sites.1.units-error"',
        "Site 2 units must be between 0.25 and 100 units",
        'value="500"',
    )
    assert templates(session) == []


def test_a_template_needs_a_site(admin):
    form = {**TEMPLATE_FORM, "muscle": ["", ""], "units": ["", ""]}
    response = admin.post_form("/settings/templates/", form)
    assert response.status_code == 400
    assert 'id="sites-error"' in response.get_data(as_text=True)


def test_settings_pages_have_no_inline_script_or_style(admin):
    admin.post_form("/settings/templates/", TEMPLATE_FORM)
    for path in ["/settings/", "/settings/templates/new", "/settings/templates/1/edit"]:
        response = admin.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        for forbidden in ("<script>", " style=", "onclick"):
            assert forbidden not in page, (path, forbidden)


def test_admin_keeps_the_clinic_calendar(login_as, make_user):
    clinician = make_user(Role.INJECTOR, name="Dr Hours")
    admin = login_as(Role.ADMIN)
    ok = admin.post_form(
        "/settings/calendar/hours",
        {
            "clinician_id": str(clinician.id),
            "weekday": "0",
            "starts": "09:00",
            "ends": "12:00",
        },
    )
    assert ok.status_code == 302
    overlap = admin.post_form(
        "/settings/calendar/hours",
        {
            "clinician_id": str(clinician.id),
            "weekday": "0",
            "starts": "11:00",
            "ends": "13:00",
        },
    )
    assert overlap.status_code == 400
    assert 'id="starts-error"' in overlap.get_data(as_text=True)
    backwards = admin.post_form(
        "/settings/calendar/hours",
        {
            "clinician_id": str(clinician.id),
            "weekday": "1",
            "starts": "12:00",
            "ends": "09:00",
        },
    )
    assert backwards.status_code == 400
    assert (
        admin.post_form(
            "/settings/calendar/closed", {"day": "2099-12-25", "reason": "Holiday"}
        ).status_code
        == 302
    )
    again = admin.post_form(
        "/settings/calendar/closed", {"day": "2099-12-25", "reason": "Again"}
    )
    assert again.status_code == 400
    page = admin.get("/settings/calendar").get_data(as_text=True)
    assert_shows(page, "Dr Hours", "09:00–12:00", "Holiday")
    assert login_as(Role.STAFF).get("/settings/calendar").status_code == 403


def limits_form(page):
    """Every input of the dose limits form, as the browser would post it."""
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields.pop("csrf_token", None)
    return fields


def test_an_admin_edits_a_products_dose_limits(admin, login_as):
    page = admin.get("/settings/limits/dysport").get_data(as_text=True)
    assert "Dose limits: Dysport" in page
    assert "Sourced" in page
    assert "Clinic setting — not a sourced fact" in page
    form = limits_form(page)
    assert form["point.corrugator.high"] == "10"
    refused = admin.post_form(
        "/settings/limits/dysport",
        {**form, "site": "-1", "point.mentalis.low": "3", "point.mentalis.high": "x"},
    )
    assert refused.status_code == 400
    shown = refused.get_data(as_text=True)
    assert "Any one site: must be more than 0" in shown
    assert "Mentalis, per point, high end: must be a number" in shown
    assert 'value="-1"' in shown
    saved = admin.post_form("/settings/limits/dysport", {**form, "site": "20"})
    assert saved.status_code == 302
    page = admin.get("/settings/limits/dysport").get_data(as_text=True)
    assert "Replaces the shipped 25: Clinic setting: shipped default" in page
    assert (
        'name="site" type="text" inputmode="decimal" autocomplete="off" value="20"'
        in page
    )
    # The index lists the scheduling and reference settings, not these.
    assert "limit.dysport" not in admin.get("/settings/").get_data(as_text=True)
    assert admin.get("/settings/limits/nothing").status_code == 404
    staff = login_as(Role.STAFF)
    assert staff.get("/settings/limits/dysport").status_code == 403


SUMMARY = re.compile(r'<div class="error-summary"[^>]*>.*?</div>', re.S)


def summary_links(page):
    """The error summary's links, as (target, text), whitespace collapsed."""
    (box,) = SUMMARY.findall(page)
    return [
        (target, " ".join(words.split()))
        for target, words in re.findall(r'<a href="#([^"]+)">(.*?)</a>', box, re.S)
    ]


@pytest.mark.parametrize(
    ("key", "form", "expected"),
    [
        (
            "review_day",
            {"value": "3"},
            [
                (
                    "setting-review_day-value",
                    "Review visit, days after treatment: value must be between 7 "
                    "and 28 days",
                )
            ],
        ),
        (
            "dose.frontalis",
            {"value.low": "0", "value.default": "2", "value.high": "x"},
            [
                (
                    "setting-dose-frontalis-value-low",
                    "Reference dose per point, frontalis (onabotulinumtoxinA units): "
                    "low must be more than 0 and at most 100 units",
                ),
                (
                    "setting-dose-frontalis-value-high",
                    "Reference dose per point, frontalis (onabotulinumtoxinA units): "
                    "high must be a number",
                ),
            ],
        ),
    ],
)
def test_the_error_summary_names_the_setting_at_fault_and_links_its_field(
    admin, key, form, expected
):
    """WCAG 3.3.1: the summary says which setting, why, and links to its input."""
    response = admin.post_form(f"/settings/{key}", {**form, "version": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    links = summary_links(page)
    assert links == expected
    for target, _ in links:
        assert re.search(rf'<input id="{target}"[^>]*aria-invalid="true"', page)


def test_a_dose_whose_parts_do_not_fit_together_is_named_in_the_summary(admin):
    response = admin.post_form(
        "/settings/dose.mentalis",
        {"value.low": "4", "value.default": "2", "value.high": "3", "version": "1"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert summary_links(page) == [
        (
            "setting-dose-mentalis-value-high",
            "Reference dose per point, mentalis (onabotulinumtoxinA units): "
            "high must not be less than the low end",
        )
    ]
