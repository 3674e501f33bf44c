"""Scheduling: the worklist, a clinician's week, booking, calendar files."""

from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import Role
from planner.services import appointments as service
from planner.services import calendar_files
from planner.services import reminders
from planner.services.no_rebooking import REASON_MAX
from planner.services.no_rebooking import mark_no_rebooking
from planner.services.patients import get_patient
from planner.services.retreatment_floor import EARLY_BOOKERS
from planner.services.retreatment_floor import treatment_floor
from planner.services.slot_offers import suggest_slots
from planner.services.worklist import build_worklist
from planner.services.worklist import week_view
from planner.validation import ascii_number
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import posted_form
from planner.views.query_args import query_day
from planner.views.redirects import local_target

bp = Blueprint("schedule", __name__)


def _clinician_arg() -> int | None:
    """Read ``?clinician=``: None (every clinician) when absent or empty."""
    raw = request.args.get("clinician", "")
    number = ascii_number(raw)
    if raw and number is None:
        # Read as none, a mistyped link showed every clinician's patients.
        reason = "must be a clinician number, as the list on the page links it"
        raise InvalidInput(
            "The page's address names a clinician it cannot show.",
            fields={"clinician": reason},
        )
    return number


@bp.get("/schedule/")
def worklist() -> str:
    """Show who is due, overdue, unbooked or missed, optionally for one clinician."""
    db = get_session()
    clinician_id = _clinician_arg()
    return render_template(
        "schedule/worklist.html",
        worklist=build_worklist(
            db, today=clinic_today(), zone=clinic_zone(), clinician_id=clinician_id
        ),
        clinicians=service.list_clinicians(db),
        clinician_id=clinician_id,
        now=utc_now(),
        no_rebooking_max=REASON_MAX,
    )


@bp.get("/schedule/week")
def week() -> str:
    """Show one clinician's week of appointments."""
    db = get_session()
    clinicians = service.list_clinicians(db)
    clinician_id = _clinician_arg() or (
        current_user.id if current_user.role == Role.INJECTOR else None
    )
    if clinician_id is None and clinicians:
        clinician_id = clinicians[0].id
    start = query_day("start") or clinic_today()
    start = start - timedelta(days=start.weekday())
    days = (
        week_view(db, clinician_id=clinician_id, week_start=start, zone=clinic_zone())
        if clinician_id is not None
        else []
    )
    return render_template(
        "schedule/week.html",
        days=days,
        clinicians=clinicians,
        clinician_id=clinician_id,
        week_start=start,
        previous_week=start - timedelta(days=7),
        next_week=start + timedelta(days=7),
        today=clinic_today(),
    )


def _render_booking(
    appointment_id: int,
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
    message: str | None = None,
) -> tuple[str, int]:
    db = get_session()
    appointment = service.get_appointment(db, appointment_id)
    clinicians = service.list_clinicians(db)
    chosen = str(data.get("clinician_id") or appointment.clinician_id or "")
    clinician_id = ascii_number(chosen)
    slots = (
        suggest_slots(db, appointment, clinician_id, zone=clinic_zone(), now=utc_now())
        if clinician_id is not None
        else []
    )
    return render_template(
        "schedule/book.html",
        appointment=appointment,
        patient=get_patient(db, appointment.patient_id),
        clinicians=clinicians,
        clinician_id=clinician_id,
        slots=slots,
        data=data,
        errors=errors,
        message=message,
        floor=treatment_floor(db, appointment, clinic_zone(), utc_now()),
        can_book_early=current_user.role in EARLY_BOOKERS,
    ), status


@bp.get("/appointments/<int:appointment_id>/book")
def book_form(appointment_id: int) -> tuple[str, int]:
    """Show the booking page; a booked appointment starts from its current time."""
    data = dict(request.args)
    current = service.get_appointment(get_session(), appointment_id).starts_at
    if current is not None and "starts_at" not in data:
        data["starts_at"] = current.astimezone(clinic_zone()).strftime("%Y-%m-%dT%H:%M")
    return _render_booking(appointment_id, data, {}, 200)


