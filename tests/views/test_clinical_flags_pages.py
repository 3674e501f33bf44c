"""Issue 13 findings 8 and 12 through the pages: staff see the clinical flags and
toxin given elsewhere, injectors and admins change them, and a forged staff form is
refused by the server."""

import re

import pytest
from sqlmodel import select

from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models.patients import OutsideTreatment
from tests.conftest import assert_shows

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def form_as_rendered(page):
    """Return the hidden inputs of the patient form, as a browser would post them."""
    return dict(HIDDEN.findall(page))


def edit_form(patient, **changes):
    data = patient.model_dump(
        mode="json", exclude={"id", "created_at", "updated_at", "version"}
    )
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data = {k: "true" if v is True else v for k, v in data.items()}
    return {**data, "version": str(patient.version), **changes}


@pytest.fixture
def flagged(make_patient):
    return make_patient(toxin_allergy=True, pregnant=True, affected_side="left")


def stored(session, patient):
    session.expire_all()
    return session.get(Patient, patient.id)


def test_staff_see_the_flags_read_only_on_the_form(login_as, flagged):
    staff = login_as(Role.STAFF)
    page = staff.get(f"/patients/{flagged.id}/edit").get_data(as_text=True)
    assert_shows(
        page,
        "Only an injector or an admin can change them.",
        "<li>Pregnant</li>",
        "<li>Allergy to botulinum toxin</li>",
    )
    assert 'type="checkbox"' not in page
    assert 'type="radio" name="affected_side"' not in page
    hidden = form_as_rendered(page)
    assert hidden["toxin_allergy"] == "true"
    assert hidden["pregnant"] == "true"
    assert hidden["affected_side"] == "left"
    assert "breastfeeding" not in hidden


def test_staff_save_the_form_as_rendered_and_the_flags_stay(login_as, session, flagged):
    staff = login_as(Role.STAFF)
    page = staff.get(f"/patients/{flagged.id}/edit").get_data(as_text=True)
    data = {
        **edit_form(flagged, toxin_allergy=None, pregnant=None),
        **form_as_rendered(page),
        "phone": "+44 20 7946 0002",
    }
    data = {k: v for k, v in data.items() if v is not None}
    response = staff.post_form(f"/patients/{flagged.id}", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = stored(session, flagged)
    assert (saved.phone, saved.toxin_allergy, saved.pregnant) == (
        "+44 20 7946 0002",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("forged", "field"),
    [
        ({"toxin_allergy": None}, "toxin_allergy"),  # the hidden flag left out
        ({"pregnant": "false"}, "pregnant"),
        ({"breastfeeding": "true"}, "breastfeeding"),
        ({"affected_side": "right"}, "affected_side"),
    ],
)
def test_a_forged_staff_form_is_refused(login_as, session, flagged, forged, field):
    staff = login_as(Role.STAFF)
    data = {k: v for k, v in {**edit_form(flagged), **forged}.items() if v is not None}
    response = staff.post_form(f"/patients/{flagged.id}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert_shows(
        page,
        "Only an injector or an admin can change clinical flags",
        f'id="{field}"',
        "can be changed only by an injector or an admin",
    )
    saved = stored(session, flagged)
    assert (saved.toxin_allergy, saved.pregnant, saved.breastfeeding) == (
        True,
        True,
        False,
    )
    assert saved.affected_side == "left"
    assert saved.version == 1


@pytest.mark.parametrize("role", [Role.INJECTOR, Role.ADMIN])
def test_injectors_and_admins_clear_a_flag_from_the_form(
    login_as, session, flagged, role
):
    browser = login_as(role)
    page = browser.get(f"/patients/{flagged.id}/edit").get_data(as_text=True)
    assert 'type="checkbox" id="toxin_allergy" name="toxin_allergy"' in page
    data = edit_form(flagged)
    del data["toxin_allergy"]  # the box unticked
    response = browser.post_form(f"/patients/{flagged.id}", data)
    assert response.status_code == 302
    assert stored(session, flagged).toxin_allergy is False


def outside_form(session, **changes):
    dysport = session.exec(select(Product.id).where(Product.code == "dysport")).one()
    return {
        "given_on": "2026-11-03",
        "product_id": str(dysport),
        "units": "300",
        "indication": "Glabellar lines",
        "place": "City Skin Clinic",
        **changes,
    }


def test_an_injector_records_and_removes_toxin_given_elsewhere(
    login_as, session, make_patient
):
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/outside-toxin"
    response = injector.post_form(path, outside_form(session))
    assert response.status_code == 302
    page = injector.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert_shows(
        page,
        "Botulinum toxin given elsewhere",
        "3 Nov 2026",
        "300 U (Speywood)",
        "City Skin Clinic",
        "Record toxin given elsewhere",
    )
    row = session.exec(select(OutsideTreatment)).one()
    removed = injector.post_form(f"{path}/{row.id}/delete", {})
    assert removed.status_code == 302
    session.expire_all()
    assert session.exec(select(OutsideTreatment)).all() == []
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "outside_treatment")
    ).all()
    assert actions == ["create", "delete"]


def test_bad_outside_toxin_input_is_shown_by_field(login_as, session, make_patient):
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    response = injector.post_form(
        f"/patients/{patient.id}/outside-toxin",
        outside_form(session, units="0", given_on="03/11/2026", place=""),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_shows(
        page,
        "Please correct 3 fields",
        'id="units-error"',
        'id="given_on-error"',
        "Where is required",
        'value="Glabellar lines"',
    )
    assert session.exec(select(OutsideTreatment)).all() == []


def test_staff_see_toxin_given_elsewhere_but_cannot_change_it(
    login_as, session, make_patient
):
    patient = make_patient()
    injector = login_as(Role.INJECTOR)
    path = f"/patients/{patient.id}/outside-toxin"
    injector.post_form(path, outside_form(session))
    row = session.exec(select(OutsideTreatment)).one()
    staff = login_as(Role.STAFF)
    page = staff.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert_shows(
        page, "300 U (Speywood)", "Only an injector or an admin records or removes"
    )
    assert "Record toxin given elsewhere" not in page
    assert f"{path}/{row.id}/delete" not in page
    assert staff.post_form(path, outside_form(session)).status_code == 403
    assert staff.post_form(f"{path}/{row.id}/delete", {}).status_code == 403
    session.expire_all()
    assert len(session.exec(select(OutsideTreatment)).all()) == 1


def test_the_api_refuses_a_staff_flag_change_too(login_as, session, flagged):
    staff = login_as(Role.STAFF)
    body = flagged.model_dump(
        mode="json", exclude={"id", "created_at", "updated_at", "email"}
    )
    cleared = staff.api(
        "PUT", f"/api/v1/patients/{flagged.id}", {**body, "toxin_allergy": False}
    )
    assert cleared.status_code == 403
    assert cleared.json["fields"] == {
        "toxin_allergy": "can be changed only by an injector or an admin"
    }
    assert stored(session, flagged).toxin_allergy is True
    kept = staff.api(
        "PUT", f"/api/v1/patients/{flagged.id}", {**body, "notes": "Prefers mornings"}
    )
    assert kept.status_code == 200, kept.json
    assert stored(session, flagged).toxin_allergy is True
