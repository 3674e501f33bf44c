"""Managing logins: the guard rails, compare-and-set edits, resets and unlocking."""

import threading
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner.db import build_engine
from planner.db import get_engine
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.models import User
from planner.passwords import verify_password
from planner.services import login_security
from planner.services import user_admin
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.login_throttle import ThrottleRules
from planner.services.login_throttle import note_failure
from planner.services.user_admin import LoginValues
from planner.services.user_admin import last_admin_problems
from planner.services.user_admin import self_change_problems
from tests.browser_steps import login_form
from tests.browser_steps import login_shown
from tests.conftest import PASSWORD

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new passphrase"
RULES = ThrottleRules(
    pair_free=3, client_free=20, account_free=10, longest=timedelta(minutes=15)
)


def values(role=Role.ADMIN, active=True):
    return LoginValues("Jane Doe", "jane@example.org", role, active)


# --- pure rules ---


@pytest.mark.parametrize(
    ("before", "after", "fields"),
    [
        (values(), values(active=False), {"active"}),
        (values(), values(role=Role.STAFF), {"role"}),
        (values(), values(role=Role.INJECTOR, active=False), {"role", "active"}),
        (values(), values(), set()),
        # Raising your own role, or reactivating, takes nothing away.
        (values(Role.STAFF), values(Role.ADMIN), set()),
        (values(active=False), values(), set()),
    ],
)
def test_an_admin_cannot_take_away_their_own_access(before, after, fields):
    problems = self_change_problems(acting_on_self=True, before=before, after=after)
    assert set(problems) == fields
    assert self_change_problems(acting_on_self=False, before=before, after=after) == {}


@pytest.mark.parametrize(
    ("before", "after", "left", "fields"),
    [
        (values(), values(active=False), 0, {"active"}),
        (values(), values(role=Role.STAFF), 0, {"role"}),
        (values(), values(role=Role.STAFF, active=False), 0, {"active"}),
        (values(), values(active=False), 1, set()),
        (values(), values(), 0, set()),  # unreachable, but not a loss of an admin
        (values(Role.STAFF), values(Role.STAFF, active=False), 0, set()),
        (values(active=False), values(role=Role.STAFF, active=False), 0, set()),
    ],
)
def test_the_last_active_admin_is_kept(before, after, left, fields):
    problems = last_admin_problems(before=before, after=after, active_admins_after=left)
    assert set(problems) == fields
    assert all("without an active admin" in reason for reason in problems.values())


# --- helpers ---


def actor_for(user):
    return Actor(user.id, user.email, "10.0.0.9")


def reload(session, user):
    session.expire_all()
    return session.get(User, user.id)


def events(session, entity_id=None):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.entity_type == "user")
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return session.exec(query.order_by(AuditEvent.id)).all()


def no_hash_anywhere(session):
    for event in events(session):
        text = repr(event.before) + repr(event.after)
        assert "argon2" not in text
        assert "password_hash" not in text


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin")


# --- creating ---

# The new-login form, as the service takes it and the users pages post it.
CREATE = {
    "name": "Jane Doe",
    "email": "Jane.Doe@Example.org",
    "role": "staff",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def test_create_login_stores_the_email_lower_case_and_audits_without_the_hash(
    session, admin
):
    user = user_admin.create_login(session, actor_for(admin), CREATE)
    assert (user.email, user.role, user.active) == (
        "jane.doe@example.org",
        Role.STAFF,
        True,
    )
    assert verify_password(user.password_hash, PASSWORD)
    created = [e for e in events(session, user.id) if e.action == AuditAction.CREATE]
    assert len(created) == 1
    assert created[0].actor_id == admin.id
    assert created[0].after == {
        "email": "jane.doe@example.org",
        "name": "Jane Doe",
        "role": "staff",
    }
    no_hash_anywhere(session)


def test_create_login_names_every_bad_field_at_once(session, admin):
    with pytest.raises(InvalidInput) as info:
        user_admin.create_login(
            session,
            actor_for(admin),
            {
                "name": "  ",
                "email": "not an email",
                "role": "surgeon",
                "password": "aaaaaaaaaaaaaa",
                "password_confirm": "aaaaaaaaaaaaaa",
            },
        )
    fields = info.value.fields
    assert fields["name"] == "is required"
    assert "email" in fields
    assert "role" in fields
    assert "5 different characters" in fields["password"]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"password_confirm": "something else entirely"}, "password_confirm", "match"),
        ({"password": "short", "password_confirm": "short"}, "password", "12"),
        (
            {"password": "janedoe-is-here-1", "password_confirm": "janedoe-is-here-1"},
            "password",
            "name or email",
        ),
        ({"password": ""}, "password", "required"),
        ({"surprise": "x"}, "surprise", "not a field"),
    ],
)
def test_create_login_applies_the_password_rules(
    session, admin, changes, field, reason
):
    with pytest.raises(InvalidInput) as info:
        user_admin.create_login(session, actor_for(admin), {**CREATE, **changes})
    assert reason in info.value.fields[field]
    assert session.exec(select(User).where(User.name == "Jane Doe")).first() is None


