"""Versions of the face map: the one new charts use, and the ones sessions keep.

A session records the version of the map it was charted on. A signed session
keeps being drawn on its own version, exactly as signed; drafts and new sessions
use the current one. Every version keeps the same viewBox and drawing, so a
site's coordinates mean the same spot on the face whichever version drew them.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from planner.facemap.geometry import Side
from planner.facemap.geometry import reference_points
from planner.facemap.mirroring import ROLE_SIDES
from planner.facemap.model import CURRENT_MAP_VERSION
from planner.facemap.model import MAP_FAMILY
from planner.facemap.model import FaceMap
from planner.facemap.model import load_face_map

# The map files that ship with the code; a loaded map remembers its own folder.
SHIPPED_MAPS = Path(__file__).resolve().parents[2] / "face_maps"


def edition_name(version: int) -> str:
    """Name the map file of a version: ``front-v2``."""
    return f"{MAP_FAMILY}-v{version}"


def load_edition(version: int, folder: Path | None = None) -> FaceMap:
    """Load one version of the map, from ``folder`` or the shipped maps."""
    return load_face_map(folder or SHIPPED_MAPS, edition_name(version))


def edition_for(face_map: FaceMap, version: int) -> FaceMap:
    """Return the map of ``version``: this one, or its sibling in the same folder."""
    if face_map.version == version:
        return face_map
    return load_edition(version, face_map.folder)


def current_edition(folder: Path | None = None) -> FaceMap:
    """Load the map new sessions are charted on."""
    return load_edition(CURRENT_MAP_VERSION, folder)


def nearest_reference_point(
    face_map: FaceMap, muscle: str, side: Side, x: float, y: float
) -> tuple[float, float]:
    """Return the muscle's reference point on ``side`` nearest to (x, y).

    :raises KeyError: for a muscle the map lacks, or a side it has no points on.
    """
    points = reference_points(face_map, face_map.muscle(muscle), side)
    nearest = points[int(np.hypot(points[:, 0] - x, points[:, 1] - y).argmin())]
    return float(nearest[0]), float(nearest[1])


def template_sites_on(
    face_map: FaceMap, sites: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Move template sites drawn on an older map onto this map, by muscle and side.

    Each site keeps its muscle, role and dose, and goes to this map's reference
    point for that muscle on the side its role implies (the affected side drawn
    as the patient's right), the one nearest its old point: a lateral corrugator
    point stays lateral, a lower crow's-feet point stays lower.

    :raises KeyError: for a muscle this map lacks.
    """
    moved = []
    for site in sites:
        side = ROLE_SIDES[str(site["role"])]
        x, y = nearest_reference_point(
            face_map, str(site["muscle"]), side, float(site["x"]), float(site["y"])
        )
        moved.append({**site, "x": x, "y": y})
    return moved
