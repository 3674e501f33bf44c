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
    # A list or search reads names and birth dates: who read it is kept, not what
    # was searched for.
    "patients.index": ReadRule("patient", None, "patient list"),
    "patients.detail": ReadRule("patient", "patient_id", "patient page"),
    "patients.edit": ReadRule("patient", "patient_id", "patient edit form"),
    "sessions.new": ReadRule("patient", "patient_id", "new treatment form"),
    "outcomes.new_assessment": ReadRule("patient", "patient_id", "assessment form"),
    "outcomes.new_self_entry": ReadRule("patient", "patient_id", "self-entry start"),
    "consent.index": ReadRule("patient", "patient_id", "consent page"),
    "consent.sign_form": ReadRule("patient", "patient_id", "consent form"),
    "consent.show": ReadRule("consent_record", "record_id", "consent record"),
    "photos.index": ReadRule("patient", "patient_id", "photos page"),
    "photos.compare": ReadRule("patient", "patient_id", "photo comparison"),
    "photos.mark": ReadRule("photo", "photo_id", "photo marking page"),
    "photos.capture": ReadRule("treatment_session", "session_id", "photo capture"),
    "sessions.discard_form": ReadRule(
        "treatment_session", "session_id", "discard form"
    ),
    "schedule.book_form": ReadRule("appointment", "appointment_id", "booking page"),
    "schedule.worklist": ReadRule("appointment", None, "worklist"),
    "schedule.week": ReadRule("appointment", None, "week of appointments"),
    "schedule.reminder_outbox": ReadRule("reminder", None, "reminder outbox"),
    "outcomes.cycles": ReadRule("patient", "patient_id", "cycles page"),
    "outcomes_api.cycles": ReadRule("patient", "patient_id", "API: cycles"),
    "api.get_patient": ReadRule("patient", "patient_id", "API: patient"),
    "api.list_patients": ReadRule("patient", None, "API: patient search"),
    "sessions.chart": ReadRule("treatment_session", "session_id", "chart page"),
    "chart_api.get_chart": ReadRule("treatment_session", "session_id", "API: chart"),
    "outcomes.response_form": ReadRule(
        "treatment_session", "session_id", "response page"
    ),
    # The cycle's response page, its adverse-event form filled from the entry.
    "diary.adverse_event_form": ReadRule(
        "diary_entry", "entry_id", "adverse event form from the diary"
    ),
    "schedule.appointment_ics": ReadRule(
        "appointment", "appointment_id", "appointment calendar file"
    ),
    "schedule.feed": ReadRule("calendar_feed", None, "calendar feed"),
}
IN_CHART = "part of the chart page, whose read is audited when it opens"
# GET routes that name a record but are not read here, and why.
NOT_READS = {
    "sessions.panels": IN_CHART,
    "chart_api.preview_copy_last": IN_CHART,
    "chart_api.preview_template": IN_CHART,
    "photos.image": "audited by the photos service (VIEW)",
    "photos.archive": "audited by the photo export (EXPORT)",
    "fhir.patient_bundle": "audited by the FHIR export (EXPORT)",
    "exports.download": "audited by the research export (EXPORT)",
    "consent.pdf": "audited as a print (PRINT)",
    "reports.comparison_pdf": "audited as a print (PRINT)",
    "reports.handout_pdf": "audited as a print (PRINT)",
    "reports.record_pdf": "audited as a print (PRINT)",
    "reports_api.comparison_pdf": "audited as a print (PRINT)",
    "reports_api.handout_pdf": "audited as a print (PRINT)",
    "reports_api.record_pdf": "audited as a print (PRINT)",
    "diary.home": "the patient's own link, audited by the diary (VIEW)",
    "diary.step": "the patient's own link, audited by the diary (VIEW)",
    "settings.edit_template": "a clinic template, no patient's record",
    "settings.limits": "a product's dose limits, no patient's record",
    "users.edit": "a staff login, no patient's record",
    "static": "files of the app itself",
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
