"""Answer 503, never a 500, while the database's migration is not the code's.

A clinic that updates planner and forgets ``init-db`` (``make run`` runs it)
has a database one or more migrations behind: every page that reads a changed
table failed with the driver's error, a 500. Before each request the database's
migration is compared with the code's, and a mismatch is answered with a 503
that says who fixes it and how: a plain page for staff, JSON for the API.

The comparison is one small query (``planner.migrate.schema_mismatch``). Once it
agrees it is kept for the process: the schema does not change under a running
planner but by ``init-db``. A database error during a request (a backup of an
older planner restored under it, say) forgets that verdict, so the request and
the ones after it are checked again.

``/healthz`` answers for itself (a load balancer reads its JSON) and static
files need no database. Nothing here runs with ``CHECK_SCHEMA`` off: the test
suite builds its schemas without Alembic's version row.
"""

from flask import Flask
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from sqlalchemy.exc import DatabaseError
from sqlalchemy.exc import SQLAlchemyError

from planner.db import get_engine
from planner.db import is_not_a_database
from planner.errors import rollback_request
from planner.errors import unexpected_error
from planner.errors import wants_json
from planner.migrate import UPGRADE_COMMAND
from planner.migrate import SchemaMismatch
from planner.migrate import schema_mismatch

NEEDS_UPDATE = (
    f"The database needs updating: an administrator runs `{UPGRADE_COMMAND}` "
    "(or `make run`)."
)
NEEDS_NEWER_PLANNER = (
    "The database was updated by a newer planner than the one on this server: "
    "an administrator updates planner here."
)
NOT_A_DATABASE = (
    "The file planner is set to use is not a database: an administrator checks "
    "PLANNER_DATABASE_URL (or restores the clinic's database file)."
)
NOT_ANSWERING = (
    "The database is not answering. Try again in a minute; if it lasts, tell "
    "an administrator."
)
# The routes that need no gate: /healthz says the same in its own JSON.
EXEMPT = frozenset({"static", "health.healthz"})
SCHEMA_OK = "planner.schema_ok"

Answer = tuple[Response | str, int]


def _unavailable(heading: str, message: str, detail: str | None) -> Answer:
    """Answer 503: JSON for API callers, a page that needs no database for people."""
    if wants_json():
        body = {"error": message} | ({"schema": detail} if detail else {})
        return jsonify(body), 503
    # Not render_template: its context processors ask who is logged in
    # (Flask-Login's current_user), a query on the schema that does not fit.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        heading=heading,
        message=message,
        detail=detail,
        CLINIC_NAME=current_app.config["CLINIC_NAME"],
    )
    return page, 503


def _mismatch_answer(mismatch: SchemaMismatch) -> Answer:
    if mismatch.newer:
        return _unavailable(
            "planner needs updating", NEEDS_NEWER_PLANNER, str(mismatch)
        )
    return _unavailable("The database needs updating", NEEDS_UPDATE, str(mismatch))


def check_schema() -> Answer | None:
    """Answer 503 unless the database's migration is the code's (or unchecked)."""
    app = current_app
    if not app.config["CHECK_SCHEMA"] or request.endpoint in EXEMPT:
        return None
    if app.extensions.get(SCHEMA_OK):
        return None
    try:
        mismatch = schema_mismatch(get_engine())
    except DatabaseError as exc:
        if is_not_a_database(exc):
            return _unavailable("The database cannot be read", NOT_A_DATABASE, None)
        return _unavailable("The database is not answering", NOT_ANSWERING, None)
    except SQLAlchemyError:
        return _unavailable("The database is not answering", NOT_ANSWERING, None)
    if mismatch is not None:
        return _mismatch_answer(mismatch)
    app.extensions[SCHEMA_OK] = True
    return None


def database_error(exc: DatabaseError) -> Answer:
    """Check the schema again after a database error: 503 if it moved, else 500."""
    rollback_request()
    current_app.extensions.pop(SCHEMA_OK, None)
    answer = check_schema()
    if answer is not None:
        return answer
    return unexpected_error(exc)


def init_app(app: Flask) -> None:
    """Check the schema before each request: before the login, which reads it."""
    app.before_request(check_schema)
    # Every driver error but IntegrityError, which errors.py answers as a clash:
    # a file that is not a database raises the base DatabaseError itself.
    app.register_error_handler(DatabaseError, database_error)
