"""The answer of every page of a session in a product planner cannot chart.

A product the shipped dose reference does not list has no limits, tap defaults
or steps, and never takes another product's (``NoDoseReference``). Each page of
such a session (chart, panels, record, the forms under the chart) says which
product, why, and what to do, as the chart page does, with the discard link
where the user may discard the draft: never the generic "That did not work".
"""

from flask import Blueprint
from flask import render_template
from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.db import get_session
from planner.errors import NoDoseReference
from planner.errors import error_response
from planner.errors import wants_json
from planner.models import Role
from planner.models import SessionStatus
from planner.services.sessions import get_session_record

# What the page could not do; a form posted under the chart changed nothing.
HEADINGS = {
    "sessions.chart": "This chart cannot be opened",
    "sessions.panels": "This chart cannot be opened",
    "reports.record_pdf": "This record cannot be printed",
    "reports.handout_pdf": "This handout cannot be printed",
}
CHANGE_HEADING = "This chart cannot be changed"


def no_reference_page(exc: NoDoseReference) -> tuple[Response | str, int]:
    """Say which product, why it cannot be charted, and offer the discard."""
    # Whatever the request wrote before the refusal is not kept.
    get_session().rollback()
    session_id = (request.view_args or {}).get("session_id")
    if wants_json() or not isinstance(session_id, int):
        return error_response(exc.status, exc.message, exc.fields)
    record = get_session_record(get_session(), session_id)
    heading = HEADINGS.get(request.endpoint or "", CHANGE_HEADING)
    return render_template(
        "sessions/no_reference.html",
        heading=heading,
        record=record,
        brand=exc.brand,
        message=exc.message,
        can_discard=record.status == SessionStatus.DRAFT
        and current_user.role == Role.INJECTOR,
    ), exc.status


def answer_no_reference(bp: Blueprint) -> None:
    """Answer ``NoDoseReference`` on the blueprint's pages with the page above."""
    bp.register_error_handler(NoDoseReference, no_reference_page)
