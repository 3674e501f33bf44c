"""The face drawn once and reused by each cycle's card: structure, sizes, greyscale."""

import base64
import xml.etree.ElementTree as ET

import pytest

from planner.facemap import render_face_map
from planner.plots import relative_luminance
from planner.plots.map_cards import SHAPES
from planner.plots.map_cards import CardSite
from planner.plots.map_cards import SiteStyle
from planner.plots.map_cards import map_card
from planner.plots.map_cards import map_sprite
from planner.plots.map_cards import marker_radius
from planner.plots.map_cards import site_style
from planner.services.cycle_plots import card_crop
from tests.factories import FACE_MAP

SVG = "{http://www.w3.org/2000/svg}"
CROP = card_crop(FACE_MAP)


@pytest.fixture(scope="module")
def sprite():
    return map_sprite(
        render_face_map(FACE_MAP, id_prefix="x-"), symbol_id="face", crop=CROP
    )


def card(sprite, **overrides):
    options = {
        "sites": [CardSite(1, 150, 200, 2.5), CardSite(12, 250, 300, 5, top_up=True)],
        "style": site_style("#E69F00", 0),
        "ghosts": [CardSite(1, 160, 205, 2.5)],
        "highlight": [("mentalis", "left")],
        "title": "Cycle 2, Botox: injection sites",
        "description": "2 injection sites.",
        "number_size": 14.0,
        "largest": 5.0,
        "id_prefix": "c2-",
    }
    options.update(overrides)
    return ET.fromstring(map_card(sprite, **options))


def test_the_sprite_flattens_the_map_into_a_few_elements(sprite):
    full = ET.fromstring(render_face_map(FACE_MAP))
    flat = ET.fromstring(sprite.standalone())
    # Every region and landmark of the full drawing is a path of its own; the
    # sprite joins them: one path for all muscle edges, one per landmark style.
    assert len(list(full.iter(f"{SVG}path"))) > 50
    assert len(list(flat.iter(f"{SVG}path"))) <= 8
    assert not list(flat.iter(f"{SVG}title"))
    assert flat.get("viewBox") == " ".join(f"{v:g}" for v in CROP)
    # Each region is kept for shading, by muscle and side.
    assert ("mentalis", "left") in sprite.regions
    assert ("procerus", "midline") in sprite.regions
    symbol = ET.fromstring(sprite.symbol())
    assert symbol.get("aria-hidden") == "true"
    assert symbol.find(f"{SVG}symbol").get("id") == "face"
    encoded = sprite.data_uri().removeprefix("data:image/svg+xml;base64,")
    assert base64.b64decode(encoded).decode() == sprite.standalone()


def test_the_crop_keeps_every_muscle_inside(sprite):
    x, y, width, height = CROP
    for d in sprite.regions.values():
        numbers = [
            float(v)
            for v in d.replace("M", " ").replace("L", " ").replace("Z", " ").split()
        ]
        xs, ys = numbers[0::2], numbers[1::2]
        assert x <= min(xs)
        assert max(xs) <= x + width
        assert y <= min(ys)
        assert max(ys) <= y + height


def test_a_card_uses_the_shared_face_and_draws_only_its_own(sprite):
    root = card(sprite)
    assert root.get("role") == "img"
    assert root.get("viewBox") == " ".join(f"{v:g}" for v in CROP)
    (use,) = root.iter(f"{SVG}use")
    assert use.get("href") == "#face"
    assert root.find(f"{SVG}title").text == "Cycle 2, Botox: injection sites"
    (shade,) = [e for e in root.iter(f"{SVG}path") if e.get("class") == "highlight"]
    assert shade.get("d") == sprite.regions[("mentalis", "left")]
    assert len([e for e in root.iter() if e.get("class") == "ghost"]) == 1
    numbers = [t.text for t in root.iter(f"{SVG}text")]
    assert numbers == ["1", "12"]
    top_up = [e for e in root.iter() if "top-up" in (e.get("class") or "")]
    assert [e.get("data-number") for e in top_up] == ["12"]
    printed = card(sprite, with_base=False)
    assert not list(printed.iter(f"{SVG}use"))


def test_numbers_have_the_size_asked_for_and_fit_their_marks(sprite):
    root = card(sprite, number_size=17.5)
    (numbers,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "numbers"]
    assert float(numbers.get("font-size")) == 17.5
    # Two digits (0.64 em each) fit inside the smallest mark.
    assert 2 * marker_radius(0.5, 17.5, 5.0) >= 2 * 0.64 * 17.5 * 0.9


@pytest.mark.parametrize("index", range(len(SHAPES)))
def test_each_product_has_its_own_shape_and_a_dark_edge(sprite, index):
    """Orange, pink and green dots vanished into shaded muscles in black and white.

    A near-black edge (luminance under 0.02) outlines every mark whatever its
    colour, and the shape says the product without colour.
    """
    root = card(sprite, style=site_style("#CC79A7", index))
    marks = [e for e in root.iter() if "site" in (e.get("class") or "").split()]
    tags = {e.tag.removeprefix(SVG) for e in marks}
    expected = {"circle": "circle", "square": "rect"}.get(SHAPES[index], "polygon")
    assert tags == {expected}
    for mark in marks:
        assert relative_luminance(mark.get("stroke")) < 0.02
        assert float(mark.get("stroke-width")) >= 1.2


def test_shapes_differ_between_the_first_four_products():
    assert len({site_style("#000000", i).shape for i in range(4)}) == 4


def test_a_bad_colour_or_shape_is_refused():
    with pytest.raises(ValueError, match="colour"):
        SiteStyle("orange", "circle")
    with pytest.raises(ValueError, match="shape"):
        SiteStyle("#E69F00", "star")


def test_hostile_titles_are_escaped(sprite):
    root = card(sprite, title='<script>alert("x")</script> & co', id_prefix="h-")
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'
