"""planner: botulinum toxin injection planning and follow-up for facial synkinesis."""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from planner import access
from planner import db
from planner import passwords
from planner import request_limits
from planner import schema_gate
from planner.cli import register_commands
from planner.config import load_config
from planner.converters import IdConverter
from planner.converters import TextConverter
from planner.errors import register_error_handlers
from planner.jsonsafe import SafeJSONProvider
from planner.private_files import private_dir
from planner.templating import register_template_helpers
from planner.views import api
from planner.views import audit
from planner.views import auth
from planner.views import consent
from planner.views import consent_settings
from planner.views import diary
from planner.views import exports
from planner.views import fhir
from planner.views import health
from planner.views import home
from planner.views import outcomes
from planner.views import patients
from planner.views import photo_settings
from planner.views import photos
from planner.views import read_audit
from planner.views import reports
from planner.views import schedule
from planner.views import sessions
from planner.views import settings
from planner.views import stock
from planner.views import therapy
from planner.views import users


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, database, blueprints, error handlers."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.json = SafeJSONProvider(app)
    # Every integer in a URL is a record id; under werkzeug's own name, so that
    # the OpenAPI document describes these parameters as integers.
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    load_config(app, test_config)
    passwords.use_profile(app.config["PASSWORD_HASHING"])
    logging.getLogger("planner").setLevel(app.config["LOG_LEVEL"])
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # the documented way to wrap
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    db.init_app(app)
    # Before the login gate, whose user lookup reads a schema that may not fit.
    schema_gate.init_app(app)
    request_limits.init_app(app)
    # The login gate runs first, so anonymous callers are told to log in (401)
    # rather than that their CSRF token is missing.
    access.init_app(app)
    CSRFProtect(app)

    for blueprint in (
        auth.bp,
        health.bp,
        home.bp,
        outcomes.bp,
        patients.bp,
        reports.bp,
        reports.api_bp,
        schedule.bp,
        sessions.bp,
        settings.bp,
        stock.bp,
        users.bp,
        audit.bp,
        exports.bp,
        fhir.bp,
        photos.bp,
        photo_settings.bp,
        diary.bp,
        therapy.bp,
        consent.bp,
        consent_settings.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)
    read_audit.init_app(app)

    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    private_dir(Path(app.instance_path))
    return app
