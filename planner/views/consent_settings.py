"""The clinic's consent forms: admins edit a kind's text, which adds a version."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.consent import ConsentKind
from planner.consent.kinds import KIND_LABELS
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.services import consent_forms as service
from planner.views.context import posted_form

bp = Blueprint("consent_settings", __name__, url_prefix="/settings/consent-forms")


def _render(
    status: int = 200,
    *,
    failed: ConsentKind | None = None,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
) -> tuple[str, int]:
    session = get_session()
    forms = service.current_forms(session)
    return render_template(
        "consent/settings.html",
        current=forms,
        versions={kind: service.form_versions(session, kind) for kind in ConsentKind},
        kind_labels=KIND_LABELS,
        failed=failed,
        errors=errors or {},
        submitted=submitted or {},
    ), status


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> tuple[str, int]:
    """List each kind's current text, editable, with its earlier versions."""
    return _render()


@bp.post("/<kind>")
@roles_required(Role.ADMIN)
def update(kind: str) -> Response | tuple[str, int]:
    """Save an edit as the kind's next version."""
    parsed = service.parse_kind(kind)
    data = posted_form()
    try:
        form = service.save_form_version(
            get_session(), current_actor(), parsed, data, now=utc_now()
        )
    except InvalidInput as exc:
        return _render(400, failed=parsed, errors=exc.fields, submitted=data)
    except StaleWrite as exc:
        flash(exc.message, "error")
        return _render(409)
    flash(
        f"Saved: {KIND_LABELS[parsed]}, version {form.version}. Patients are "
        "asked to sign this version from now on.",
        "success",
    )
    return redirect(url_for("consent_settings.index", _anchor=f"form-{kind}"))
