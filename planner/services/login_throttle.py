"""Slow down password guessing, in the database so every gunicorn worker agrees.

Why a table and not Flask-Limiter: Flask-Limiter is not installed, and its
shared stores (Redis, Memcached, MongoDB) would be one more server for a clinic
to run; its in-memory store is per worker, so three workers would allow three
times the guesses. The database is already shared by every worker, and an
upsert (INSERT ... ON CONFLICT DO UPDATE) counts a failure atomically, so
concurrent guesses cannot lose a count.

Failures are counted in three scopes, each with a progressive delay (1 s, 2 s,
4 s, ... up to ``longest``) once its free attempts are used up:

- a login and a client together (``pair``): someone guessing one login's
  password from one place. It delays only that place, so an outsider cannot
  use it to keep the real user out;
- a client (``client``): one place guessing many logins;
- a login (``account``): many places guessing one login. It applies only to
  clients the login has not logged in from before (its login sessions), so a
  spread-out attack on a login cannot keep its owner out either.

Attempts refused by a delay are not counted: waiting it out is enough. A count
starts again once its scope has had no failure for ``RESET_AFTER``.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Table
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from planner.models import LoginSession
from planner.models import LoginThrottle

_THROTTLE: Table = LoginThrottle.__table__  # type: ignore[attr-defined]  # set by SQLModel
_SESSIONS: Table = LoginSession.__table__  # type: ignore[attr-defined]  # set by SQLModel

RESET_AFTER = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=1)
# Where a client is known to a login: it opened a session in this long.
KNOWN_CLIENT_DAYS = 90


@dataclass(frozen=True)
class ThrottleRules:
    """Free failures per scope, and the longest delay any scope can impose."""

    pair_free: int
    client_free: int
    account_free: int
    longest: timedelta


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised(email: str) -> str:
    return email.strip().lower()


def delay_after(failures: int, free: int, longest: timedelta) -> timedelta:
    """Return the wait a scope imposes after ``failures`` counted failures.

    None for the first ``free``; then 1 s, doubling with each further failure,
    never more than ``longest``.
    """
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 40)  # 2**40 s is far past any ``longest``
    return min(FIRST_DELAY * (1 << doublings), longest)


def _keys(email: str, client: str | None) -> dict[str, str]:
    account = normalised(email)
    where = client or "unknown"
    return {
        "pair": digest(f"pair:{account}\n{where}"),
        "client": digest(f"client:{where}"),
        "account": digest(f"account:{account}"),
    }


def login_wait(
    session: Session,
    *,
    email: str,
    client: str | None,
    known_client: bool,
    now: datetime,
    rules: ThrottleRules,
) -> timedelta:
    """Return how long this client must wait before its next password check."""
    keys = _keys(email, client)
    free = {
        "pair": rules.pair_free,
        "client": rules.client_free,
        "account": rules.account_free,
    }
    if known_client:
        del keys["account"]
    rows = session.connection().execute(
        select(_THROTTLE.c.scope, _THROTTLE.c.failures, _THROTTLE.c.last_failure_at)
        .where(_THROTTLE.c.key.in_(list(keys.values())))
        .where(_THROTTLE.c.last_failure_at > now - RESET_AFTER)
    )
    wait = timedelta(0)
    for row in rows:
        delay = delay_after(row.failures, free[row.scope], rules.longest)
        # A free attempt never waits, even when a concurrent failure was
        # stamped a moment after this request's own "now".
        if delay > timedelta(0):
            wait = max(wait, row.last_failure_at + delay - now)
    return wait


def is_known_client(
    session: Session, *, user_id: int | None, client: str | None, now: datetime
) -> bool:
    """Tell whether the login has had a session from this client lately."""
    if user_id is None or client is None:
        return False
    found = session.connection().execute(
        select(_SESSIONS.c.id)
        .where(
            _SESSIONS.c.user_id == user_id,
            _SESSIONS.c.client == client,
            _SESSIONS.c.created_at > now - timedelta(days=KNOWN_CLIENT_DAYS),
        )
        .limit(1)
    )
    return found.first() is not None


def note_failure(
    session: Session, *, email: str, client: str | None, now: datetime
) -> None:
    """Count one failed password check in every scope, atomically.

    Each scope is one upsert (``count_failure``). The caller commits.
    """
    account = digest(normalised(email))
    for scope, key in _keys(email, client).items():
        count_failure(
            session,
            key=key,
            scope=scope,
            account=None if scope == "client" else account,
            now=now,
        )


def count_failure(
    session: Session, *, key: str, scope: str, account: str | None, now: datetime
) -> None:
    """Count one failure under ``key``, atomically (an upsert); the caller commits.

    The count goes up by one in the database itself, so concurrent failures are
    all counted (or it starts again at one once the last failure is older than
    ``RESET_AFTER``).
    """
    connection = session.connection()
    dialect = connection.dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_THROTTLE).values(
        key=key,
        scope=scope,
        account=account,
        failures=1,
        last_failure_at=now,
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_THROTTLE.c.key],
            set_={
                "failures": case(
                    (_THROTTLE.c.last_failure_at <= now - RESET_AFTER, 1),
                    else_=_THROTTLE.c.failures + 1,
                ),
                "last_failure_at": now,
            },
        )
    )


def forget_failures(session: Session, *, email: str, client: str | None) -> None:
    """After a good password: clear this login's own counts (the caller commits).

    The client's count stays: a client guessing at many logins must not clear
    it by logging in to one it owns.
    """
    keys = _keys(email, client)
    session.connection().execute(
        delete(_THROTTLE).where(_THROTTLE.c.key.in_([keys["pair"], keys["account"]]))
    )


def clear_login(session: Session, *, email: str) -> int:
    """Clear every count naming this login (an admin's unlock); return how many."""
    result = session.connection().execute(
        delete(_THROTTLE).where(_THROTTLE.c.account == digest(normalised(email)))
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class LoginPressure:
    """Failed logins lately against one login, and until when new places wait."""

    failures: int
    new_clients_wait_until: datetime | None


def login_pressure(
    session: Session, emails: list[str], *, now: datetime, rules: ThrottleRules
) -> dict[str, LoginPressure]:
    """Return, per email, the recent failures counted against the login itself."""
    by_key = {digest(f"account:{normalised(email)}"): email for email in emails}
    if not by_key:
        return {}
    rows = session.connection().execute(
        select(_THROTTLE.c.key, _THROTTLE.c.failures, _THROTTLE.c.last_failure_at)
        .where(_THROTTLE.c.key.in_(list(by_key)))
        .where(_THROTTLE.c.last_failure_at > now - RESET_AFTER)
    )
    found: dict[str, LoginPressure] = {}
    for row in rows:
        ready = row.last_failure_at + delay_after(
            row.failures, rules.account_free, rules.longest
        )
        found[by_key[row.key]] = LoginPressure(
            row.failures, ready if ready > now else None
        )
    return found
