from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import SYSTEM
from planner.services.users import authenticate
from planner.services.users import create_user
from planner.services.users import set_password
from planner.services.users import signed_in_user
from tests.conftest import PASSWORD

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def attempt(session, email, password, now=NOW):
    return authenticate(
        session,
        email=email,
        password=password,
        now=now,
        max_failures=3,
        lock_minutes=15,
        remote_addr="10.0.0.5",
    )


def test_email_is_case_insensitive_and_unique(session, make_user):
    user = make_user(Role.ADMIN, email="Clinician@Example.org")
    assert user.email == "clinician@example.org"
    with pytest.raises(Conflict):
        make_user(email="CLINICIAN@example.org")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "short"}, "password"),
        ({"role": "surgeon"}, "role"),
        ({"email": "nope"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_user_fields_are_named(session, changes, field):
    data = {
        "email": "a@example.org",
        "name": "A",
        "role": "staff",
        "password": PASSWORD,
    }
    with pytest.raises(InvalidInput) as info:
        create_user(session, SYSTEM, **{**data, **changes})
    assert field in info.value.fields


def test_login_succeeds_and_is_audited(session, make_user):
    user = make_user()
    assert attempt(session, user.email.upper(), PASSWORD).id == user.id
    actions = session.exec(select(AuditEvent.action)).all()
    assert "login" in actions


def test_repeated_failures_lock_the_account_for_a_while(session, make_user):
    user = make_user()
    for _ in range(3):
        assert attempt(session, user.email, "wrong password!!") is None
    # Locked: even the right password is refused until the lock expires.
    assert attempt(session, user.email, PASSWORD) is None
    later = NOW + timedelta(minutes=16)
    assert attempt(session, user.email, PASSWORD, now=later).id == user.id


@pytest.mark.audit_exempt(
    "deactivates the account directly: the admin service has its own tests",
    tables=["user"],
)
def test_unknown_email_and_inactive_user_fail(session, make_user):
    assert attempt(session, "ghost@example.org", PASSWORD) is None
    user = make_user()
    user.active = False
    session.add(user)
    session.commit()
    assert attempt(session, user.email, PASSWORD) is None
    reasons = [
        e.after["reason"]
        for e in session.exec(select(AuditEvent)).all()
        if e.action == "login_failed"
    ]
    assert reasons == ["unknown email", "inactive"]


def test_an_email_with_nul_is_an_unknown_email(session, make_user):
    """Found by tests/fuzz: PostgreSQL refused the NUL in the lookup, a 500."""
    user = make_user()
    assert attempt(session, f"{user.email}\x00", PASSWORD) is None
    failed = session.exec(
        select(AuditEvent).where(AuditEvent.action == "login_failed")
    ).one()
    assert failed.after == {"reason": "unknown email"}


def test_the_session_key_names_the_login_and_its_current_password(session, make_user):
    user = make_user()
    key = user.get_id()
    assert signed_in_user(session, key).id == user.id
    for forged in (
        str(user.id),  # a cookie from before keys carried a stamp
        f"{user.id}.",
        f"{user.id}.0000000000000000",
        f"x{key}",
        "9" * 19 + ".abc",
        "",
    ):
        assert signed_in_user(session, forged) is None, forged
    set_password(session, SYSTEM, email=user.email, password="another Passphrase 99")
    assert signed_in_user(session, key) is None
    assert signed_in_user(session, user.get_id()).id == user.id
