"""Who may reach what: login for everything by default, roles by decorator."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from flask import Flask
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import has_request_context
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import error_response
from planner.errors import wants_json
from planner.models import Role
from planner.services.audit import Actor
from planner.services.login_sessions import TOUCH_AFTER
from planner.services.login_sessions import SignedInUser
from planner.services.login_sessions import signed_in_user

P = ParamSpec("P")
R = TypeVar("R")

# Endpoints anyone may reach; everything else needs a login. The calendar feed is
# fetched by calendar apps that cannot log in: its secret token is its key.
# The patient's diary pages are keyed by their link's token the same way.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "health.healthz", "static", "schedule.feed"}
    | {"diary.home", "diary.step"}
    # Asks how long the login has left without counting as activity (auth.py).
    | {"auth.time_left"}
)

ROLES_ATTR = "_planner_roles"


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let only users holding one of ``roles`` call the view."""
    allowed = frozenset(roles)

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in allowed:
                abort(403, "Your role does not allow this.")
            return view(*args, **kwargs)

        setattr(wrapper, ROLES_ATTR, allowed)
        return wrapper

    return decorate


def allowed_roles(endpoint: str) -> frozenset[Role]:
    """Return the roles the view at ``endpoint`` lets in (all, if it names none)."""
    view: Any = current_app.view_functions[endpoint]
    while view is not None:
        roles = getattr(view, ROLES_ATTR, None)
        if roles is not None:
            return frozenset(roles)
        view = getattr(view, "__wrapped__", None)
    return frozenset(Role)


def can(endpoint: str) -> bool:
    """Tell whether the logged-in user may use ``endpoint`` (for templates)."""
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    if not current_user.is_authenticated:
        return False
    return current_user.role in allowed_roles(endpoint)


def idle_timeout() -> timedelta:
    """Return how long a login may go without a request before it is ended."""
    # A float, so a test can set a timeout of seconds (0.25 is 15 s).
    return timedelta(minutes=float(current_app.config["IDLE_TIMEOUT_MINUTES"]))


def idle_warning() -> timedelta:
    """Return how long before the idle logout the page warns (at most half of it)."""
    warn = timedelta(seconds=float(current_app.config["IDLE_WARNING_SECONDS"]))
    return min(warn, idle_timeout() / 2)


@dataclass(frozen=True)
class IdleWatch:
    """When a logged-in page first asks how long is left, and how early it warns."""

    first_check: int
    warn: int


def idle_watch() -> IdleWatch | None:
    """Return the idle warning's timings in seconds for this page, or None.

    None when nobody is logged in, and on the self-entry kiosk: the patient
    holding the tablet must not keep the clinician's login open.
    """
    if not current_user.is_authenticated or getattr(current_user, "kiosk", False):
        return None
    warn = idle_warning()
    # The login's "last seen" may be up to TOUCH_AFTER older than this page.
    first = idle_timeout() - warn - TOUCH_AFTER
    return IdleWatch(
        first_check=max(0, int(first.total_seconds())),
        warn=int(warn.total_seconds()),
    )


def current_actor() -> Actor:
    """Describe the logged-in user for the services and the audit trail."""
    return Actor(
        user_id=current_user.id,
        email=current_user.email,
        remote_addr=request.remote_addr,
    )


def _require_login() -> Response | tuple[Any, int] | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint is None:
        return None  # let the 404 handler answer
    if current_user.is_authenticated:
        return None
    if g.get("session_timed_out"):
        session.clear()
        if wants_json():
            return error_response(401, "Your session timed out. Log in again.")
        flash("You were logged out after a period of inactivity.", "info")
    elif wants_json():
        return error_response(401, "Log in first.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _load_user(token: str) -> SignedInUser | None:
    """Look the cookie's session token up: an open session of an active login."""
    check = signed_in_user(
        get_session(),
        token,
        client=request.remote_addr,
        user_agent=request.user_agent.string,
        now=utc_now(),
        idle=idle_timeout(),
    )
    g.session_timed_out = check.timed_out
    return check.user


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=()")
    if request.endpoint != "static":
        # Health records must not linger in shared or browser caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class TLSAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure whenever the request came by TLS.

    ``SESSION_COOKIE_SECURE`` set true forces the flag on every response. Left
    false, the flag follows the request: HTTPS served directly, or reported by a
    trusted proxy (``TRUSTED_PROXIES``, through ProxyFix), gets a Secure cookie
    without anyone having to remember the setting.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return has_request_context() and request.is_secure


def init_app(app: Flask) -> None:
    """Wire Flask-Login, the login gate and the security headers."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    # Off: Flask-Login's protection hashes the X-Forwarded-For header a client
    # may set itself. The login session binds itself to the client instead,
    # as the app sees it (through ProxyFix only with PLANNER_TRUSTED_PROXIES).
    manager.session_protection = None
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.session_interface = TLSAwareSessionInterface()
    app.before_request(_require_login)
    app.after_request(_security_headers)
