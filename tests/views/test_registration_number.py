"""A clinician's registration number: set by an admin on the user page, audited."""

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import StaleWrite
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models import User
from planner.services.audit import SYSTEM
from planner.services.registration import set_registration_number


@pytest.fixture
def clinician(make_user):
    return make_user(Role.INJECTOR, name="Dr Ines Duarte")


def test_an_admin_sets_a_registration_number_on_the_user_page(
    login_as, clinician, session
):
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/settings/users/{clinician.id}/edit").get_data(as_text=True)
    assert "Professional registration" in page
    assert 'name="registration_number"' in page
    response = admin.post_form(
        f"/settings/users/{clinician.id}/registration",
        {"registration_number": "  GMC 1234567 ", "shown_registration_number": ""},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, clinician.id).registration_number == "GMC 1234567"
    page = admin.get(f"/settings/users/{clinician.id}/edit").get_data(as_text=True)
    assert 'value="GMC 1234567"' in page
    updates = (
        select(AuditEvent)
        .where(
            AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.entity_id == clinician.id,
        )
        .order_by(col(AuditEvent.id))
    )
    event = session.exec(updates).all()[-1]
    assert event.before == {"registration_number": None}
    assert event.after == {"registration_number": "GMC 1234567"}


def test_a_bad_registration_number_is_refused_by_name(login_as, clinician, session):
    admin = login_as(Role.ADMIN)
    response = admin.post_form(
        f"/settings/users/{clinician.id}/registration",
        {"registration_number": "<script>", "shown_registration_number": ""},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Registration number" in page
    assert 'aria-invalid="true"' in page
    session.expire_all()
    assert session.get(User, clinician.id).registration_number is None


def test_only_an_admin_may_set_it(login_as, clinician):
    staff = login_as(Role.INJECTOR)
    response = staff.post_form(
        f"/settings/users/{clinician.id}/registration",
        {"registration_number": "GMC 1", "shown_registration_number": ""},
    )
    assert response.status_code == 403


def test_a_number_changed_since_the_form_was_shown_is_not_overwritten(
    session, clinician
):
    set_registration_number(
        session, SYSTEM, clinician.id, {"registration_number": "GMC 1111111"}
    )
    with pytest.raises(StaleWrite):
        set_registration_number(
            session,
            SYSTEM,
            clinician.id,
            {"registration_number": "GMC 2222222", "shown_registration_number": ""},
        )
    session.expire_all()
    assert session.get(User, clinician.id).registration_number == "GMC 1111111"
    set_registration_number(
        session,
        SYSTEM,
        clinician.id,
        {"registration_number": "", "shown_registration_number": "GMC 1111111"},
    )
    session.expire_all()
    assert session.get(User, clinician.id).registration_number is None