def test_create_login_refuses_an_email_in_use_whatever_its_case(
    session, admin, make_user
):
    make_user(email="jane.doe@example.org")
    with pytest.raises(InvalidInput) as info:
        user_admin.create_login(session, actor_for(admin), CREATE)
    assert info.value.fields == {"email": "is already used by another login"}


# --- editing ---


def test_edit_saves_name_email_and_role_and_audits_what_changed(
    session, admin, make_user
):
    user = make_user(Role.STAFF, name="Jo Bloggs", email="jo@example.org")
    user_admin.update_login(
        session,
        actor_for(admin),
        user.id,
        login_form(
            user, name="Jo Smith", email="JO.SMITH@example.org", role="injector"
        ),
    )
    saved = reload(session, user)
    assert (saved.name, saved.email, saved.role) == (
        "Jo Smith",
        "jo.smith@example.org",
        Role.INJECTOR,
    )
    update = events(session, user.id)[-1]
    assert update.action == AuditAction.UPDATE
    assert update.actor_id == admin.id
    assert update.before == {
        "name": "Jo Bloggs",
        "email": "jo@example.org",
        "role": "staff",
    }
    assert update.after == {
        "name": "Jo Smith",
        "email": "jo.smith@example.org",
        "role": "injector",
    }
    no_hash_anywhere(session)


def test_an_edit_that_changes_nothing_writes_nothing(session, admin, make_user):
    user = make_user(Role.STAFF)
    before = len(events(session))
    user_admin.update_login(session, actor_for(admin), user.id, login_form(user))
    assert len(events(session)) == before


def test_edit_refuses_an_email_another_login_has(session, admin, make_user):
    user = make_user(Role.STAFF)
    other = make_user(Role.STAFF)
    with pytest.raises(InvalidInput) as info:
        user_admin.update_login(
            session,
            actor_for(admin),
            user.id,
            login_form(user, email=other.email.upper()),
        )
    assert info.value.fields == {"email": "is already used by another login"}
    assert reload(session, user).email == user.email


@pytest.mark.parametrize(
    "changed",
    [
        {"name": "Renamed Meanwhile"},
        {"email": "moved@example.org"},
        {"role": "injector"},
        {"active": None},
    ],
)
def test_edit_made_against_stale_values_is_refused(session, admin, make_user, changed):
    user = make_user(Role.STAFF)
    form = login_form(user, name="My Edit")
    # Another admin saves first.
    user_admin.update_login(
        session, actor_for(admin), user.id, login_form(user, **changed)
    )
    with pytest.raises(StaleWrite) as info:
        user_admin.update_login(session, actor_for(admin), user.id, form)
    assert "Someone else changed this login" in info.value.message
    assert reload(session, user).name != "My Edit"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"active": None}, "active"),
        ({"role": "staff"}, "role"),
        ({"role": "injector"}, "role"),
    ],
)
def test_an_admin_cannot_deactivate_or_demote_themselves(
    session, admin, make_user, changes, field
):
    make_user(Role.ADMIN)  # another admin exists: this is about oneself
    with pytest.raises(InvalidInput) as info:
        user_admin.update_login(
            session, actor_for(admin), admin.id, login_form(admin, **changes)
        )
    assert field in info.value.fields
    assert "another admin" in info.value.fields[field]
    saved = reload(session, admin)
    assert (saved.role, saved.active) == (Role.ADMIN, True)


def test_an_admin_may_rename_themselves(session, admin):
    user_admin.update_login(
        session, actor_for(admin), admin.id, login_form(admin, name="Ada A. Admin")
    )
    assert reload(session, admin).name == "Ada A. Admin"


