"""Logging in and out."""

from datetime import timedelta
from math import ceil

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
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
from planner.access import idle_timeout
from planner.db import get_session
from planner.db_types import utc_now
from planner.services.login_sessions import keep_alive
from planner.services.login_sessions import seconds_left
from planner.services.login_throttle import ThrottleRules
from planner.services.users import LoginAttempt
from planner.services.users import log_in
from planner.services.users import log_out
from planner.views.redirects import local_target

bp = Blueprint("auth", __name__)

# One message for every failure, so it does not reveal which emails exist.
FAILED = "That email and password do not match an active account."


def throttle_rules() -> ThrottleRules:
    """The clinic's failed-login settings (planner/config.py)."""
    config = current_app.config
    return ThrottleRules(
        pair_free=int(config["LOGIN_MAX_FAILURES"]),
        client_free=int(config["LOGIN_CLIENT_FAILURES"]),
        account_free=int(config["LOGIN_ACCOUNT_FAILURES"]),
        longest=timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
    )


def wait_message(wait: timedelta) -> str:
    """Say how long to wait, in words a person at the door can use."""
    seconds = max(1, ceil(wait.total_seconds()))
    if seconds < 120:
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many failed attempts: try again in {seconds} {unit}."
    return f"Too many failed attempts: try again in {ceil(seconds / 60)} minutes."


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a page of this site, never to another host."""
    return local_target(target, url_for("patients.index"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Show the login form and check the credentials posted to it."""
    target = _safe_next(request.args.get("next"))
    if request.method != "POST":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("auth/login.html", email="", error=None)
    email = request.form.get("email", "")[:254]
    result = log_in(
        get_session(),
        LoginAttempt(
            email=email,
            password=request.form.get("password", "")[:256],
            client=request.remote_addr,
            user_agent=request.user_agent.string,
            now=utc_now(),
        ),
        throttle_rules(),
    )
    if result.wait > timedelta(0):
        retry = str(max(1, ceil(result.wait.total_seconds())))
        page = render_template(
            "auth/login.html", email=email, error=wait_message(result.wait)
        )
        return page, 429, {"Retry-After": retry}
    if result.user is None:
        return render_template("auth/login.html", email=email, error=FAILED), 401
    if current_user.is_authenticated:
        # A new login over an open one (a shared desk): the old one ends for
        # good, as a logout would end it, not only its cookie in this browser.
        log_out(get_session(), current_actor(), current_user.session_id, now=utc_now())
    session.clear()
    login_user(result.user)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    """End this login session for good: a copy of the cookie stops working too."""
    log_out(get_session(), current_actor(), current_user.session_id, now=utc_now())
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/session/time-left")
def time_left() -> Response:
    """Say how many seconds the login has before the idle logout, not extending it.

    Public (planner/access.py), so that asking is not activity: the idle warning
    (static/js/idle-warning.js) asks before it warns, since another tab or the
    chart's saving may have kept the login alive meanwhile.
    """
    left = seconds_left(
        get_session(),
        str(session.get("_user_id", "")),
        client=request.remote_addr,
        user_agent=request.user_agent.string,
        now=utc_now(),
        idle=idle_timeout(),
    )
    # Rounded up: 0 only once the login is over, so a reload then cannot revive it.
    return jsonify(seconds_left=ceil(left))


@bp.post("/session/extend")
def stay_signed_in() -> Response:
    """Keep the login open for another idle period ("Stay signed in")."""
    db = get_session()
    keep_alive(db, current_user.session_id, now=utc_now())
    db.commit()
    return jsonify(seconds_left=round(idle_timeout().total_seconds()))
