"""The map's fixed layers are drawn once per map and prefix, and reused as is.

A chart redraws its map on every refresh; what depends on the map alone (the
outline, each region plain and highlighted, zones, landmarks, side labels) is
written out once (``render._fixed_layers``). Reusing it must never carry one
chart's highlight, ids or hatching into the next drawing.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from planner.facemap import Site
from planner.facemap import load_face_map
from planner.facemap import render_face_map
from planner.facemap.hatching import Hatch
from planner.facemap.render import _fixed_layers

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
SVG = "{http://www.w3.org/2000/svg}"


def drawn_afresh(face_map, **options) -> str:
    _fixed_layers.cache_clear()
    return render_face_map(face_map, **options)


@pytest.mark.parametrize("name", ["front-v1", "front-v2"])
def test_a_drawing_from_the_cache_is_the_drawing_made_afresh(name: str) -> None:
    face_map = load_face_map(FACE_MAPS, name)
    first, second = (m.code for m in face_map.muscles[:2])
    charts = [
        {},
        {
            "sites": [Site(1, 120, 140, 4.0, "#1f77b4", "4 U")],
            "ghosts": [Site(0, 110, 150, 2.5, "#666666", "2.5 U", sized=False)],
            "highlight": {(first, "left"), second},
            "id_prefix": "today-",
        },
        {"hatched": [Hatch(first, "right", "Excised")], "id_prefix": "today-"},
        {"highlight": {first}, "title": "Last cycle"},
    ]
    fresh = [drawn_afresh(face_map, **chart) for chart in charts]
    # The same charts again, in another order, each from what the others cached.
    for index in (3, 1, 0, 2, 1):
        assert render_face_map(face_map, **charts[index]) == fresh[index]


def test_a_highlight_or_a_prefix_never_reaches_the_next_drawing() -> None:
    face_map = load_face_map(FACE_MAPS, "front-v2")
    muscle = face_map.muscles[0].code
    render_face_map(face_map, highlight={muscle}, id_prefix="a-")
    plain = ET.fromstring(render_face_map(face_map, id_prefix="b-"))
    regions = plain.findall(f".//{SVG}path[@data-muscle]")
    assert regions
    assert all("highlight" not in path.get("class", "") for path in regions)
    assert all(path.get("id", "").startswith("b-region-") for path in regions)
    lit = ET.fromstring(render_face_map(face_map, highlight={(muscle, "left")}))
    shown = {
        (path.get("data-muscle"), path.get("data-side"))
        for path in lit.findall(f".//{SVG}path[@data-muscle]")
        if "highlight" in path.get("class", "")
    }
    assert shown == {(muscle, "left")}
