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
from planner.services.login_sessions import signed_in_user
from planner.services.login_throttle import ThrottleRules
from planner.services.users import LoginAttempt
from planner.services.users import create_user
from planner.services.users import log_in
from planner.services.users import set_password
from tests.conftest import PASSWORD

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
RULES = ThrottleRules(
    pair_free=3, client_free=20, account_free=10, longest=timedelta(minutes=15)
)
CLIENT = "10.0.0.5"
AGENT = "Tablet/1.0"


def attempt(session, email, password, now=NOW, client=CLIENT):
    result = log_in(session, LoginAttempt(email, password, client, AGENT, now), RULES)
    return result.user


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


def test_repeated_failures_make_this_client_wait_longer_each_time(session, make_user):
    user = make_user()
    for _ in range(3):
        assert attempt(session, user.email, "wrong password!!") is None
    # Waiting: even the right password is refused, unchecked, for a second.
    assert attempt(session, user.email, PASSWORD) is None
    later = NOW + timedelta(seconds=1)
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


def test_a_session_token_names_its_session_until_the_password_changes(
    session, make_user
):
    user = make_user()
    signed_in = attempt(session, user.email, PASSWORD)
    check = signed_in_user(
        session,
        signed_in.get_id(),
        client=CLIENT,
        user_agent=AGENT,
        now=NOW,
        idle=timedelta(minutes=30),
    )
    assert check.user.id == user.id
    for forged in ("", str(user.id), f"{signed_in.token}x", "9" * 101):
        found = signed_in_user(
            session,
            forged,
            client=CLIENT,
            user_agent=AGENT,
            now=NOW,
            idle=timedelta(minutes=30),
        )
        assert found.user is None, forged
    set_password(session, SYSTEM, email=user.email, password="another Passphrase 99")
    after = signed_in_user(
        session,
        signed_in.token,
        client=CLIENT,
        user_agent=AGENT,
        now=NOW,
        idle=timedelta(minutes=30),
    )
    assert after.user is None
