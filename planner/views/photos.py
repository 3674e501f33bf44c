"""Photographs: consent, capture at the chair, marking, comparing, the archive.

Photos are clinical records: admins and injectors may see them, injectors take
and mark them, and staff (who book and register) never see them. Only admins
download a patient's archive, which includes photos hidden by a withdrawn
consent. Every image sent is an audited VIEW and is never cached.
"""

from collections.abc import Iterator
from tempfile import SpooledTemporaryFile
from typing import IO
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from planner import photometry
from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import error_response
from planner.models import Role
from planner.services import photo_album
from planner.services import photo_compare
from planner.services import photo_consent
from planner.services import photo_export
from planner.services import photo_marks
from planner.services import photos as service
from planner.services.patients import get_patient
from planner.services.photo_views import list_views
from planner.views.context import chosen_cycles
from planner.views.context import clinic_zone
from planner.views.context import posted_form

bp = Blueprint("photos", __name__)

CLINICIANS = (Role.ADMIN, Role.INJECTOR)
# The photo plus the form around it; a photo over photometry.MAX_BYTES is then
# refused by name, and anything larger still by the 413 handler below.
UPLOAD_LIMIT = photometry.MAX_BYTES + 1024 * 1024
MEGABYTES = photometry.MAX_BYTES // (1024 * 1024)
# The capture page's live preview needs the camera, which the app's default
# Permissions-Policy turns off everywhere else.
CAMERA_POLICY = "camera=(self), microphone=()"
TIMEPOINT_CHOICES = {
    "pre_treatment": "Before the injections",
    "review": "At the review",
    "other": "Other",
}


def _allow_photo_upload() -> None:
    if request.endpoint == "photos.upload":
        request.max_content_length = UPLOAD_LIMIT


@bp.record_once
def _raise_the_upload_limit_first(state: BlueprintSetupState) -> None:
    # The CSRF check reads the form in an app-wide before_request registered
    # before any blueprint, under the app's 2 MB limit: a photo's route must
    # lift that limit ahead of it, so this runs first.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_photo_upload)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> tuple[Response | str, int]:
    return error_response(
        413,
        "The photo was not saved.",
        {"photo": f"is larger than {MEGABYTES} MB; take it again"},
    )


def _index_page(patient_id: int, errors: dict[str, str]) -> str:
    session = get_session()
    now, zone = utc_now(), clinic_zone()
    consent = photo_consent.consent_in_force(session, patient_id, now=now, zone=zone)
    return render_template(
        "photos/index.html",
        patient=get_patient(session, patient_id),
        consent=consent,
        albums=[]
        if consent.hidden
        else photo_album.patient_album(session, patient_id, zone=zone, now=now),
        views=list_views(session),
        timepoints=TIMEPOINT_CHOICES,
        errors=errors,
    )


@bp.get("/patients/<int:patient_id>/photos")
@roles_required(*CLINICIANS)
def index(patient_id: int) -> str:
    """Show the photography consent and every cycle's photos, view by view."""
    return _index_page(patient_id, {})


@bp.post("/patients/<int:patient_id>/photos/consent")
@roles_required(Role.INJECTOR)
def record_consent(patient_id: int) -> Response | tuple[str, int]:
    """Record the patient's photography consent, or its withdrawal."""
    form = posted_form()
    try:
        service.record_consent(
            get_session(), current_actor(), patient_id, form, now=utc_now()
        )
    except InvalidInput as exc:
        return _index_page(patient_id, exc.fields), 400
    flash("Photography consent recorded.", "success")
    return redirect(url_for("photos.index", patient_id=patient_id))


def _capture_step(
    session_id: int, view: str | None, timepoint: str | None
) -> photo_album.CaptureStep:
    return photo_album.capture_step(
        get_session(),
        session_id,
        view_code=view,
        timepoint=timepoint,
        zone=clinic_zone(),
        now=utc_now(),
    )


def _capture_page(
    session_id: int, view: str | None, timepoint: str | None, errors: dict[str, str]
) -> tuple[str, int, dict[str, str]]:
    step = _capture_step(session_id, view, timepoint)
    page = render_template(
        "photos/capture.html",
        step=step,
        timepoints=TIMEPOINT_CHOICES,
        max_megabytes=MEGABYTES,
        errors=errors,
    )
    return page, 400 if errors else 200, {"Permissions-Policy": CAMERA_POLICY}


@bp.get("/sessions/<int:session_id>/photos/capture")
@roles_required(Role.INJECTOR)
def capture(session_id: int) -> Response | tuple[str, int, dict[str, str]]:
    """Take the standard views one after another, with a framing guide.

    Without photography consent it sends the clinician to record it; when the
    signed form is no longer valid the page says why and takes no photo.
    """
    cycle = service.cycle_session(get_session(), session_id)
    consent = photo_consent.consent_in_force(
        get_session(), cycle.patient_id, now=utc_now(), zone=clinic_zone()
    )
    if not consent.allows_capture and consent.closed_because is None:
        flash("Record the patient's photography consent before taking photos.", "error")
        return redirect(url_for("photos.index", patient_id=cycle.patient_id))
    return _capture_page(
        session_id, request.args.get("view"), request.args.get("timepoint"), {}
    )


