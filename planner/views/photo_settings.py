"""The clinic's standard photo views: admins reword, reorder, hide and add them."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import photo_views as service
from planner.views.context import posted_form

bp = Blueprint("photo_settings", __name__, url_prefix="/settings/photo-views")


def _render(errors: dict[str, str], failed: str | None, status: int) -> tuple[str, int]:
    return render_template(
        "photos/settings.html",
        views=service.list_views(get_session(), include_hidden=True),
        errors=errors,
        failed=failed,
    ), status


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> tuple[str, int]:
    return _render({}, None, 200)


@bp.post("/<code>")
@roles_required(Role.ADMIN)
def update(code: str) -> Response | tuple[str, int]:
    """Save one view's wording, place and whether it is taken."""
    try:
        saved = service.update_view(get_session(), current_actor(), code, posted_form())
    except InvalidInput as exc:
        return _render(exc.fields, code, 400)
    flash(f"{saved.label} saved.", "success")
    return redirect(url_for("photo_settings.index"))


@bp.post("/")
@roles_required(Role.ADMIN)
def create() -> Response | tuple[str, int]:
    """Add a view at the end of the set."""
    try:
        saved = service.add_view(get_session(), current_actor(), posted_form())
    except InvalidInput as exc:
        return _render(exc.fields, "", 400)
    flash(f"{saved.label} added.", "success")
    return redirect(url_for("photo_settings.index"))