@bp.post("/appointments/<int:appointment_id>/book")
def book(appointment_id: int) -> WerkzeugResponse | tuple[str, int]:
    """Book the slot posted from the booking page."""
    data = posted_form()
    try:
        appointment = service.book_appointment(
            get_session(), current_actor(), appointment_id, data, zone=clinic_zone()
        )
    except InvalidInput as exc:
        return _render_booking(appointment_id, data, exc.fields, 400, exc.message)
    except Forbidden as exc:
        return _render_booking(appointment_id, data, exc.fields, 403, exc.message)
    except (Conflict, StaleWrite) as exc:
        return _render_booking(appointment_id, data, exc.fields, 409, exc.message)
    flash("Booked.", "success")
    return redirect(url_for("patients.detail", patient_id=appointment.patient_id))


def _back(default: str) -> str:
    return local_target(request.form.get("next"), default)


@bp.post("/appointments/<int:appointment_id>/status")
def set_status(appointment_id: int) -> WerkzeugResponse:
    """Mark attended, missed or cancelled, then go back to where staff were."""
    # Checked first: a poisoned ``next`` is refused before anything is saved.
    back = _back(url_for("schedule.worklist"))
    data = request.form.to_dict()
    try:
        appointment = service.set_status(
            get_session(), current_actor(), appointment_id, data
        )
        flash(f"Marked {appointment.status.value}.", "success")
    except (InvalidInput, Conflict, StaleWrite) as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        flash(f"{exc.message} {details}".strip(), "error")
    return redirect(back)


@bp.post("/appointments/<int:appointment_id>/no-rebooking")
def no_rebooking(appointment_id: int) -> WerkzeugResponse:
    """Take a cancelled appointment off the worklist, saying why it needs no rebooking.

    Open to whoever may cancel (``set_status`` above names no role).
    """
    back = _back(url_for("schedule.worklist"))
    try:
        mark_no_rebooking(
            get_session(), current_actor(), appointment_id, request.form.to_dict()
        )
        flash("Marked: no rebooking needed.", "success")
    except (InvalidInput, Conflict, StaleWrite) as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        flash(f"{exc.message} {details}".strip(), "error")
    return redirect(back)


def _calendar_response(body: bytes, filename: str | None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _calendar_options() -> dict[str, Any]:
    return {
        "zone": clinic_zone(),
        "clinic_name": current_app.config["CLINIC_NAME"],
        "domain": request.host.split(":")[0] or "planner.local",
    }


@bp.get("/appointments/<int:appointment_id>/calendar.ics")
def appointment_ics(appointment_id: int) -> Response:
    """Download one booked appointment for a calendar app."""
    body = calendar_files.appointment_ics(
        get_session(), appointment_id, **_calendar_options()
    )
    return _calendar_response(body, f"appointment-{appointment_id}.ics")


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """Serve a clinician's private feed; the secret token in the URL is the key."""
    try:
        body = calendar_files.clinician_feed(
            get_session(), token, **_calendar_options()
        )
    except NotFound:
        return Response("There is no such calendar.", status=404, mimetype="text/plain")
    return _calendar_response(body, None)


@bp.post("/schedule/feed")
@roles_required(Role.INJECTOR)
def renew_feed() -> WerkzeugResponse:
    """Give the clinician a new private feed address (the old one stops working)."""
    token = calendar_files.renew_feed_token(
        get_session(), current_actor(), current_user.id
    )
    address = url_for("schedule.feed", token=token, _external=True)
    flash(f"Your calendar feed address (keep it private): {address}", "success")
    return redirect(url_for("schedule.week"))


@bp.post("/schedule/feed/revoke")
@roles_required(Role.INJECTOR)
def revoke_feed() -> WerkzeugResponse:
    """Stop the clinician's private feed address working, until they get a new one."""
    calendar_files.revoke_feed_token(get_session(), current_actor(), current_user.id)
    flash("Your calendar feed address no longer works.", "success")
    return redirect(url_for("schedule.week"))


@bp.get("/schedule/outbox")
def reminder_outbox() -> str:
    """List reminders waiting for staff to send by hand (or that failed)."""
    db = get_session()
    waiting = reminders.outbox(db)
    return render_template(
        "schedule/outbox.html",
        reminders=waiting,
        appointments=reminders.outbox_appointments(db, waiting),
    )


@bp.post("/reminders/<int:reminder_id>/sent")
def reminder_sent(reminder_id: int) -> WerkzeugResponse:
    """Record that staff sent a reminder themselves."""
    try:
        reminders.mark_sent(get_session(), current_actor(), reminder_id, now=utc_now())
        flash("Marked sent.", "success")
    except (NotFound, Conflict) as exc:
        flash(exc.message, "error")
    return redirect(url_for("schedule.reminder_outbox"))
