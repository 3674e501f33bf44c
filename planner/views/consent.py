"""Consent at the chair: the patient reads and signs on the tablet.

Clinicians (admins and injectors) witness signatures, record consent held
elsewhere and record withdrawals; staff, who book and register, do not. Every
consent has its own page and a PDF copy for the patient.
"""

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.clinic_time import local_day
from planner.consent import SIGNATURE_HEIGHT
from planner.consent import SIGNATURE_WIDTH
from planner.consent import form_blocks
from planner.consent.kinds import KIND_LABELS
from planner.consent.kinds import METHOD_LABELS
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Role
from planner.reports import consent as consent_report
from planner.reports.render import render_pdf
from planner.services import consent as service
from planner.services import consent_status
from planner.services import consent_validity
from planner.services.audit import record_print
from planner.services.consent_forms import current_form
from planner.services.consent_forms import parse_kind
from planner.services.drafts import patient_of_session
from planner.services.patients import get_patient
from planner.views.context import clinic_zone
from planner.views.context import posted_form
from planner.views.redirects import LocalPage
from planner.views.redirects import local_page
from planner.views.reports import report_html
from planner.views.reports import static_folder

bp = Blueprint("consent", __name__)

CLINICIANS = (Role.ADMIN, Role.INJECTOR)
FIELD_LABELS = {
    "printed_name": "Your name",
    "strokes": "Signature",
    "typed_confirm": "Typed signature",
    "method": "How you sign",
    "form_id": "The form",
    "reason": "Reason",
}


# The pages that link to consent with themselves as ``next``, and what the way back
# says: the chart's consent banner and the new-session form. No other page is
# followed, and these only when they are the same patient's (:func:`_came_from`).
BACK_TO = {
    "sessions.chart": "Back to the chart",
    "sessions.new": "Back to the new session",
}


@dataclass(frozen=True)
class Back:
    """The page a consent page returns to, and the words of its button."""

    url: str
    label: str