@pytest.mark.parametrize(
    "changes", [{"active": None}, {"role": "staff"}], ids=["deactivate", "demote"]
)
def test_the_clinic_always_keeps_an_active_admin(session, admin, changes):
    # Only the system (a command-line task) could try this: an admin acting on
    # someone else is an active admin that remains.
    with pytest.raises(Conflict) as info:
        user_admin.update_login(session, SYSTEM, admin.id, login_form(admin, **changes))
    assert "at least one active admin" in info.value.message
    saved = reload(session, admin)
    assert (saved.role, saved.active) == (Role.ADMIN, True)


def test_two_admins_demoting_each_other_leave_one(session, admin, make_user):
    other = make_user(Role.ADMIN)
    form_for_admin = login_form(admin, role="staff")  # the other admin's page
    user_admin.update_login(
        session, actor_for(admin), other.id, login_form(other, role="staff")
    )
    # The other admin's form was loaded before they lost the role.
    with pytest.raises(Conflict):
        user_admin.update_login(session, actor_for(other), admin.id, form_for_admin)
    assert reload(session, admin).role == Role.ADMIN


def test_editing_a_missing_login_is_not_found(session, admin):
    with pytest.raises(NotFound):
        user_admin.update_login(session, actor_for(admin), 424242, login_form(admin))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shown_active": "perhaps"}, "shown_active"),
        ({"shown_role": "surgeon"}, "shown_role"),
        ({"email": "nope"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_edit_names_bad_fields(session, admin, make_user, changes, field):
    user = make_user(Role.STAFF)
    with pytest.raises(InvalidInput) as info:
        user_admin.update_login(
            session, actor_for(admin), user.id, login_form(user, **changes)
        )
    assert field in info.value.fields


def test_edit_without_the_shown_values_is_refused(session, admin, make_user):
    user = make_user(Role.STAFF)
    data = {"name": "X", "email": user.email, "role": "staff", "active": "true"}
    with pytest.raises(InvalidInput) as info:
        user_admin.update_login(session, actor_for(admin), user.id, data)
    assert info.value.fields["shown_name"] == "is required"


# --- deactivating ---


def test_deactivate_and_reactivate_are_audited(session, admin, make_user):
    user = make_user(Role.INJECTOR)
    user_admin.set_login_active(
        session, actor_for(admin), user.id, login_shown(user), active=False
    )
    assert reload(session, user).active is False
    user = reload(session, user)
    user_admin.set_login_active(
        session, actor_for(admin), user.id, login_shown(user), active=True
    )
    assert reload(session, user).active is True
    changes = [(e.before, e.after) for e in events(session, user.id)][-2:]
    assert changes == [
        ({"active": True}, {"active": False}),
        ({"active": False}, {"active": True}),
    ]


def test_deactivate_refuses_stale_and_self(session, admin, make_user):
    user = make_user(Role.INJECTOR)
    stale = {**login_shown(user), "shown_role": "staff"}
    with pytest.raises(StaleWrite):
        user_admin.set_login_active(
            session, actor_for(admin), user.id, stale, active=False
        )
    with pytest.raises(InvalidInput) as info:
        user_admin.set_login_active(
            session, actor_for(admin), admin.id, login_shown(admin), active=False
        )
    assert "active" in info.value.fields
    assert reload(session, user).active is True


# --- passwords and lockouts ---


def fail_logins(session, user, count, client="10.0.0.9", now=NOW):
    """Count ``count`` failed password checks against a login."""
    for _ in range(count):
        note_failure(session, email=user.email, client=client, now=now)
    record_event(session, SYSTEM, AuditAction.LOGIN_FAILED, "user", user.id)
    session.commit()


def test_reset_password_sets_it_and_clears_failed_logins(session, admin, make_user):
    user = make_user(Role.STAFF)
    fail_logins(session, user, 12)
    user_admin.reset_password(
        session,
        actor_for(admin),
        user.id,
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    saved = reload(session, user)
    assert verify_password(saved.password_hash, NEW_PASSWORD)
    assert not verify_password(saved.password_hash, PASSWORD)
    row = login_security.login_row(session, user.id, now=NOW, rules=RULES)
    assert row.recent_failures == 0
    assert events(session, user.id)[-1].actor_id == admin.id
    no_hash_anywhere(session)


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"password": "short", "password_confirm": "short"}, "password", "12"),
        (
            {"password": NEW_PASSWORD, "password_confirm": "different passphrase"},
            "password_confirm",
            "does not match",
        ),
        ({"password": NEW_PASSWORD}, "password_confirm", "required"),
        (
            {"password": "testuser1-secret", "password_confirm": "testuser1-secret"},
            "password",
            "name or email",
        ),
    ],
)
def test_reset_password_applies_the_rules(
    session, admin, make_user, data, field, reason
):
    user = make_user(Role.STAFF, email="testuser1@example.org")
    with pytest.raises(InvalidInput) as info:
        user_admin.reset_password(session, actor_for(admin), user.id, data)
    assert reason in info.value.fields[field]
    assert verify_password(reload(session, user).password_hash, PASSWORD)