@bp.post("/sessions/<int:session_id>/photos")
@roles_required(Role.INJECTOR)
def upload(session_id: int) -> Response | tuple[str, int, dict[str, str]]:
    """Store one view's photo, then go on to the next view still to take."""
    upload = request.files.get("photo")
    view, timepoint = request.form.get("view", ""), request.form.get("timepoint", "")
    try:
        photo = service.add_photo(
            get_session(),
            current_actor(),
            session_id,
            view_code=view,
            timepoint=timepoint,
            data=upload.read() if upload else b"",
            now=utc_now(),
            zone=clinic_zone(),
        )
    except photo_consent.ConsentLapsed as exc:
        # The page says what the consent needs and takes no photo until then.
        return _capture_page(session_id, view, timepoint, exc.fields)
    except InvalidInput as exc:
        if set(exc.fields) != {"photo"}:
            raise  # no consent, or a forged view or timepoint: the error page says so
        return _capture_page(session_id, view, timepoint, exc.fields)
    step = _capture_step(session_id, view, timepoint)
    flash(f"{step.current.label if step.current else 'Photo'} saved.", "success")
    values: dict[str, Any] = {"timepoint": timepoint}
    if step.next_code:
        values["view"] = step.next_code
    return redirect(url_for("photos.capture", session_id=photo.session_id, **values))


@bp.get("/photos/<int:photo_id>/<size>.jpg")
@roles_required(*CLINICIANS)
def image(photo_id: int, size: str) -> Response:
    """Send one stored JPEG of a photo (original, display or thumbnail)."""
    stored = service.read_image(get_session(), current_actor(), photo_id, size)
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{photo_id}.jpg"'
    return response


def _marking(photo_id: int, errors: dict[str, str], values: dict[str, str]) -> str:
    page = photo_marks.marking_page(get_session(), photo_id)
    return render_template(
        "photos/mark.html",
        page=page,
        landmarks=photometry.LANDMARKS,
        iris_label=photometry.IRIS_DIAMETER_LABEL,
        values=values or page.values,
        errors=errors,
    )


@bp.get("/photos/<int:photo_id>/mark")
@roles_required(Role.INJECTOR)
def mark(photo_id: int) -> str:
    """Mark the pupils (and, to measure, brows, lids, corners and a scale)."""
    return _marking(photo_id, {}, {})


@bp.post("/photos/<int:photo_id>/mark")
@roles_required(Role.INJECTOR)
def save_marks(photo_id: int) -> Response | tuple[str, int]:
    """Save the marks, then offer the visit's next photo."""
    form = posted_form()
    try:
        photo_marks.save_marks(
            get_session(), current_actor(), photo_id, form, now=utc_now()
        )
    except InvalidInput as exc:
        return _marking(photo_id, exc.fields, form), 400
    flash("Marks saved.", "success")
    return redirect(url_for("photos.mark", photo_id=photo_id))


@bp.get("/patients/<int:patient_id>/photos/compare")
@roles_required(*CLINICIANS)
def compare(patient_id: int) -> str:
    """Show one view across the chosen cycles, aligned by the marked pupils."""
    session = get_session()
    comparison = photo_compare.compare_view(
        session,
        patient_id,
        view_code=request.args.get("view", photometry.REST),
        timepoint=request.args.get("timepoint", "pre_treatment"),
        cycles=chosen_cycles(request.args),
        zone=clinic_zone(),
    )
    return render_template(
        "photos/compare.html",
        patient=get_patient(session, patient_id),
        comparison=comparison,
        timepoints=TIMEPOINT_CHOICES,
        iris_label=photometry.IRIS_DIAMETER_LABEL,
    )


@bp.get("/patients/<int:patient_id>/photos/archive.zip")
@roles_required(Role.ADMIN)
def archive(patient_id: int) -> Response:
    """Download every photo of the patient, hidden ones too, with a manifest."""
    session = get_session()
    now = utc_now()
    patient = get_patient(session, patient_id)
    # Kept in memory up to 64 MB, on disk beyond: a long history of originals.
    out = SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115  # _chunks closes it
    photo_export.write_photo_archive(session, current_actor(), patient_id, out, now=now)
    length = out.tell()
    out.seek(0)
    name = photo_export.archive_name(patient.mrn, now, clinic_zone())
    return Response(
        _chunks(out),
        mimetype="application/zip",
        headers={
            "Content-Length": str(length),
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    """Yield the file a megabyte at a time; close it however the download ends."""
    try:
        while chunk := out.read(1024 * 1024):
            yield chunk
    finally:
        out.close()
