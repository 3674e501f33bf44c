"""The engine per app and one database session per request."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
from sqlmodel import create_engine

from planner.private_files import DIR_MODE
from planner.private_files import make_private
from planner.private_files import touch_private

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_SYNCHRONOUS = "FULL"
# PostgreSQL's lock_not_available (a lock_timeout ran out).
_PG_LOCK_NOT_AVAILABLE = "55P03"


def _driver_code(exc: DBAPIError) -> tuple[str | None, str | None]:
    """Return the driver's SQLite error name and PostgreSQL SQLSTATE, if any."""
    return (
        getattr(exc.orig, "sqlite_errorname", None),
        getattr(exc.orig, "sqlstate", None),
    )


def is_not_a_database(exc: DBAPIError) -> bool:
    """Tell whether the database file is not a SQLite database at all."""
    return _driver_code(exc)[0] == "SQLITE_NOTADB"


def is_busy(exc: DBAPIError) -> bool:
    """Tell whether another process held a lock past the busy timeout."""
    name, state = _driver_code(exc)
    return name in ("SQLITE_BUSY", "SQLITE_LOCKED") or state == _PG_LOCK_NOT_AVAILABLE


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss,
    # and an acknowledged tap at the chair must survive that.
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.close()


def _private_database(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it.

    SQLite gives its WAL and SHM files the database file's own permissions, so
    all three stay 0600 whatever the umask; files made by an older planner
    are tightened too.
    """
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    touch_private(path)
    for companion in ("-wal", "-shm", "-journal"):
        found = path.with_name(path.name + companion)
        if found.exists():
            make_private(found)


def build_engine(url: str) -> Engine:
    """Create an engine for a SQLAlchemy URL with the settings planner relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # Every connection must see the same in-memory database (SQLModel docs).
            engine = create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            path = Path(parsed.database)
            engine = create_engine(url, connect_args={"timeout": 10})
            if path.exists():
                _private_database(path)
            else:
                # Made on the first connection, not here: a command that only
                # reads (``backup``) must never create an empty database.
                event.listen(
                    engine, "do_connect", lambda *_args: _private_database(path)
                )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def init_app(app: Flask) -> None:
    """Bind an engine to the app and close each request's session at teardown."""
    app.extensions["planner.engine"] = build_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_engine(app: Flask | None = None) -> Engine:
    """Return the engine bound to ``app`` (default: the current app)."""
    target = app if app is not None else current_app
    engine: Engine = target.extensions["planner.engine"]
    return engine


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session outside a request (CLI, benchmarks), closing it after."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
