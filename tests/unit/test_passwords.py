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
