"""The admin's user pages: list, create and edit logins, reset, unlock."""

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import idle_timeout
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.models import User
from planner.services import calendar_files
from planner.services import login_security as security
from planner.services import registration
from planner.services import user_admin as service
from planner.services.login_sessions import open_sessions
from planner.views.auth import throttle_rules
from planner.views.context import posted_form
from planner.views.flashing import flash_error

bp = Blueprint("users", __name__, url_prefix="/settings/users")

ROLE_LABELS = {
    Role.ADMIN.value: "Admin: users and clinic settings",
    Role.INJECTOR.value: "Injector: charts and signs treatments",
    Role.STAFF.value: "Staff: patients and scheduling",
}
# Never echoed back into a page, even when the form is shown again.
PASSWORD_FIELDS = ("password", "password_confirm")


def _shown(user: User) -> dict[str, Any]:
    """The login's saved values, for the form and its hidden compare-and-set copy."""
    values = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "active": user.active,
    }
    return {**values, **{f"shown_{key}": value for key, value in values.items()}}


def _render_index(status: int = 200) -> tuple[str, int]:
    logins = security.list_logins(get_session(), now=utc_now(), rules=throttle_rules())
    return render_template(
        "users/index.html", logins=logins, me=current_user.id, roles=ROLE_LABELS
    ), status


def _render_form(
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
    user: User | None = None,
    *,
    current: dict[str, Any] | None = None,
) -> tuple[str, int]:
    safe = {k: v for k, v in data.items() if k not in PASSWORD_FIELDS}
    db, now = get_session(), utc_now()
    idle = idle_timeout()
    return render_template(
        "users/form.html",
        data=safe,
        errors=errors,
        user=user,
        current=current,
        row=None
        if user is None or user.id is None
        else security.login_row(db, user.id, now=now, rules=throttle_rules()),
        sessions=[]
        if user is None or user.id is None
        else open_sessions(db, user.id, now=now, idle=idle),
        my_session=current_user.session_id,
        me=current_user.id,
        roles=ROLE_LABELS,
    ), status


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> tuple[str, int]:
    """List every login with its role, state, lockout and last login."""
    return _render_index()


@bp.get("/new")
@roles_required(Role.ADMIN)
def new() -> tuple[str, int]:
    return _render_form({"active": True}, {}, 200)


@bp.post("/")
@roles_required(Role.ADMIN)
def create() -> Response | tuple[str, int]:
    data = posted_form()
    try:
        user = service.create_login(get_session(), current_actor(), data)
    except InvalidInput as exc:
        return _render_form(data, exc.fields, 400)
    flash(f"Login created for {user.name}.", "success")
    return redirect(url_for("users.index"))


@bp.get("/<int:user_id>/edit")
@roles_required(Role.ADMIN)
def edit(user_id: int) -> tuple[str, int]:
    user = service.get_login(get_session(), user_id)
    return _render_form(_shown(user), {}, 200, user)


@bp.post("/<int:user_id>")
@roles_required(Role.ADMIN)
def update(user_id: int) -> Response | tuple[str, int]:
    data = posted_form()
    session = get_session()
    try:
        user = service.update_login(session, current_actor(), user_id, data)
    except (InvalidInput, Conflict) as exc:
        user = service.get_login(session, user_id)
        return _render_form(data, exc.fields, exc.status, user)
    except StaleWrite as exc:
        flash(exc.message, "error")
        user = service.get_login(session, user_id)
        saved = _shown(user)
        # The admin's edit stays in the form, now against the current values.
        data.update({k: v for k, v in saved.items() if k.startswith("shown_")})
        return _render_form(data, {}, 409, user, current=saved)
    flash(f"Changes to {user.name}'s login saved.", "success")
    return redirect(url_for("users.index"))


def _set_active(user_id: int, *, active: bool) -> Response | tuple[str, int]:
    try:
        user = service.set_login_active(
            get_session(), current_actor(), user_id, posted_form(), active=active
        )
    except (InvalidInput, Conflict, StaleWrite) as exc:
        flash_error(exc)
        return _render_index(exc.status)
    state = "active" if active else "deactivated; they cannot log in"
    flash(f"{user.name}'s login is {state}.", "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/deactivate")
@roles_required(Role.ADMIN)
def deactivate(user_id: int) -> Response | tuple[str, int]:
    return _set_active(user_id, active=False)


@bp.post("/<int:user_id>/reactivate")
@roles_required(Role.ADMIN)
def reactivate(user_id: int) -> Response | tuple[str, int]:
    return _set_active(user_id, active=True)


@bp.post("/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> Response | tuple[str, int]:
    session = get_session()
    try:
        user = service.reset_password(session, current_actor(), user_id, posted_form())
    except InvalidInput as exc:
        user = service.get_login(session, user_id)
        return _render_form(_shown(user), exc.fields, 400, user)
    flash(
        f"{user.name} has a new password; their sessions and calendar feed "
        "address have ended, and their failed logins are cleared.",
        "success",
    )
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/feed/revoke")
@roles_required(Role.ADMIN)
def revoke_feed(user_id: int) -> Response:
    """Stop a clinician's private calendar feed address working."""
    calendar_files.revoke_feed_token(get_session(), current_actor(), user_id)
    flash("Their calendar feed address no longer works.", "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.post("/<int:user_id>/unlock")
@roles_required(Role.ADMIN)
def unlock(user_id: int) -> Response:
    """Clear the failed logins counted against a login, from every client."""
    user = security.unlock_login(get_session(), current_actor(), user_id)
    flash(f"{user.name}'s failed logins are cleared.", "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/registration")
@roles_required(Role.ADMIN)
def set_registration(user_id: int) -> Response | tuple[str, int]:
    """Save the professional registration number printed beside a signature."""
    session = get_session()
    data = posted_form()
    try:
        user = registration.set_registration_number(
            session, current_actor(), user_id, data
        )
    except InvalidInput as exc:
        user = service.get_login(session, user_id)
        return _render_form(_shown(user) | data, exc.fields, 400, user)
    except StaleWrite as exc:
        flash(exc.message, "error")
        return redirect(url_for("users.edit", user_id=user_id))
    flash(f"{user.name}'s registration number is saved.", "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.post("/<int:user_id>/sessions/end")
@roles_required(Role.ADMIN)
def end_sessions(user_id: int) -> Response:
    """Log a login out everywhere: every device must log in again."""
    ended = security.end_login_sessions(get_session(), current_actor(), user_id)
    flash(f"{ended} session{'s' if ended != 1 else ''} ended.", "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.post("/<int:user_id>/sessions/<int:login_session_id>/end")
@roles_required(Role.ADMIN)
def end_session(user_id: int, login_session_id: int) -> Response:
    """Log a login out of one device."""
    ended = security.end_login_sessions(
        get_session(), current_actor(), user_id, session_id=login_session_id
    )
    flash(
        "Session ended." if ended else "That session had already ended.",
        "success" if ended else "info",
    )
    return redirect(url_for("users.edit", user_id=user_id))
