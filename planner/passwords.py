"""Password hashing (argon2id) and the clinic's password rules.

The hashing parameters are a process-wide profile that ``create_app`` sets from
``PASSWORD_HASHING``: ``strong`` (argon2-cffi's defaults, RFC 9106's low-memory
profile) unless a test app asks for ``fast-for-tests``. A hash carries its own
parameters, so either profile verifies every stored hash; a login whose hash was
made with other parameters is re-hashed with the current ones.
"""

from argon2 import Parameters
from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_LENGTH = 12

# What production uses; a test proves the default app gets exactly this.
STRONG = RFC_9106_LOW_MEMORY
# One pass over argon2's smallest memory: a hash in microseconds, for test suites
# only (they hash thousands of passwords). Salt and hash keep their full length.
# Never a clinic's setting: ``PASSWORD_HASHING`` is not read from the environment.
FAST_FOR_TESTS = Parameters(
    type=Type.ID,
    version=19,
    salt_len=STRONG.salt_len,
    hash_len=STRONG.hash_len,
    time_cost=1,
    memory_cost=8,
    parallelism=1,
)

PROFILES: dict[str, Parameters] = {"strong": STRONG, "fast-for-tests": FAST_FOR_TESTS}

_hasher = PasswordHasher.from_parameters(STRONG)
_profile = "strong"
_dummy_hashes: dict[str, str] = {}


def use_profile(name: str) -> None:
    """Hash with the named profile from now on (``strong`` or ``fast-for-tests``)."""
    global _hasher, _profile
    try:
        parameters = PROFILES[name]
    except KeyError:
        choices = " or ".join(PROFILES)
        raise ValueError(f"PASSWORD_HASHING must be {choices}, not {name!r}") from None
    if name != _profile:
        _hasher = PasswordHasher.from_parameters(parameters)
        _profile = name


def current_parameters() -> Parameters:
    """Return the parameters new hashes are made with."""
    return Parameters(
        type=_hasher.type,
        version=19,
        salt_len=_hasher.salt_len,
        hash_len=_hasher.hash_len,
        time_cost=_hasher.time_cost,
        memory_cost=_hasher.memory_cost,
        parallelism=_hasher.parallelism,
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_dummy(password: str) -> None:
    """Spend one verification's work on a hash nobody has, and learn nothing.

    Called where there is no account to check against, so that an unknown email
    costs what a known one does and response times do not reveal which exist.
    """
    dummy = _dummy_hashes.get(_profile)
    if dummy is None:
        dummy = _dummy_hashes[_profile] = _hasher.hash("not-a-real-password")
    verify_password(dummy, password)


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a stored hash was made with other than the current parameters."""
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """List what is wrong with a new password; empty when it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(set(password)) < 5:
        problems.append("must use at least 5 different characters")
    lowered = password.lower()
    for personal in (email.split("@")[0].lower(), name.lower().replace(" ", "")):
        if len(personal) >= 4 and personal in lowered:
            problems.append("must not contain your name or email")
            break
    return problems
