"""Printable PDFs: a session's treatment record and handout, a patient's cycles.

The same PDFs are served under /api/v1 for API clients. Anyone logged in may
print; every print is noted in the audit trail. Prints are made on demand from
the stored data and kept nowhere: the handout is tagged (PDF/UA), the record
archival (PDF/A).
"""

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from spectree import Response as SpecResponse
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.clinic_time import local_day
from planner.db import get_session
from planner.db_types import utc_now
from planner.reports import handout as handout_report
from planner.reports import record as record_report
from planner.reports.comparison import comparison_report
from planner.reports.diary_qr import diary_qr
from planner.reports.handout import patient_handout
from planner.reports.record import treatment_record
from planner.reports.render import PdfVariant
from planner.reports.render import render_pdf
from planner.reports.render import render_pdf_first_fitting
from planner.services.audit import record_print
from planner.services.diary_reprint import printable_link
from planner.views.api import ERRORS
from planner.views.api import spec
from planner.views.context import chosen_cycles
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import diary_key
from planner.views.context import face_map
from planner.views.no_reference import answer_no_reference

bp = Blueprint("reports", __name__)
answer_no_reference(bp)
api_bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")

# The PDF itself has no JSON model; spectree documents it by description alone.
PDF_RESPONSES = SpecResponse(
    HTTP_200=(None, "The report as a PDF file (application/pdf)."), **ERRORS
)


def _filename(kind: str, mrn: str, on: date) -> str:
    """Name the file by MRN and date: no patient name in a download folder."""
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in mrn)
    return f"{kind}-{safe}-{on.isoformat()}.pdf"


def report_html(template: str, *, printed_by: str, **context: Any) -> str:
    """Render a report's HTML with the clinic's details; needs an app context."""
    config = current_app.config
    return render_template(
        template,
        clinic_name=config["CLINIC_NAME"],
        clinic_phone=config["CLINIC_PHONE"],
        paper_size=config["PAPER_SIZE"],
        emergency_number=config.get("EMERGENCY_NUMBER", "999"),
        printed_at=utc_now(),
        printed_by=printed_by,
        **context,
    )


def static_folder() -> str:
    """Return the folder a report's relative URLs (its stylesheet) resolve in."""
    folder = current_app.static_folder
    assert folder is not None
    return folder


def _pdf(
    template: str,
    filename: str,
    *,
    variant: PdfVariant | None = None,
    **context: Any,
) -> Response:
    """Render a report template to a PDF download."""
    html = report_html(template, printed_by=current_user.name, **context)
    return _download(
        render_pdf(html, base_url=static_folder(), variant=variant), filename
    )


def _download(pdf: bytes, filename: str) -> Response:
    """Answer a PDF as a download named ``filename``."""
    response = Response(pdf, mimetype="application/pdf")
    # A download, not inline: Chrome's PDF viewer is blocked by the app's CSP
    # (object-src 'none'), and the file name is what the clinic files it under.
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/sessions/<int:session_id>/record.pdf")
def record_pdf(session_id: int) -> Response:
    """Print a session's treatment record (a draft prints marked as one)."""
    now = utc_now()
    record = treatment_record(
        get_session(), session_id, face_map=face_map(), zone=clinic_zone(), now=now
    )
    # The map, its caption and totals print whole, so when they do not fit
    # under the panels the sites table comes first and fills page 1 instead.
    htmls = (
        report_html(
            "reports/record.html",
            printed_by=current_user.name,
            record=record,
            sites_first=sites_first,
        )
        for sites_first in (False, True)
    )
    response = _download(
        render_pdf_first_fitting(
            htmls,
            anchor=record_report.FIRST_PAGE_ANCHOR,
            base_url=static_folder(),
            variant=record_report.PDF_VARIANT,
        ),
        _filename(
            "record", record.patient.mrn, local_day(record.performed_at, clinic_zone())
        ),
    )
    record_print(
        get_session(),
        current_actor(),
        report="record",
        entity_type="treatment_session",
        entity_id=session_id,
        patient_id=record.patient.id,
        detail={"status": record.status, "amended": record.amended},
    )
    return response


@bp.get("/sessions/<int:session_id>/handout.pdf")
def handout_pdf(session_id: int) -> Response:
    """Print the patient's take-home sheet for a session."""
    handout = patient_handout(
        get_session(),
        session_id,
        face_map=face_map(),
        zone=clinic_zone(),
        now=utc_now(),
    )
    # Printing changes nothing: the link's token is derived again, so every
    # printout of this cycle carries the same working link.
    link = printable_link(
        get_session(), session_id, key=diary_key(), now=utc_now(), zone=clinic_zone()
    )
    if link is not None and link.printed is not None:
        url = url_for("diary.home", token=link.printed.token, _external=True)
        expires_on = link.printed.expires_on
        handout = replace(handout, diary=diary_qr(url, expires_on=expires_on))
    elif link is not None:
        handout = replace(handout, diary_elsewhere=True)
    response = _pdf(
        "reports/handout.html",
        _filename("handout", handout.mrn, local_day(handout.treated_on, clinic_zone())),
        variant=handout_report.PDF_VARIANT,
        handout=handout,
    )
    record_print(
        get_session(),
        current_actor(),
        report="handout",
        entity_type="treatment_session",
        entity_id=session_id,
        patient_id=handout.patient_id,
        detail={
            "status": "signed" if handout.signed else "draft",
            "reprint": handout.reprinted_on is not None,
        },
    )
    return response


@bp.get("/patients/<int:patient_id>/comparison.pdf")
def comparison_pdf(patient_id: int) -> Response:
    """Print the comparison of a patient's cycles (``?cycle=`` repeated to choose)."""
    report = comparison_report(
        get_session(),
        patient_id,
        face_map=face_map(),
        zone=clinic_zone(),
        only=chosen_cycles(request.args) or None,
    )
    today = clinic_today()
    response = _pdf(
        "reports/comparison.html",
        _filename("cycles", report.patient.mrn, today),
        report=report,
    )
    record_print(
        get_session(),
        current_actor(),
        report="comparison",
        entity_type="patient",
        entity_id=patient_id,
        patient_id=patient_id,
        detail={"cycles": [card.number for card in report.cards]},
    )
    return response


# The same PDFs for API clients, listed in the OpenAPI document under "reports".
for _rule, _view in (
    ("/sessions/<int:session_id>/record.pdf", record_pdf),
    ("/sessions/<int:session_id>/handout.pdf", handout_pdf),
    ("/patients/<int:patient_id>/comparison.pdf", comparison_pdf),
):
    api_bp.add_url_rule(
        _rule, view_func=spec.validate(resp=PDF_RESPONSES, tags=["reports"])(_view)
    )
