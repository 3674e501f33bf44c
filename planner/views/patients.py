"""Patient list, search, registration, editing and the patient page."""

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.models.patients import CONTRAINDICATION_LABELS
from planner.services import outside_toxin
from planner.services import patients as service
from planner.services.actor_roles import CLINICAL_EDITORS
from planner.services.consent_alerts import treatment_consent_now
from planner.services.diary_links import links_for_patient
from planner.services.patient_timeline import patient_timeline
from planner.services.therapy_page import therapy_context
from planner.views.context import clinic_now
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import posted_form
from planner.views.query_args import query_number

bp = Blueprint("patients", __name__, url_prefix="/patients")


def _flags_editable() -> bool:
    return current_user.role in CLINICAL_EDITORS


def _render_form(
    data: dict[str, Any], errors: dict[str, str], status: int, patient_id: int | None
) -> tuple[str, int]:
    """Render the patient form; staff editing a patient see its flags as saved."""
    saved = (
        None if patient_id is None else service.get_patient(get_session(), patient_id)
    )
    return render_template(
        "patients/form.html",
        data=data,
        errors=errors,
        patient_id=patient_id,
        saved=saved,
        flags_editable=_flags_editable() or saved is None,
        flag_labels=CONTRAINDICATION_LABELS,
    ), status


@bp.get("/")
def index() -> str:
    """List patients, filtered by a search for name, MRN or date of birth."""
    query = request.args.get("q", "")
    page = query_number("page", what="a page number") or 1
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
        patient = service.create_patient(
            get_session(), current_actor(), data, today=clinic_today()
        )
    except InvalidInput as exc:
        return _render_form(data, exc.fields, 400, None)
    # No name: flashed messages ride in the browser's readable cookie.
    flash("The patient is registered.", "success")
    return redirect(url_for("patients.detail", patient_id=patient.id))


def _render_detail(
    patient_id: int,
    outside_data: dict[str, Any] | None = None,
    outside_errors: dict[str, str] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> tuple[str, int]:
    db = get_session()
    timeline = patient_timeline(db, patient_id, zone=clinic_zone(), now=utc_now())
    return render_template(
        "patients/detail.html",
        timeline=timeline,
        outside=outside_toxin.list_outside_treatments(db, patient_id),
        products=outside_toxin.list_products(db),
        flags_editable=_flags_editable(),
        outside_data=outside_data or {},
        outside_errors=outside_errors or {},
        today=clinic_today(),
        diary_links=links_for_patient(
            db, patient_id, now=utc_now(), zone=clinic_zone()
        ),
        consent=treatment_consent_now(
            db, [patient_id], now=clinic_now(), zone=clinic_zone()
        )[patient_id],
        **{**therapy_context(db, patient_id), **(extra or {})},
    ), status


def render_detail(
    patient_id: int, extra: dict[str, Any], status: int
) -> tuple[str, int]:
    """Render the patient page again with another section's form and its errors."""
    return _render_detail(patient_id, status=status, extra=extra)


@bp.get("/<int:patient_id>")
def detail(patient_id: int) -> tuple[str, int]:
    return _render_detail(patient_id)


@bp.post("/<int:patient_id>/outside-toxin")
@roles_required(Role.INJECTOR, Role.ADMIN)
def add_outside_toxin(patient_id: int) -> Response | tuple[str, int]:
    """Record botulinum toxin the patient was given elsewhere."""
    data = posted_form()
    try:
        outside_toxin.add_outside_treatment(
            get_session(), current_actor(), patient_id, data, today=clinic_today()
        )
    except InvalidInput as exc:
        return _render_detail(patient_id, data, exc.fields, 400)
    flash("Toxin given elsewhere is recorded.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id))


@bp.post("/<int:patient_id>/outside-toxin/<int:treatment_id>/delete")
@roles_required(Role.INJECTOR, Role.ADMIN)
def remove_outside_toxin(patient_id: int, treatment_id: int) -> Response:
    """Remove a record of toxin given elsewhere that was entered in error."""
    outside_toxin.remove_outside_treatment(
        get_session(), current_actor(), patient_id, treatment_id
    )
    flash("The record of toxin given elsewhere is removed.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id))


@bp.get("/<int:patient_id>/edit")
def edit(patient_id: int) -> tuple[str, int]:
    patient = service.get_patient(get_session(), patient_id)
    return _render_form(patient.model_dump(mode="json"), {}, 200, patient_id)


@bp.post("/<int:patient_id>")
def update(patient_id: int) -> Response | tuple[str, int]:
    data = posted_form()
    try:
        patient = service.update_patient(
            get_session(), current_actor(), patient_id, data, today=clinic_today()
        )
    except InvalidInput as exc:
        return _render_form(data, exc.fields, 400, patient_id)
    except Forbidden as exc:
        flash(exc.message, "error")
        return _render_form(data, exc.fields, 403, patient_id)
    except StaleWrite as exc:
        current = service.get_patient(get_session(), patient_id)
        data["version"] = current.version
        flash(exc.message, "error")
        return _render_form(data, {}, 409, patient_id)
    flash("Changes saved.", "success")
    return redirect(url_for("patients.detail", patient_id=patient.id))
