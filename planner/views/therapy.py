"""Facial therapy courses and surgical procedures on the patient page."""

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import therapy as service
from planner.views.context import clinic_today
from planner.views.context import posted_form
from planner.views.flashing import flash_error
from planner.views.patients import render_detail

bp = Blueprint("therapy", __name__, url_prefix="/patients")
# The page's two forms name their fields apart (an id is unique on the page).
COURSE = "course_"
PROCEDURE = "procedure_"


def _unprefixed(form: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k.removeprefix(prefix): v for k, v in form.items() if k.startswith(prefix)}


def _prefixed(errors: dict[str, str], prefix: str) -> dict[str, str]:
    return {f"{prefix}{name}": message for name, message in errors.items()}


@bp.post("/<int:patient_id>/therapy")
@roles_required(Role.INJECTOR, Role.ADMIN)
def add_course(patient_id: int) -> Response | tuple[str, int]:
    """Record a course of NMRT or facial physiotherapy."""
    form = posted_form()
    try:
        service.add_therapy_course(
            get_session(),
            current_actor(),
            patient_id,
            _unprefixed(form, COURSE),
            today=clinic_today(),
        )
    except InvalidInput as exc:
        return render_detail(
            patient_id,
            {"therapy_data": form, "therapy_errors": _prefixed(exc.fields, COURSE)},
            400,
        )
    flash("The therapy course is recorded.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id) + "#therapy")


@bp.post("/<int:patient_id>/therapy/<int:course_id>")
@roles_required(Role.INJECTOR, Role.ADMIN)
def update_course(patient_id: int, course_id: int) -> Response:
    """End a therapy course, or update the sessions attended."""
    try:
        service.update_therapy_course(
            get_session(),
            current_actor(),
            patient_id,
            course_id,
            _unprefixed(posted_form(), f"{COURSE}{course_id}_"),
            today=clinic_today(),
        )
    except InvalidInput as exc:
        flash_error(exc)
    else:
        flash("The therapy course is updated.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id) + "#therapy")


@bp.post("/<int:patient_id>/therapy/<int:course_id>/delete")
@roles_required(Role.INJECTOR, Role.ADMIN)
def remove_course(patient_id: int, course_id: int) -> Response:
    """Remove a therapy course recorded in error."""
    service.remove_therapy_course(get_session(), current_actor(), patient_id, course_id)
    flash("The therapy course is removed.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id) + "#therapy")


@bp.post("/<int:patient_id>/procedures")
@roles_required(Role.INJECTOR, Role.ADMIN)
def add_procedure(patient_id: int) -> Response | tuple[str, int]:
    """Record a surgical procedure and the muscles it touched."""
    form: dict[str, Any] = {
        **posted_form(),
        f"{PROCEDURE}muscles": request.form.getlist(f"{PROCEDURE}muscles"),
    }
    try:
        service.add_procedure(
            get_session(),
            current_actor(),
            patient_id,
            _unprefixed(form, PROCEDURE),
            today=clinic_today(),
        )
    except InvalidInput as exc:
        return render_detail(
            patient_id,
            {
                "procedure_data": form,
                "procedure_errors": _prefixed(exc.fields, PROCEDURE),
            },
            400,
        )
    flash("The procedure is recorded.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id) + "#procedures")


@bp.post("/<int:patient_id>/procedures/<int:procedure_id>/delete")
@roles_required(Role.INJECTOR, Role.ADMIN)
def remove_procedure(patient_id: int, procedure_id: int) -> Response:
    """Remove a procedure recorded in error."""
    service.remove_procedure(get_session(), current_actor(), patient_id, procedure_id)
    flash("The procedure is removed.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id) + "#procedures")
