"""The admin's clinic settings page: reference values and protocol templates."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlmodel import Session
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.models import Role
from planner.services import calendar_setup
from planner.services import limit_settings
from planner.services import protocols
from planner.services import settings as service
from planner.services.appointments import list_clinicians
from planner.services.audit import Actor
from planner.services.lots import list_products
from planner.services.setting_bounds import SCALAR_BOUNDS
from planner.unit_words import in_units
from planner.views.context import clinic_now
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import face_map
from planner.views.context import posted_form
from planner.vocabulary import LABELS

bp = Blueprint("settings", __name__, url_prefix="/settings")

# Empty site rows under a template's own; saving gives room for more.
BLANK_SITE_ROWS = 5
SITE_FIELDS = ("muscle", "role", "units", "x", "y")
ROLE_LABELS = LABELS["site_role"]


def _render_index(
    status: int = 200,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = get_session()
    return render_template(
        "settings/index.html",
        settings=service.list_settings(session),
        shipped=service.shipped_sources(),
        bounds=SCALAR_BOUNDS,
        templates=protocols.list_templates(session),
        errors=errors or {},
        submitted=submitted or {},
    ), status


def _submitted_value() -> Any:
    """Read a setting's new value: one number, or a dose's low/high/default."""
    parts = {
        name.removeprefix("value."): text
        for name, text in request.form.items()
        if name.startswith("value.")
    }
    return parts or request.form.get("value", "")


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> tuple[str, int]:
    """List the settings, each editable in place, and the protocol templates."""
    return _render_index()


@bp.post("/<key>")
@roles_required(Role.ADMIN)
def update(key: str) -> Response | tuple[str, int]:
    value = _submitted_value()
    try:
        saved = service.save_setting(
            get_session(),
            current_actor(),
            key,
            value,
            version=request.form.get("version", ""),
            now=clinic_now(),
            zone=clinic_zone(),
        )
    except InvalidInput as exc:
        fields = exc.fields or {"value": exc.message}
        return _render_index(400, errors={key: fields}, submitted={key: value})
    except StaleWrite as exc:
        flash(exc.message, "error")
        return _render_index(409)
    said = f" {saved.follow_up.describe()}" if saved.follow_up else ""
    flash(f"Saved: {saved.setting.label}.{said}", "success")
    return redirect(url_for("settings.index", _anchor=_anchor(key)))


def _render_limits(
    code: str,
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = get_session()
    products = list_products(session)
    # Refuses, by name, a product the dose reference does not list.
    limits = limit_settings.product_limits(session, code)
    product = next((p for p in products if p.code == code), None)
    if product is None:
        raise NotFound(f"There is no product {code!r}.")
    names = {muscle.code: muscle.name for muscle in face_map().muscles}
    return render_template(
        "settings/limits.html",
        product=product,
        products=products,
        limits=limits,
        muscles=names,
        ceiling_names=limit_settings.CEILING_NAMES,
        group_names=limit_settings.GROUP_NAMES,
        labels=limit_settings.field_labels(names),
        errors=errors or {},
        submitted=submitted or {},
    ), status


@bp.get("/limits/<code>")
@roles_required(Role.ADMIN)
def limits(code: str) -> tuple[str, int]:
    """Show a product's dose limits, each with its source, for editing."""
    return _render_limits(code)


@bp.post("/limits/<code>")
@roles_required(Role.ADMIN)
def limits_save(code: str) -> Response | tuple[str, int]:
    form = posted_form()
    try:
        moved = limit_settings.save_product_limits(
            get_session(),
            current_actor(),
            code,
            form,
            stamp=str(form.get("stamp", "")),
            now=clinic_now(),
        )
    except InvalidInput as exc:
        return _render_limits(code, 400, errors=exc.fields, submitted=form)
    except StaleWrite as exc:
        flash(exc.message, "error")
        return _render_limits(code, 409)
    flash(f"Saved: {moved} limit{'s' if moved != 1 else ''} changed.", "success")
    return redirect(url_for("settings.limits", code=code))


def _anchor(key: str) -> str:
    return "setting-" + key.replace(".", "-")


def _submitted_template() -> tuple[dict[str, str], list[dict[str, str]]]:
    """Read the template form: its fields, and the site rows that were filled in."""
    data = {
        name: request.form.get(name, "")
        for name in ("name", "description", "product", "version", "doses_product")
    }
    columns = [request.form.getlist(name) for name in SITE_FIELDS]
    sites = [
        dict(zip(SITE_FIELDS, row, strict=True)) for row in zip(*columns, strict=False)
    ]
    # An untouched empty row is not a site; a half-filled one is, and fails.
    filled = [site for site in sites if site["muscle"] or site["units"].strip()]
    return data, filled


def _render_template_form(
    data: dict[str, Any],
    sites: list[dict[str, Any]],
    errors: dict[str, str],
    status: int,
    template_id: int | None,
) -> tuple[str, int]:
    the_map = face_map()
    return render_template(
        "settings/template_form.html",
        data=data,
        sites=sites,
        blank_rows=BLANK_SITE_ROWS,
        errors=errors,
        template_id=template_id,
        muscles={muscle.code: muscle.name for muscle in the_map.muscles},
        roles=ROLE_LABELS,
        products={
            product.code: in_units(product.brand, product.unit_name)
            for product in list_products(get_session())
        },
    ), status


