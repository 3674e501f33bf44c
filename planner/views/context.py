"""Values the views share: the face map, the clinic's clock, the chart, form input."""

from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask import request
from werkzeug.datastructures import MultiDict

from planner import clinic_time
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.facemap import FaceMap
from planner.facemap import load_face_map
from planner.services.chart_state import chart_state
from planner.services.chart_state_models import ChartState
from planner.services.diary_mail import SEND_TIMEOUT_SECONDS
from planner.services.diary_mail import ClinicWords
from planner.services.diary_tokens import link_key
from planner.services.mail_server import SmtpMailer
from planner.services.mail_server import configured_mailer
from planner.validation import ascii_number

_FACE_MAP_KEY = "planner.face_map"
# Three-digit cycle numbers are plenty; longer values are ignored, not parsed.
MAX_CYCLE_DIGITS = 3


def face_map() -> FaceMap:
    """Return the app's face map, loaded on first use and kept on the app.

    Kept on the app rather than looked up by path each time: resolving the path
    touched the file system on every tap.
    """
    found = current_app.extensions.get(_FACE_MAP_KEY)
    if found is None:
        found = load_face_map(Path(current_app.config["FACE_MAPS_DIR"]))
        current_app.extensions[_FACE_MAP_KEY] = found
    return found


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_now() -> datetime:
    """Return the present moment on the clinic's wall clock."""
    return clinic_time.clinic_now(clinic_zone(), utc_now())


def clinic_today() -> date:
    """Return today's date on the clinic's calendar."""
    return clinic_time.clinic_today(clinic_zone(), utc_now())


def current_chart_state(session_id: int) -> ChartState:
    """Return the chart's whole state as it is now, for the page and the API."""
    return chart_state(
        get_session(),
        session_id,
        face_map=face_map(),
        zone=clinic_zone(),
        now=utc_now(),
    )


def chosen_cycles(args: MultiDict[str, str]) -> set[int]:
    """Return the cycle numbers chosen with ``?cycle=`` (repeated); empty ones are
    none.

    :raises InvalidInput: naming ``cycle``, for one that is not a cycle number:
        read as none chosen, it showed every cycle under the page's heading.
    """
    chosen: set[int] = set()
    for value in args.getlist("cycle"):
        number = ascii_number(value, MAX_CYCLE_DIGITS) if value else None
        if value and (number is None or number < 1):
            highest = "9" * MAX_CYCLE_DIGITS
            reason = f"must be a cycle number: a whole number from 1 to {highest}"
            raise InvalidInput(
                "The page's address holds a cycle it cannot show.",
                fields={"cycle": reason},
            )
        if number is not None:
            chosen.add(number)
    return chosen


def posted_form() -> dict[str, Any]:
    """Return the posted form's fields without its CSRF token.

    An unchecked checkbox is simply absent.
    """
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    return data


def diary_key() -> bytes:
    """Return the key diary tokens are derived with (from the app's secret key)."""
    return link_key(current_app.config["SECRET_KEY"])


def mailer() -> SmtpMailer | None:
    """Return the clinic's mail server, or None when SMTP is not set up."""
    return configured_mailer(current_app.config, timeout=SEND_TIMEOUT_SECONDS)


def clinic_words() -> ClinicWords:
    """Return what patient emails say about the clinic."""
    config = current_app.config
    return ClinicWords(
        name=config["CLINIC_NAME"],
        phone=config["CLINIC_PHONE"],
        emergency_number=config.get("EMERGENCY_NUMBER", "999"),
    )
