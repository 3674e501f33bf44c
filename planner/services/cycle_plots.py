"""Draw the cycles overview's maps and charts, for the cycles page and its PDF.

The overview itself (``cycles.cycles_overview``) is data only, so the JSON API
draws nothing; pages and reports call ``draw_cycles`` on it before rendering.
"""

from dataclasses import replace

from markupsafe import Markup

from planner import plots
from planner.facemap import FaceMap
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.services.cycles import CycleCard
from planner.services.cycles import CyclesOverview
from planner.services.cycles import TrendView

GHOST = "#767676"


def _card_map(face_map: FaceMap, card: CycleCard, previous: CycleCard | None) -> str:
    return render_face_map(
        face_map,
        sites=[Site(p.number, p.x, p.y, p.units, card.colour) for p in card.sites],
        ghosts=[
            Site(0, p.x, p.y, p.units, GHOST)
            for p in (previous.sites if previous else ())
        ],
        highlight=set(card.highlight),
        title=f"Cycle {card.number} injection sites",
        id_prefix=f"c{card.number}-",
    )


def _trend_chart(trend: TrendView, marks: list[tuple[int, str]]) -> str:
    return plots.line_chart(
        [trend.series],
        title=f"{trend.title} by cycle",
        y_label="Score",
        y_range=None,
        higher_is_better=trend.higher_is_better,
        marks=marks,
        id_prefix=f"trend-{trend.instrument}-",
    )


def draw_cycles(overview: CyclesOverview, face_map: FaceMap) -> CyclesOverview:
    """Return the overview with each cycle's map and the score and duration charts."""
    cards: list[CycleCard] = []
    previous: CycleCard | None = None
    for card in overview.cards:
        svg = _card_map(face_map, card, previous)
        # facemap.render escapes every text it writes.
        cards.append(replace(card, svg=Markup(svg)))  # noqa: S704
        previous = card
    trends = [
        # The charts escape every text they write.
        replace(trend, svg=Markup(_trend_chart(trend, overview.marks)))  # noqa: S704
        for trend in overview.trends
    ]
    duration_svg = None
    if overview.wear_off is not None:
        duration_svg = Markup(  # noqa: S704  # the charts escape every text they write
            plots.bar_chart(
                overview.wear_off,
                title="How long the effect lasted",
                reference=(12.0, "12 weeks"),
                marks=overview.marks,
                id_prefix="duration-",
            )
        )
    return replace(overview, cards=cards, trends=trends, duration_svg=duration_svg)