def _template_fields(
    data: dict[str, str], sites: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "face_map": face_map(),
        "name": data["name"],
        "description": data["description"],
        "product": data["product"],
        "sites": sites,
    }


@bp.get("/templates/new")
@roles_required(Role.ADMIN)
def new_template() -> tuple[str, int]:
    return _render_template_form({}, [], {}, 200, None)


@bp.post("/templates/")
@roles_required(Role.ADMIN)
def create_template() -> Response | tuple[str, int]:
    data, sites = _submitted_template()
    try:
        template = protocols.create_template(
            get_session(), current_actor(), **_template_fields(data, sites)
        )
    except InvalidInput as exc:
        return _render_template_form(data, sites, exc.fields, 400, None)
    flash(f"Template “{template.name}” saved.", "success")
    return redirect(url_for("settings.index", _anchor="templates"))


@bp.get("/templates/<int:template_id>/edit")
@roles_required(Role.ADMIN)
def edit_template(template_id: int) -> tuple[str, int]:
    db = get_session()
    template = protocols.get_template(db, template_id)
    data = template.model_dump(mode="json")
    data["product"] = protocols.template_product_code(db, template) or ""
    data["doses_product"] = data["product"]  # the doses' units, as loaded
    return _render_template_form(data, template.sites, {}, 200, template_id)


@bp.post("/templates/<int:template_id>")
@roles_required(Role.ADMIN)
def update_template(template_id: int) -> Response | tuple[str, int]:
    data, sites = _submitted_template()
    try:
        template = protocols.update_template(
            get_session(),
            current_actor(),
            template_id,
            version=data["version"],
            doses_product=data["doses_product"],
            **_template_fields(data, sites),
        )
    except protocols.DosesNotCarriedOver as exc:
        # Shown again with the doses cleared, to be entered in the new units.
        data["doses_product"] = exc.product
        cleared = [{**site, "units": ""} for site in sites]
        return _render_template_form(data, cleared, exc.fields, 400, template_id)
    except InvalidInput as exc:
        return _render_template_form(data, sites, exc.fields, 400, template_id)
    except StaleWrite as exc:
        flash(exc.message, "error")
        current = protocols.get_template(get_session(), template_id)
        data["version"] = str(current.version)
        return _render_template_form(data, sites, {}, 409, template_id)
    flash(f"Template “{template.name}” saved.", "success")
    return redirect(url_for("settings.index", _anchor="templates"))


@bp.post("/templates/<int:template_id>/delete")
@roles_required(Role.ADMIN)
def delete_template(template_id: int) -> Response:
    try:
        protocols.delete_template(
            get_session(),
            current_actor(),
            template_id,
            version=request.form.get("version", ""),
        )
    except StaleWrite as exc:
        flash(exc.message, "error")
        return redirect(url_for("settings.edit_template", template_id=template_id))
    flash("Template deleted.", "success")
    return redirect(url_for("settings.index", _anchor="templates"))


def _render_calendar(
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    db = get_session()
    return render_template(
        "settings/calendar.html",
        hours=calendar_setup.list_hours(db),
        closed=calendar_setup.list_closed(db, since=clinic_today()),
        clinicians=list_clinicians(db),
        weekdays=calendar_setup.WEEKDAYS,
        data=data or {},
        errors=errors or {},
    ), status


@bp.get("/calendar")
@roles_required(Role.ADMIN)
def calendar() -> tuple[str, int]:
    """Show clinicians' working hours and the days the clinic is closed."""
    return _render_calendar()


def _add_to_calendar(
    add: Callable[[Session, Actor, dict[str, Any]], object], done: str
) -> Response | tuple[str, int]:
    """Add working hours or a closed day from the form; re-render on a mistake."""
    data = request.form.to_dict()
    try:
        add(get_session(), current_actor(), data)
    except InvalidInput as exc:
        return _render_calendar(data, exc.fields, 400)
    return _back_to_calendar(done)


def _back_to_calendar(done: str) -> Response:
    flash(done, "success")
    return redirect(url_for("settings.calendar"))


@bp.post("/calendar/hours")
@roles_required(Role.ADMIN)
def add_hours() -> Response | tuple[str, int]:
    return _add_to_calendar(calendar_setup.add_hours, "Working hours added.")


@bp.post("/calendar/hours/<int:hours_id>/delete")
@roles_required(Role.ADMIN)
def delete_hours(hours_id: int) -> Response:
    calendar_setup.delete_hours(get_session(), current_actor(), hours_id)
    return _back_to_calendar("Working hours removed.")


@bp.post("/calendar/closed")
@roles_required(Role.ADMIN)
def add_closed_day() -> Response | tuple[str, int]:
    return _add_to_calendar(calendar_setup.add_closed_day, "Closed day added.")


@bp.post("/calendar/closed/<int:closed_id>/delete")
@roles_required(Role.ADMIN)
def delete_closed_day(closed_id: int) -> Response:
    calendar_setup.delete_closed_day(get_session(), current_actor(), closed_id)
    return _back_to_calendar("Closed day removed.")
