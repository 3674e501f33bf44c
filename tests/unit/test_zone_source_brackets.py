"""A zone's source on the chart's map keeps its own brackets and gets no more.

The map's title for a zone read "No-go zone: The eye (palpebral fissure)
(Anatomy (UNSOURCED in the clinical reference))": the source in brackets around
its own. Every zone of the map is now titled with its source after
"Source:", whole, with the UNSOURCED label it carries, and no bracket in a
bracket other than what the map's own source text holds.
"""

import re

from lxml import etree

from planner.facemap import load_edition
from planner.facemap.render import render_face_map

SVG = "{http://www.w3.org/2000/svg}"


def bracket_depth(text: str) -> int:
    """How deep brackets, round or square, go: 1 for "a (b) [c]", 2 for "(a (b))"."""
    depth = deepest = 0
    for char in text:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    return deepest


def zone_titles(version: int) -> dict[str, str]:
    svg = etree.fromstring(render_face_map(load_edition(version)).encode())
    return {
        path.get("data-zone"): path.find(f"{SVG}title").text
        for path in svg.iter(f"{SVG}path")
        if path.get("data-zone")
    }


def test_each_zone_is_titled_with_its_source_whole_and_no_bracket_around_it():
    # Front-v1 has no zones; front-v2 brought them in as data with their sources.
    face_map = load_edition(2)
    titles = zone_titles(2)
    drawn = [zone for zone in face_map.zones if not zone.roles]
    assert drawn
    assert set(titles) == {zone.code for zone in drawn}
    for zone in drawn:
        kind = "No-go zone" if zone.kind == "no_go" else "Caution zone"
        title = titles[zone.code]
        assert title == f"{kind}: {zone.title}. Source: {zone.source}"
        # No deeper than the zone's own words already go.
        assert bracket_depth(title) == max(
            bracket_depth(zone.title), bracket_depth(zone.source)
        ), title


def test_the_eye_reads_its_unsourced_anatomy_without_nested_brackets():
    title = zone_titles(2)["palpebral_fissure"]
    assert title == (
        "No-go zone: The eye (palpebral fissure)."
        " Source: Anatomy (UNSOURCED in the clinical reference)"
    )
    assert bracket_depth(title) == 1
    assert not re.search(r"\([^()]*\(", title)