def test_unlock_clears_failed_logins_and_says_so_in_the_trail(
    session, admin, make_user
):
    user = make_user(Role.STAFF)
    fail_logins(session, user, 2, client="10.0.0.1")
    fail_logins(session, user, 2, client="10.0.0.2")
    login_security.unlock_login(session, actor_for(admin), user.id)
    row = login_security.login_row(session, user.id, now=NOW, rules=RULES)
    assert row.recent_failures == 0
    last = events(session, user.id)[-1]
    assert last.after == {"failed_logins": "cleared"}
    count = len(events(session))
    login_security.unlock_login(session, actor_for(admin), user.id)  # nothing left
    assert len(events(session)) == count


def test_list_shows_recent_failures_and_how_long_new_places_wait(
    session, admin, make_user
):
    calm = make_user(Role.STAFF, name="Calm Login")
    old = make_user(Role.STAFF, name="Old Failures")
    pressed = make_user(Role.STAFF, name="Under Attack")
    fail_logins(session, old, 15, now=NOW - timedelta(hours=2))
    fail_logins(session, pressed, RULES.account_free + 2)
    rows = {
        row.name: row
        for row in login_security.list_logins(session, now=NOW, rules=RULES)
    }
    assert (rows[calm.name].recent_failures, rows[old.name].recent_failures) == (0, 0)
    assert rows[pressed.name].recent_failures == RULES.account_free + 2
    # Two past the free ones: 1 s, then 2 s, from the last failure.
    assert rows[pressed.name].new_clients_wait_until == NOW + timedelta(seconds=4)
    assert list(rows) == sorted(rows)
    assert not hasattr(rows["Ada Admin"], "password_hash")


# --- two admins at once ---


@pytest.fixture
def engine(app, db_url, tmp_path):
    """An engine on which two connections really run at once.

    The in-memory SQLite database has one shared connection, so SQLite is
    tested on a file, where WAL and the busy timeout apply as in production.
    """
    if db_url.startswith("postgresql"):
        yield get_engine(app)
        return
    engine = build_engine(f"sqlite:///{tmp_path}/race.db")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_concurrent_demotions_cannot_remove_every_admin(engine):
    with Session(engine, expire_on_commit=False) as setup:
        first = user_admin.create_login(
            setup, SYSTEM, {**CREATE, "email": "first@example.org", "role": "admin"}
        )
        second = user_admin.create_login(
            setup, SYSTEM, {**CREATE, "email": "second@example.org", "role": "admin"}
        )
    outcome = []

    def demote_first():
        with Session(engine, expire_on_commit=False) as session:
            try:
                user_admin.update_login(
                    session,
                    actor_for(second),
                    first.id,
                    login_form(first, role="staff"),
                )
                outcome.append("saved")
            except Conflict as exc:
                outcome.append(exc.message)

    with Session(engine) as other:
        # The first admin's demotion of the second, written but not committed.
        other.connection().execute(
            update(User).where(User.id == second.id).values(role=Role.STAFF)
        )
        record_event(other, actor_for(first), AuditAction.UPDATE, "user", second.id)
        worker = threading.Thread(target=demote_first)
        worker.start()
        time.sleep(0.5)
        # The worker waits for the other change rather than reading around it.
        assert worker.is_alive()
        other.commit()
    worker.join(timeout=30)
    assert outcome == [user_admin.LAST_ADMIN]
    with Session(engine) as check:
        admins = check.exec(
            select(User).where(User.role == Role.ADMIN, User.active == True)  # noqa: E712
        ).all()
    assert [a.id for a in admins] == [first.id]
