"""Request-independent values the views share: the face map and the clinic's zone."""

from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

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
