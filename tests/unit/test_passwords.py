import pytest

from planner.passwords import hash_password
from planner.passwords import password_problems
from planner.passwords import verify_password


def test_hash_round_trip_is_argon2id():
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "a long enough passphrasE")
    assert not verify_password("not a hash", "anything")


def test_password_rules():
    assert password_problems("abab") == [
        "must be at least 12 characters",
        "must use at least 5 different characters",
    ]
    assert password_problems("aaaaaaaaaaaaaaaa") == [
        "must use at least 5 different characters"
    ]
    assert password_problems("jsmith-clinic-2026", email="jsmith@example.org") == [
        "must not contain your name or email"
    ]
    assert password_problems("correct horse battery staple") == []


def test_a_clinic_app_hashes_with_the_strong_parameters(tmp_path):
    from planner import create_app
    from planner import passwords
    from planner.config import defaults

    assert defaults(tmp_path)["PASSWORD_HASHING"] == "strong"
    try:
        passwords.use_profile("fast-for-tests")
        # A config that does not name PASSWORD_HASHING, as a clinic's never does.
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
        assert passwords.current_parameters() == passwords.STRONG
        assert passwords.STRONG.memory_cost >= 65536
        assert passwords.STRONG.time_cost >= 3
        assert hash_password("a long enough passphrase").startswith(
            "$argon2id$v=19$m=65536,t=3,p=4$"
        )
    finally:
        passwords.use_profile("strong")


def test_the_fast_profile_still_verifies_and_rehashes_strong_hashes():
    from planner import passwords

    # Another test in this worker may have left the fast profile on.
    passwords.use_profile("strong")
    strong = hash_password("a long enough passphrase")
    try:
        passwords.use_profile("fast-for-tests")
        assert verify_password(strong, "a long enough passphrase")
        assert passwords.needs_rehash(strong)
        assert not verify_password(strong, "wrong passphrase!!")
    finally:
        passwords.use_profile("strong")


def test_an_unknown_profile_is_refused():
    from planner import passwords

    with pytest.raises(ValueError, match="PASSWORD_HASHING must be strong or"):
        passwords.use_profile("weak")
