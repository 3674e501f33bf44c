"""Logging in and out."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.db import get_session
from planner.db_types import utc_now
from planner.models import AuditAction
from planner.services.audit import commit_event
from planner.services.users import authenticate

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site, never to another host."""
    if not target:
        return url_for("patients.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        return url_for("patients.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form and check the credentials posted to it."""
    if request.method != "POST":
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", email="", error=None)
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:256]
    user = authenticate(
        get_session(),
        email=email,
        password=password,
        now=utc_now(),
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
        remote_addr=request.remote_addr,
    )
    if user is None:
        # One message for every failure, so it does not reveal which emails exist.
        error = (
            "That email and password do not match an active account, or the "
            "account is locked for a few minutes after repeated failures."
        )
        return render_template("auth/login.html", email=email, error=error), 401
    session.clear()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> Response:
    commit_event(
        get_session(), current_actor(), AuditAction.LOGOUT, "user", current_user.id
    )
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
