"""Patient list, search, registration, editing and the patient page."""

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.services import patients as service
from planner.services.patient_timeline import patient_timeline
from planner.views.context import clinic_zone
from planner.views.context import posted_form

bp = Blueprint("patients", __name__, url_prefix="/patients")


def _render_form(
    data: dict[str, Any], errors: dict[str, str], status: int, patient_id: int | None
) -> tuple[str, int]:
    return render_template(
        "patients/form.html", data=data, errors=errors, patient_id=patient_id
    ), status


@bp.get("/")
def index() -> str:
    """List patients, filtered by a search for name, MRN or date of birth."""
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    results = service.search_patients(
        get_session(), query, page=page, size=current_app.config["PAGE_SIZE"]
    )
    return render_template("patients/index.html", query=query, page=results)


@bp.get("/new")
def new() -> tuple[str, int]:
    return _render_form({}, {}, 200, None)


@bp.post("/")
def create() -> Response | tuple[str, int]:
    data = posted_form()
    try:
        patient = service.create_patient(get_session(), current_actor(), data)
    except InvalidInput as exc:
        return _render_form(data, exc.fields, 400, None)
    flash(f"{patient.full_name} is registered.", "success")
    return redirect(url_for("patients.detail", patient_id=patient.id))


@bp.get("/<int:patient_id>")
def detail(patient_id: int) -> str:
    timeline = patient_timeline(
        get_session(), patient_id, zone=clinic_zone(), now=utc_now()
    )
    return render_template("patients/detail.html", timeline=timeline)


@bp.get("/<int:patient_id>/edit")
def edit(patient_id: int) -> tuple[str, int]:
    patient = service.get_patient(get_session(), patient_id)
    return _render_form(patient.model_dump(mode="json"), {}, 200, patient_id)


@bp.post("/<int:patient_id>")
def update(patient_id: int) -> Response | tuple[str, int]:
    data = posted_form()
    try:
        patient = service.update_patient(
            get_session(), current_actor(), patient_id, data
        )
    except InvalidInput as exc:
        return _render_form(data, exc.fields, 400, patient_id)
    except StaleWrite as exc:
        current = service.get_patient(get_session(), patient_id)
        data["version"] = current.version
        flash(exc.message, "error")
        return _render_form(data, {}, 409, patient_id)
    flash("Changes saved.", "success")
    return redirect(url_for("patients.detail", patient_id=patient.id))
