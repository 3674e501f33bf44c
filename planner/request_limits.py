"""Refuse a request whose size alone would make the server work, or answer, too much.

``MAX_CONTENT_LENGTH`` (planner/config.py) caps the body; Flask's
``MAX_FORM_PARTS`` caps the parts of a multipart form but not the fields of a
urlencoded one, so within that body a form could still post tens of thousands
of rows, each rendered back into the page if the form is shown again. The same
cap applies to both kinds here.
"""

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from planner.errors import error_response


def _too_many_fields() -> tuple[Response | str, int] | None:
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    limit = int(current_app.config["MAX_FORM_PARTS"])
    count = sum(len(values) for _, values in request.form.lists())
    if count <= limit:
        return None
    return error_response(
        413,
        f"The form sent {count} fields; a form of this app sends at most {limit}.",
        {"form": f"has more than {limit} fields"},
    )


def init_app(app: Flask) -> None:
    """Check every request's form size before any view reads it."""
    app.before_request(_too_many_fields)
