"""FHIR R4 downloads: a patient's record as a Bundle, every patient's as NDJSON.

Clinicians (admins and injectors) may export one patient; only admins the whole
clinic. Files are named by MRN, never by name, and every export is in the audit
trail as EXPORT.
"""

from flask import Blueprint
from flask import current_app
from flask import request
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Role
from planner.services.fhir_export import FHIR_JSON
from planner.services.fhir_export import FHIR_NDJSON
from planner.services.fhir_export import export_all_patients
from planner.services.fhir_export import export_patient
from planner.views.context import clinic_today
from planner.views.context import face_map

bp = Blueprint("fhir", __name__)


def _refuse_options() -> None:
    """Say that query options are not understood rather than silently ignore them."""
    if request.args:
        raise InvalidInput(
            "This export takes no options.",
            fields={
                key[:40]: "is not an option of this export" for key in request.args
            },
        )


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/patients/<int:patient_id>/fhir.json")
@roles_required(Role.ADMIN, Role.INJECTOR)
def patient_bundle(patient_id: int) -> Response:
    """Download one patient's record as a FHIR R4 Bundle, named by MRN and date."""
    _refuse_options()
    bundle = export_patient(
        get_session(),
        current_actor(),
        patient_id,
        face_map=face_map(),
        clinic_name=current_app.config["CLINIC_NAME"],
        now=utc_now(),
    )
    # MRNs allow "/" and "."; keep the file name to one safe path segment.
    mrn = "".join(c if c.isalnum() or c == "-" else "-" for c in bundle.mrn)
    return _attachment(
        Response(bundle.body, mimetype=FHIR_JSON),
        f"fhir-{mrn}-{clinic_today().isoformat()}.json",
    )


@bp.get("/exports/fhir.ndjson")
@roles_required(Role.ADMIN)
def all_bundles() -> Response:
    """Stream every patient's Bundle, one per line (NDJSON), as a download."""
    _refuse_options()
    lines = export_all_patients(
        get_session(),
        current_actor(),
        face_map=face_map(),
        clinic_name=current_app.config["CLINIC_NAME"],
        now=utc_now(),
    )
    # No stream_with_context: the lines read through a session of their own and
    # need nothing of the request, which ends (closing its session) as usual.
    return _attachment(
        Response(lines, mimetype=FHIR_NDJSON),
        f"fhir-all-patients-{clinic_today().isoformat()}.ndjson",
    )
