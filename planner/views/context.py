"""Request-independent values the views share: the face map and the clinic's clock."""

from datetime import date
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from planner import clinic_time
from planner.db_types import utc_now
from planner.facemap import FaceMap
from planner.facemap import load_face_map

_FACE_MAP_KEY = "planner.face_map"


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
