"""Settings, read from the environment when the app is created."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import click
from flask import Flask

from planner.private_files import make_private
from planner.private_files import private_dir
from planner.private_files import publish_once

ENV_PREFIX = "PLANNER_"

# Keys that may come from PLANNER_<KEY> in the environment, with their types.
ENV_KEYS: dict[str, type] = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "CLINIC_NAME": str,
    "CLINIC_PHONE": str,
    "EMERGENCY_NUMBER": str,
    "CLINIC_TIMEZONE": str,
    "PAPER_SIZE": str,
    "SESSION_COOKIE_SECURE": bool,
    "IDLE_TIMEOUT_MINUTES": int,
    "IDLE_WARNING_SECONDS": int,
    "TRUSTED_PROXIES": int,
    "LOG_LEVEL": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_FROM": str,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    # The address patients reach planner at (https://planner.example.org): the
    # scheduled weekly diary invitations need it to write the link.
    "PUBLIC_URL": str,
}


# Settings that must be more than 0, and what they count: 0 minutes logged
# every login out on its next page. (From the environment a whole number, so 1
# at least; a test's app may set a fraction to time out in seconds.)
POSITIVE = (("IDLE_TIMEOUT_MINUTES", "minutes of no use before a login is logged out"),)
# Whole-number settings with their least workable value, and what they count.
LOWEST = (
    ("IDLE_WARNING_SECONDS", 0, "seconds of warning before the idle logout"),
    ("TRUSTED_PROXIES", 0, "reverse proxies in front of planner"),
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingError(click.ClickException, ValueError):
    """A setting planner cannot work with, named by its ``PLANNER_`` variable.

    A ``ClickException``, so that a ``flask --app planner`` command whose app
    cannot be built says why in one line, with no traceback.
    """


def defaults(instance_path: Path) -> dict[str, Any]:
    """Return the built-in settings for an app whose instance folder is given."""
    return {
        "DATABASE_URL": f"sqlite:///{instance_path / 'planner.db'}",
        "FACE_MAPS_DIR": str(Path(__file__).resolve().parent.parent / "face_maps"),
        "CLINIC_NAME": "Facial Palsy Clinic",
        "CLINIC_PHONE": "",
        # Printed on the patient handout's red flags; 999 is the UK's.
        "EMERGENCY_NUMBER": "999",
        "CLINIC_TIMEZONE": "Europe/London",
        "PAPER_SIZE": "A4",
        "PAGE_SIZE": 25,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Set true when served over TLS, as behind the README's reverse proxy.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "IDLE_TIMEOUT_MINUTES": 30,
        # The page warns this long before the idle logout, with a way to stay
        # signed in (WCAG 2.2.1); at most half the timeout.
        "IDLE_WARNING_SECONDS": 120,
        "TRUSTED_PROXIES": 0,
        "LOG_LEVEL": "INFO",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Failed password checks before each further one waits (1 s, doubling,
        # up to LOGIN_LOCK_MINUTES): per login and client together, per client,
        # and per login from clients it has never logged in from (see
        # planner/services/login_throttle.py).
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_CLIENT_FAILURES": 20,
        "LOGIN_ACCOUNT_FAILURES": 10,
        "LOGIN_LOCK_MINUTES": 15,
        # Only a test app sets "fast-for-tests" (see planner.passwords); it is not
        # one of ENV_KEYS, so no deployment can weaken its hashes by mistake.
        "PASSWORD_HASHING": "strong",
        # Commands and /healthz stop when the database's migration is not the
        # code's. Not one of ENV_KEYS: only the test suite, whose schemas
        # create_all builds without Alembic's version row, turns it off.
        "CHECK_SCHEMA": True,
    }


def _coerce(key: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingError(f"{ENV_PREFIX}{key} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise SettingError(f"{ENV_PREFIX}{key} must be a whole number") from None
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Pick the PLANNER_* settings out of an environment mapping."""
    found: dict[str, Any] = {}
    for key, kind in ENV_KEYS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is not None:
            found[key] = _coerce(key, raw, kind)
    url = found.get("DATABASE_URL")
    if isinstance(url, str) and url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's default would be psycopg2.
        found["DATABASE_URL"] = "postgresql+psycopg://" + url[len("postgresql://") :]
    return found


def instance_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it once.

    Several workers may start at once: the key is published whole or not at
    all (``publish_once``), so none reads a half-written key, and the first to
    publish wins; the others read its key.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        private_dir(instance_path)
        publish_once(key_file, secrets.token_hex(32))
    make_private(key_file)
    key = key_file.read_text().strip()
    if not key:
        # Left by an older planner that crashed while writing it.
        raise RuntimeError(
            f"{key_file} is empty: delete it (every login will be logged out) "
            "or set PLANNER_SECRET_KEY"
        )
    return key


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, then the environment or the test config."""
    instance_path = Path(app.instance_path)
    app.config.from_mapping(defaults(instance_path))
    if test_config is None:
        app.config.from_mapping(from_environment(os.environ))
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance_path)
    check_settings(app.config)


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse, naming its ``PLANNER_`` variable, a setting planner cannot work with."""
    if config["PAPER_SIZE"] not in {"A4", "Letter"}:
        raise SettingError("PLANNER_PAPER_SIZE must be A4 or Letter")
    for key, what in POSITIVE:
        if config[key] <= 0:
            raise SettingError(
                f"{ENV_PREFIX}{key} must be more than 0 ({what}), not {config[key]}"
            )
    for key, least, what in LOWEST:
        if config[key] < least:
            raise SettingError(
                f"{ENV_PREFIX}{key} must be at least {least} ({what}), "
                f"not {config[key]}"
            )
    if config["LOG_LEVEL"] not in LOG_LEVELS:
        raise SettingError(
            f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
            f"not {config['LOG_LEVEL']!r}"
        )
    try:
        ZoneInfo(config["CLINIC_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SettingError(
            f"{ENV_PREFIX}CLINIC_TIMEZONE must be a time zone name such as "
            f"Europe/London, not {config['CLINIC_TIMEZONE']!r}"
        ) from None
