"""planner: botulinum toxin injection planning and follow-up for facial synkinesis."""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, database, blueprints, error handlers."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    from planner.config import load_config
    from planner.jsonsafe import SafeJSONProvider

    app.json = SafeJSONProvider(app)
    load_config(app, test_config)
    from planner.converters import IdConverter

    app.url_map.converters["id"] = IdConverter
    logging.getLogger("planner").setLevel(app.config["LOG_LEVEL"])
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # the documented way to wrap
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    from planner import access
    from planner import db

    db.init_app(app)
    # The login gate runs first, so anonymous callers are told to log in (401)
    # rather than that their CSRF token is missing.
    access.init_app(app)
    CSRFProtect(app)

    from planner.views import api
    from planner.views import auth
    from planner.views import health
    from planner.views import home
    from planner.views import patients

    app.register_blueprint(auth.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(patients.bp)
    api.init_app(app)

    from planner.errors import register_error_handlers
    from planner.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)

    from planner.cli import register_commands

    register_commands(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return app