def _render_index(
    patient_id: int,
    status: int = 200,
    *,
    back: Back | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = get_session()
    statuses = consent_status.consent_overview(
        session, patient_id, now=utc_now(), zone=clinic_zone()
    )
    return render_template(
        "consent/index.html",
        patient=get_patient(session, patient_id),
        statuses=statuses,
        witnesses=consent_status.user_names(session, statuses),
        method_labels=METHOD_LABELS,
        valid_months=consent_validity.valid_months(session),
        errors=errors or {},
        submitted=submitted or {},
        labels=FIELD_LABELS,
        back=back,
    ), status


@bp.get("/patients/<int:patient_id>/consent")
@roles_required(*CLINICIANS)
def index(patient_id: int) -> tuple[str, int]:
    """Show each kind of consent: valid or not and why, the history, withdrawals."""
    return _render_index(
        patient_id, back=_came_from(request.args.get("next"), patient_id)
    )


def _came_from(target: str | None, patient_id: int) -> Back | None:
    """Return the page (a chart, the new-session form) consent was opened from.

    Those pages pass themselves as ``next`` so that recording consent (or
    leaving) goes back there. Only one of :data:`BACK_TO`'s pages of this app
    is followed (:func:`local_page`), and only when it is this patient's: consent
    recorded for one patient must never hand the clinician on to another
    patient's chart. Anything else is dropped; control characters are a 400.
    """
    page = local_page(target)
    if page is None or page.endpoint not in BACK_TO:
        return None
    if not _of_patient(page, patient_id):
        return None
    return Back(page.url, BACK_TO[page.endpoint])


def _of_patient(page: LocalPage, patient_id: int) -> bool:
    """Say whether a chart or new-session page is this patient's."""
    if page.endpoint == "sessions.new":
        return bool(page.args["patient_id"] == patient_id)
    owner = patient_of_session(get_session(), page.args["session_id"])
    return owner == patient_id


def _render_sign(
    patient_id: int,
    kind_name: str,
    status: int = 200,
    *,
    back: Back | None = None,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = get_session()
    kind = parse_kind(kind_name)
    patient = get_patient(session, patient_id)
    form = current_form(session, kind)
    session.commit()
    return render_template(
        "consent/sign.html",
        patient=patient,
        kind=kind,
        kind_label=KIND_LABELS[kind],
        form=form,
        blocks=form_blocks(form.body),
        errors=errors or {},
        submitted=submitted or {"printed_name": patient.full_name},
        labels=FIELD_LABELS,
        box=(SIGNATURE_WIDTH, SIGNATURE_HEIGHT),
        back=back,
    ), status


@bp.get("/patients/<int:patient_id>/consent/<kind>")
@roles_required(*CLINICIANS)
def sign_form(patient_id: int, kind: str) -> tuple[str, int]:
    """Show the form in large type, with the signature box, for the patient."""
    return _render_sign(
        patient_id, kind, back=_came_from(request.args.get("next"), patient_id)
    )


@bp.post("/patients/<int:patient_id>/consent/<kind>")
@roles_required(*CLINICIANS)
def sign(patient_id: int, kind: str) -> Response | tuple[str, int]:
    """Record the patient's signature, witnessed by the logged-in clinician."""
    data = posted_form()
    back = _came_from(data.pop("next", None), patient_id)
    data["typed_confirm"] = "typed_confirm" in data
    try:
        record = service.sign_consent(
            get_session(),
            current_actor(),
            patient_id,
            parse_kind(kind),
            data,
            now=utc_now(),
        )
    except InvalidInput as exc:
        return _render_sign(
            patient_id, kind, 400, back=back, errors=exc.fields, submitted=data
        )
    flash("Signed. Thank you.", "success")
    return redirect(back.url if back else url_for("consent.show", record_id=record.id))


@bp.post("/patients/<int:patient_id>/consent/<kind>/elsewhere")
@roles_required(*CLINICIANS)
def elsewhere(patient_id: int, kind: str) -> Response | tuple[str, int]:
    """Record that consent to the current form is held elsewhere, with the reason."""
    data = posted_form()
    back = _came_from(data.pop("next", None), patient_id)
    try:
        service.record_elsewhere(
            get_session(),
            current_actor(),
            patient_id,
            parse_kind(kind),
            data,
            now=utc_now(),
        )
    except InvalidInput as exc:
        return _render_index(
            patient_id,
            400,
            back=back,
            errors={kind: exc.fields},
            submitted={kind: data},
        )
    flash("Consent recorded with its reason.", "success")
    return redirect(
        back.url if back else url_for("consent.index", patient_id=patient_id)
    )


@bp.get("/consent/<int:record_id>")
@roles_required(*CLINICIANS)
def show(record_id: int) -> str:
    """Show one consent as signed: the text, the signature, who and when."""
    copy = consent_report.consent_copy(get_session(), record_id)
    return render_template("consent/show.html", copy=copy, labels=FIELD_LABELS)


@bp.post("/consent/<int:record_id>/withdraw")
@roles_required(*CLINICIANS)
def withdraw(record_id: int) -> Response | tuple[str, int]:
    """Record the patient's withdrawal: when, by whom, and why."""
    session = get_session()
    record = service.get_consent(session, record_id)
    patient_id, kind = record.patient_id, record.kind.value
    data = posted_form()
    back = _came_from(data.pop("next", None), patient_id)
    try:
        service.withdraw_consent(
            session, current_actor(), record_id, data, now=utc_now()
        )
    except InvalidInput as exc:
        return _render_index(
            patient_id,
            400,
            back=back,
            errors={f"withdraw-{record_id}": exc.fields},
            submitted={f"withdraw-{record_id}": data},
        )
    flash(f"Withdrawal of {kind} consent recorded.", "success")
    # A withdrawal is not consent: it stays on the consent page, keeping the way back.
    return redirect(
        url_for("consent.index", patient_id=patient_id, next=back.url if back else None)
    )


@bp.get("/consent/<int:record_id>/consent.pdf")
@roles_required(*CLINICIANS)
def pdf(record_id: int) -> Response:
    """Print the patient's copy of a signed consent."""
    session = get_session()
    copy = consent_report.consent_copy(session, record_id)
    html = report_html("reports/consent.html", printed_by=current_user.name, copy=copy)
    response = Response(
        render_pdf(html, base_url=static_folder(), variant=consent_report.PDF_VARIANT),
        mimetype="application/pdf",
    )
    day = local_day(copy.signed_at, clinic_zone()).isoformat()
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in copy.mrn)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="consent-{copy.record.kind.value}-{safe}-{day}.pdf"'
    )
    record_print(
        session,
        current_actor(),
        report="consent",
        entity_type="consent_record",
        entity_id=record_id,
        patient_id=copy.patient_id,
        detail={"kind": copy.record.kind.value, "version": copy.version},
    )
    return response
