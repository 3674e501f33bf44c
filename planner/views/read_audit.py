"""Audit the reads of patient records, for every page and API call that shows one.

One table says which endpoints read a record, of what kind and from which URL
argument; one hook writes the VIEW event once the read has succeeded. Prints
and exports are audited by their own views (PRINT, EXPORT).
"""

from dataclasses import dataclass

from flask import Flask
from flask import Response
from flask import request

from planner.access import current_actor
from planner.db import get_session
from planner.db_types import utc_now
from planner.services.audit import Actor
from planner.services.read_audit import feed_owner
from planner.services.read_audit import record_read


@dataclass(frozen=True)
class ReadRule:
    """What an endpoint reads: the record's kind, its URL argument, and a label."""

    entity_type: str
    arg: str | None
    what: str


RULES = {
    "patients.detail": ReadRule("patient", "patient_id", "patient page"),
    "patients.edit": ReadRule("patient", "patient_id", "patient edit form"),
    "outcomes.cycles": ReadRule("patient", "patient_id", "cycles page"),
    "outcomes_api.cycles": ReadRule("patient", "patient_id", "API: cycles"),
    "api.get_patient": ReadRule("patient", "patient_id", "API: patient"),
    # A search reads names and birth dates: who searched is kept, not for what.
    "api.list_patients": ReadRule("patient", None, "API: patient search"),
    "sessions.chart": ReadRule("treatment_session", "session_id", "chart page"),
    "chart_api.get_chart": ReadRule("treatment_session", "session_id", "API: chart"),
    "outcomes.response_form": ReadRule(
        "treatment_session", "session_id", "response page"
    ),
    "schedule.appointment_ics": ReadRule(
        "appointment", "appointment_id", "appointment calendar file"
    ),
    "schedule.feed": ReadRule("calendar_feed", None, "calendar feed"),
}


def _reader() -> Actor | None:
    if request.endpoint == "schedule.feed":
        # Fetched by a calendar app, not a login: the token names the reader.
        owner = feed_owner(get_session(), str((request.view_args or {})["token"]))
        if owner is None:
            return None
        return Actor(owner.user_id, owner.email, request.remote_addr)
    return current_actor()


def _audit_read(response: Response) -> Response:
    rule = RULES.get(request.endpoint or "")
    if rule is None or response.status_code != 200:
        return response
    actor = _reader()
    if actor is None:
        return response
    value = (request.view_args or {}).get(rule.arg) if rule.arg else None
    record_read(
        get_session(),
        actor,
        entity_type=rule.entity_type,
        entity_id=value if isinstance(value, int) else None,
        what=rule.what,
        now=utc_now(),
    )
    return response


def init_app(app: Flask) -> None:
    """Write a VIEW event after every successful read of a record."""
    app.after_request(_audit_read)
