"""Face maps: load the map data, hit-test and mirror points, render SVG.

Pure: no Flask and no database. Callers pass plain values and get plain values
or an SVG string back.
"""

from planner.facemap.editions import current_edition
from planner.facemap.editions import edition_for
from planner.facemap.editions import load_edition
from planner.facemap.editions import template_sites_on
from planner.facemap.geometry import DEFAULT_TOLERANCE
from planner.facemap.geometry import MIDLINE_X
from planner.facemap.geometry import Hit
from planner.facemap.geometry import Miss
from planner.facemap.geometry import Region
from planner.facemap.geometry import Side
from planner.facemap.geometry import clearance
from planner.facemap.geometry import hit_test
from planner.facemap.geometry import locate
from planner.facemap.geometry import mirror
from planner.facemap.geometry import mirror_points
from planner.facemap.geometry import muscle_regions
from planner.facemap.geometry import reference_points
from planner.facemap.geometry import region_index
from planner.facemap.geometry import region_table
from planner.facemap.geometry import side_of
from planner.facemap.geometry import tap_target
from planner.facemap.model import CURRENT_MAP
from planner.facemap.model import CURRENT_MAP_VERSION
from planner.facemap.model import FaceMap
from planner.facemap.model import FaceMapError
from planner.facemap.model import Landmark
from planner.facemap.model import Muscle
from planner.facemap.model import Zone
from planner.facemap.model import load_face_map
from planner.facemap.render import Site
from planner.facemap.render import render_face_map
from planner.facemap.zones import no_go_at
from planner.facemap.zones import site_cautions
from planner.facemap.zones import zones_at
from planner.marker_size import MarkerScale

__all__ = [
    "CURRENT_MAP",
    "CURRENT_MAP_VERSION",
    "DEFAULT_TOLERANCE",
    "MIDLINE_X",
    "FaceMap",
    "FaceMapError",
    "Hit",
    "Landmark",
    "MarkerScale",
    "Miss",
    "Muscle",
    "Region",
    "Side",
    "Site",
    "Zone",
    "clearance",
    "current_edition",
    "edition_for",
    "hit_test",
    "load_edition",
    "load_face_map",
    "locate",
    "mirror",
    "mirror_points",
    "muscle_regions",
    "no_go_at",
    "reference_points",
    "region_index",
    "region_table",
    "render_face_map",
    "side_of",
    "site_cautions",
    "tap_target",
    "template_sites_on",
    "zones_at",
]
