"""Request-independent values the views share: the face map and the clinic's zone."""

from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from planner.facemap import FaceMap
from planner.facemap import load_face_map


def face_map() -> FaceMap:
    """Return the app's face map (loaded once per process and cached)."""
    return load_face_map(Path(current_app.config["FACE_MAPS_DIR"]))


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
