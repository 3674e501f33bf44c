"""The clinic's standard views: defaults until edited, then the admin's own set."""

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models.photos import PhotoView
from planner.photometry import DEFAULT_VIEWS
from planner.services.photo_views import list_views

EXPRESSIONS = (
    "At rest",
    "Brow raise",
    "Gentle eye closure",
    "Tight eye closure",
    "Closed-mouth smile",
    "Open-mouth smile",
    "Pucker",
    "Lip depression",
    "Nose wrinkle",
)


def test_the_defaults_are_the_grading_expressions_asked_for_gently(session):
    views = list_views(session)
    assert [v.label.split(" (")[0] for v in views] == list(EXPRESSIONS)
    assert all(v.version == 0 for v in views)
    for view in DEFAULT_VIEWS:
        assert "hard as you can" not in view.instruction.lower()
    moving = [v for v in DEFAULT_VIEWS if v.code != "rest"]
    assert all(
        ("gently" in v.instruction.lower() or "without straining" in v.instruction)
        for v in moving
    )
    assert session.exec(select(PhotoView)).all() == []


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def test_an_admin_rewords_hides_and_adds_views(admin, session):
    page = admin.get("/settings/photo-views/")
    assert page.status_code == 200
    assert "Gently raise your eyebrows" in page.get_data(as_text=True)
    saved = admin.post_form(
        "/settings/photo-views/brow_raise",
        {
            "label": "Eyebrows up",
            "instruction": "Gently lift your eyebrows.",
            "position": "2",
            "version": "0",
            "active": "true",
        },
    )
    assert saved.status_code == 302
    hidden = admin.post_form(
        "/settings/photo-views/nose_wrinkle",
        {
            "label": "Nose wrinkle",
            "instruction": "Gently wrinkle.",
            "position": "9",
            "version": "1",
        },
    )
    assert hidden.status_code == 302
    added = admin.post_form(
        "/settings/photo-views/",
        {"label": "Whistle", "instruction": "Gently pretend to whistle."},
    )
    assert added.status_code == 302
    session.expire_all()
    shown = list_views(session)
    assert [v.code for v in shown][-1] == "whistle"
    assert "nose_wrinkle" not in [v.code for v in shown]
    assert shown[1].label == "Eyebrows up"
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "photo_view")
    ).all()
    # The nine defaults stored once, two edits, one new view.
    assert [e.action for e in events].count(AuditAction.CREATE) == 10
    assert [e.action for e in events].count(AuditAction.UPDATE) == 2


def test_rest_cannot_be_hidden_and_a_stale_form_is_refused(admin, session):
    refused = admin.post_form(
        "/settings/photo-views/rest",
        {"label": "At rest", "instruction": "Relax.", "position": "1", "version": "0"},
    )
    assert refused.status_code == 400
    assert "cannot be turned off" in refused.get_data(as_text=True)
    form = {
        "label": "Pucker",
        "instruction": "Gently pout.",
        "position": "7",
        "active": "true",
    }
    assert (
        admin.post_form(
            "/settings/photo-views/pucker", form | {"version": "0"}
        ).status_code
        == 302
    )
    assert (
        admin.post_form(
            "/settings/photo-views/pucker", form | {"version": "0"}
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"label": "", "instruction": "Gently."}, "label"),
        ({"label": "X", "instruction": ""}, "instruction"),
        ({"label": "X" * 81, "instruction": "Gently."}, "label"),
        ({"label": "X", "instruction": "Gently.", "shape": "round"}, "shape"),
    ],
)
def test_a_bad_new_view_is_refused_by_field(admin, session, form, field):
    response = admin.post_form("/settings/photo-views/", form)
    assert response.status_code == 400
    assert f'<li><a href="#{field}">' in response.get_data(as_text=True)
    assert session.exec(select(PhotoView)).all() == []


def test_only_admins_edit_the_views(login_as):
    for role in (Role.INJECTOR, Role.STAFF):
        assert login_as(role).get("/settings/photo-views/").status_code == 403
