"""Domain exceptions and the app's error pages and JSON error bodies."""

import re
from typing import Any

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

# An answer says which fields were wrong, never what was sent: a field's name
# can be anything a client posts, and an error page that repeats it is a way to
# make the server send back many times what it received (issue 18).
MAX_FIELDS = 30
MAX_NAME = 80
MAX_REASON = 300
MAX_MESSAGE = 500


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded_fields(fields: dict[str, str] | None) -> dict[str, str]:
    """Keep the first ``MAX_FIELDS`` fields, each name and reason cut to length."""
    kept: dict[str, str] = {}
    for name, reason in (fields or {}).items():
        if len(kept) == MAX_FIELDS:
            kept["…"] = f"and {len(fields or {}) - MAX_FIELDS} more"
            break
        kept.setdefault(_clip(str(name), MAX_NAME), _clip(str(reason), MAX_REASON))
    return kept


class PlannerError(Exception):
    """Base for errors a service raises and a view turns into an answer.

    ``heading`` heads the error page in place of the status's own words;
    ``labels`` names some of the ``fields`` in words, for a JSON client that
    shows no input for them (a view may set it while the error passes through).
    """

    status = 400
    heading: str | None = None

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = _clip(message, MAX_MESSAGE)
        self.fields = bounded_fields(fields)
        self.labels: dict[str, str] = {}


class NotFound(PlannerError):
    status = 404


class Forbidden(PlannerError):
    status = 403


class InvalidInput(PlannerError):
    """Input that failed validation; ``fields`` maps each field to its reason."""

    status = 400


class NoDoseReference(InvalidInput):
    """A product the shipped dose reference does not list: it cannot be charted.

    Its limits, tap defaults and steps would have to come from another product's
    units, which are never converted (clinical reference §2.1).
    """

    def __init__(self, brand: str) -> None:
        reason = f"no dose reference for {brand}: planner cannot chart it"
        super().__init__(f"N{reason[1:]}.", fields={"product": reason})
        self.brand = brand


class StaleWrite(PlannerError):
    """Someone saved the record since this editor loaded it."""

    status = 409


class Conflict(PlannerError):
    status = 409


class SignedSession(Conflict):
    """A change refused because the session is signed: nobody else changed it,
    so the page says so rather than the 409's "Changed by someone else"."""

    heading = "This session is signed"


class UnexportableRecord(PlannerError):
    """A patient's stored record that an export cannot carry as it stands.

    The message names the row and the reason, so that it can be found and
    corrected; nothing is exported meanwhile.
    """

    status = 422
    heading = "This record cannot be exported"

    def __init__(self, patient_id: int, reason: str) -> None:
        super().__init__(
            f"Patient {patient_id}'s record cannot be exported as FHIR: {reason}. "
            "Correct the record, then export again.",
            fields={"record": reason},
        )
        self.patient_id = patient_id
        self.reason = reason


def wants_json() -> bool:
    """Answer API calls, and callers that ask for JSON, with JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int,
    message: str,
    fields: dict[str, str] | None = None,
    *,
    heading: str | None = None,
    labels: dict[str, str] | None = None,
) -> tuple[Response | str, int]:
    """Render an error as JSON for API callers or as a page for people, headed
    ``heading`` when given, else by the status.

    ``labels`` names fields in words; JSON carries those of the kept ``fields``.
    """
    message, fields = _clip(message, MAX_MESSAGE), bounded_fields(fields)
    if wants_json():
        body: dict[str, Any] = {"error": message}
        if fields:
            body["fields"] = fields
        named = {
            name: _clip(text, MAX_REASON)
            for name, text in (labels or {}).items()
            if name in fields
        }
        if named:
            body["labels"] = named
        return jsonify(body), status
    return render_template(
        "errors/error.html",
        status=status,
        message=message,
        fields=fields,
        heading=heading,
    ), status


_SQLITE_CONSTRAINT = re.compile(r"constraint failed: (?P<columns>[\w., ]+)")
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>[\w, ]+)\)")


def clashing_fields(exc: IntegrityError) -> dict[str, str]:
    """Name the fields a constraint refused, from the driver's words (not values).

    SQLite says ``UNIQUE constraint failed: table.a, table.b``; PostgreSQL's
    detail says ``Key (a, b)=(...) already exists``: only the names are kept.
    """
    text = str(exc.orig)
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None) or ""
    found = _POSTGRES_KEY.search(detail) or _SQLITE_CONSTRAINT.search(text)
    if found is None:
        return {"form": "clashes with a record saved at the same time"}
    names = [part.strip().rsplit(".", 1)[-1] for part in found["columns"].split(",")]
    if "FOREIGN KEY" in text or "is not present" in detail:
        reason = "names a record that no longer exists"
    elif "NOT NULL" in text or "null value" in text:
        reason = "is required"
    else:
        reason = "is already saved with this value"
    return {name: reason for name in names if name}


def rollback_request() -> None:
    """Roll back this request's database session, if it opened one."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def unexpected_error(exc: Exception) -> tuple[Response | str, int]:
    """Answer an error nothing else handles: a 500 that says nothing was saved."""
    app = current_app
    # Log the type and place only: exception text can carry patient data.
    app.logger.error(
        "unhandled %s on %s %s",
        type(exc).__name__,
        request.method,
        request.url_rule,
        exc_info=app.config.get("LOG_TRACEBACKS", False),
    )
    rollback_request()
    if app.config.get("TESTING") and app.config.get("PROPAGATE_UNEXPECTED", True):
        raise exc
    return error_response(500, "Something went wrong on our side; nothing was saved.")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PlannerError)
    def planner_error(exc: PlannerError) -> tuple[Response | str, int]:
        rollback_request()
        return error_response(
            exc.status,
            exc.message,
            exc.fields,
            heading=exc.heading,
            labels=exc.labels,
        )

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError) -> tuple[Response | str, int]:
        # Two submits of one form at once (a double click, a retried request):
        # both passed the service's checks, and the database kept only one.
        rollback_request()
        return error_response(
            409,
            "This clashes with a record saved a moment ago, perhaps the same "
            "form sent twice; nothing of this request was saved. Reload the "
            "page to see what is there now.",
            clashing_fields(exc),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
        return error_response(
            400,
            "The form's security token is missing or expired. "
            "Reload the page and try again.",
            {"csrf_token": str(exc.description)},
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = make_response(error_response(status, exc.description or exc.name))
        # Keep the headers the error carries, such as a 405's Allow (RFC 9110).
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    app.register_error_handler(Exception, unexpected_error)
