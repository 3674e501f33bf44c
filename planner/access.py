"""Who may reach what: login for everything by default, roles by decorator."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from flask import Flask
from flask import abort
from flask import current_app
from flask import flash
from flask import has_request_context
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_login import current_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from planner.db import get_session
from planner.errors import error_response
from planner.errors import wants_json
from planner.models import Role
from planner.services.audit import Actor
from planner.services.users import SignedInUser
from planner.services.users import signed_in_user

P = ParamSpec("P")
R = TypeVar("R")

# Endpoints anyone may reach; everything else needs a login. The calendar feed is
# fetched by calendar apps that cannot log in: its secret token is its key.
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "health.healthz", "static", "schedule.feed"}
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
    if not current_user.is_authenticated:
        if wants_json():
            return error_response(401, "Log in first.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return _enforce_idle_timeout()


def _enforce_idle_timeout() -> Response | tuple[Any, int] | None:
    limit = int(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    now = time.time()
    last = session.get("last_seen")
    if isinstance(last, int | float) and now - last > limit:
        logout_user()
        session.clear()
        if wants_json():
            return error_response(401, "Your session timed out. Log in again.")
        flash("You were logged out after a period of inactivity.", "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    # Whole seconds are enough, and writing the cookie less often keeps it stable.
    if not isinstance(last, int | float) or now - last > 30:
        session["last_seen"] = int(now)
    return None


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
    manager.session_protection = "strong"

    @manager.user_loader  # type: ignore[untyped-decorator]  # flask_login is untyped
    def load_user(user_id: str) -> SignedInUser | None:
        return signed_in_user(get_session(), user_id)

    manager.init_app(app)
    app.session_interface = TLSAwareSessionInterface()
    app.before_request(_require_login)
    app.after_request(_security_headers)
