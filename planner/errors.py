"""Domain exceptions and the app's error pages and JSON error bodies."""

from typing import Any

from flask import Flask
from flask import Response
from flask import g
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class PlannerError(Exception):
    """Base for errors a service raises and a view turns into an answer."""

    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(PlannerError):
    status = 404


class Forbidden(PlannerError):
    status = 403


class InvalidInput(PlannerError):
    """Input that failed validation; ``fields`` maps each field to its reason."""

    status = 400


class StaleWrite(PlannerError):
    """Someone saved the record since this editor loaded it."""

    status = 409


class Conflict(PlannerError):
    status = 409


def wants_json() -> bool:
    """Answer API calls, and callers that ask for JSON, with JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int, message: str, fields: dict[str, str] | None = None
) -> tuple[Response | str, int]:
    """Render an error as JSON for API callers or as a page for people."""
    if wants_json():
        body: dict[str, Any] = {"error": message}
        if fields:
            body["fields"] = fields
        return jsonify(body), status
    return render_template(
        "errors/error.html", status=status, message=message, fields=fields or {}
    ), status


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PlannerError)
    def planner_error(exc: PlannerError) -> tuple[Response | str, int]:
        _rollback()
        return error_response(exc.status, exc.message, exc.fields)

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

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        # Log the type and place only: exception text can carry patient data.
        app.logger.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url_rule,
            exc_info=app.config.get("LOG_TRACEBACKS", False),
        )
        _rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise exc
        return error_response(
            500, "Something went wrong on our side; nothing was saved."
        )
