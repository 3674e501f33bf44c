"""Draw the cycles overview's maps and charts, for the cycles page and its PDF.

The overview itself (``cycles.cycles_overview``) is data only, so the JSON API
draws nothing; pages and reports call ``draw_cycles`` on it before rendering.
The face map is drawn once per face map and version and kept: each card draws
only its own sites over it (``plots.map_cards``).
"""

import math
import threading
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from markupsafe import Markup

from planner import plots
from planner.facemap import FaceMap
from planner.facemap import muscle_regions
from planner.facemap import render_face_map
from planner.plots.map_cards import CardSite
from planner.plots.map_cards import MapSprite
from planner.plots.map_cards import map_card
from planner.plots.map_cards import map_sprite
from planner.plots.map_cards import site_style
from planner.services.cycles import CycleCard
from planner.services.cycles import CyclesOverview

SYMBOL_ID = "cycle-face"
# Site numbers on screen, in face-map units (about 11 px on a 16rem card).
SCREEN_NUMBER_SIZE = 14.5
# Room kept around the muscles when cropping the map for the cards.
CROP_MARGIN = (20.0, 12.0)
# Usual duration of effect, about 3 months (clinical reference §3 [S20] [S36]).
USUAL_WEEKS = (12.0, "Usual: about 12 weeks")

_sprites: dict[tuple[str, int], MapSprite] = {}
_lock = threading.Lock()


def card_crop(face_map: FaceMap) -> tuple[float, float, float, float]:
    """Return the part of the map the cards show: every muscle, a margin round."""
    x0, y0, width, height = face_map.view_box
    rings = [
        ring
        for muscle in face_map.muscles
        for region in muscle_regions(face_map, muscle)
        for ring in region.shape
    ]
    points = np.vstack(rings)
    (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    dx, dy = CROP_MARGIN
    left, top = max(float(left) - dx, x0), max(float(top) - dy, y0)
    right = min(float(right) + dx, x0 + width)
    bottom = min(float(bottom) + dy, y0 + height)
    return (left, top, right - left, bottom - top)


def face_sprite(face_map: FaceMap) -> MapSprite:
    """Return the shared face drawing for this face map, made on first use."""
    key = (face_map.name, face_map.version)
    found = _sprites.get(key)
    if found is None:
        found = map_sprite(
            render_face_map(face_map, id_prefix=f"{SYMBOL_ID}-"),
            symbol_id=SYMBOL_ID,
            crop=card_crop(face_map),
        )
        with _lock:
            _sprites[key] = found
    return found


def _describe(card: CycleCard) -> str:
    top_ups = sum(1 for site in card.sites if site.top_up)
    text = f"{len(card.sites)} injection site{'s' if len(card.sites) != 1 else ''}"
    if top_ups:
        text += f", {top_ups} given at a top-up"
    if card.previous is not None:
        text += f"; dashed rings are cycle {card.previous}'s sites"
        if card.product_changed:
            text += ", in another product, so all one size"
        text += f"; shaded muscles changed since cycle {card.previous}"
    return text + ". The patient's right side is on the left."


def largest_doses(cards: Iterable[CycleCard]) -> dict[str, float]:
    """Each product's largest site dose among the cards, ghosts of its own
    product included: the scale its markers are sized on (never another's)."""
    largest: dict[str, float] = {}
    for card in cards:
        doses = [site.units for site in card.sites]
        if not card.product_changed:
            doses += [site.units for site in card.ghosts]
        for units in doses:
            largest[card.product_code] = max(largest.get(card.product_code, 0.0), units)
    return largest


def _card_svg(
    sprite: MapSprite,
    card: CycleCard,
    *,
    number_size: float,
    largest: float,
    printed: bool,
) -> str:
    return map_card(
        sprite,
        sites=[CardSite(s.number, s.x, s.y, s.units, s.top_up) for s in card.sites],
        ghosts=[
            CardSite(s.number, s.x, s.y, s.units, sized=not card.product_changed)
            for s in card.ghosts
        ],
        highlight=card.highlight,
        style=site_style(card.colour, card.product_index),
        title=f"Cycle {card.number}, {card.product}: injection sites",
        description=_describe(card),
        number_size=number_size,
        largest=largest,
        id_prefix=f"c{card.number}-",
        with_base=not printed,
    )


def draw_cycles(
    overview: CyclesOverview,
    face_map: FaceMap,
    *,
    printed: bool = False,
    number_size: float = SCREEN_NUMBER_SIZE,
) -> CyclesOverview:
    """Return the overview with its cards' maps and its charts drawn.

    ``printed`` leaves the face out of the cards' own drawings and gives it as
    ``print_background`` instead (a data URI for the print stylesheet);
    otherwise ``sprite`` holds the symbol the cards use, for the page to embed
    once. ``number_size`` is the height of site numbers in face-map units.
    """
    sprite = face_sprite(face_map)
    # Each drawing escapes every text it writes: the cards (map_cards), the
    # charts (plots) and the face (facemap.render).
    largest = largest_doses(overview.cards)
    cards = [
        replace(
            card,
            svg=Markup(  # noqa: S704
                _card_svg(
                    sprite,
                    card,
                    number_size=number_size,
                    largest=largest.get(card.product_code, 0.0),
                    printed=printed,
                )
            ),
        )
        for card in overview.cards
    ]
    axis = list(overview.shown)
    courses = [
        replace(
            course,
            svg=Markup(  # noqa: S704
                plots.line_chart(
                    course.series,
                    cycles=axis,
                    title=f"{course.short} by cycle",
                    y_label="Score",
                    y_range=course.y_range,
                    higher_is_better=course.higher_is_better,
                    baseline=course.baseline,
                    marks=overview.marks,
                    id_prefix=f"trend-{course.instrument}-",
                    bands=overview.bands,
                )
            ),
        )
        # A descriptive grade has no numeric axis: its table says it all.
        if not course.descriptive
        else course
        for course in overview.courses
    ]
    duration_svg = None
    if overview.wear_off is not None and any(
        math.isfinite(v) for v in overview.wear_off.values
    ):
        duration_svg = Markup(  # noqa: S704
            plots.bar_chart(
                overview.wear_off,
                cycles=axis,
                title="How long the effect lasted",
                reference=USUAL_WEEKS,
                marks=overview.marks,
                id_prefix="duration-",
                bands=overview.bands,
            )
        )
    return replace(
        overview,
        cards=cards,
        courses=courses,
        duration_svg=duration_svg,
        sprite=None if printed else Markup(sprite.symbol()),  # noqa: S704
        print_background=sprite.data_uri() if printed else "",
    )
