"""Legend row and point markers: shape as well as colour tells series apart."""

from collections.abc import Sequence
from dataclasses import dataclass

import svgwrite

from planner.plots.frame import INK
from planner.plots.frame import MUTED
from planner.plots.frame import SMALL_SIZE
from planner.plots.frame import clean_text
from planner.plots.frame import text_width
from planner.plots.labels import Occupied
from planner.plots.labels import text_box


@dataclass(frozen=True)
class Key:
    """One legend entry: a sample of how something is drawn, and its label.

    ``marker`` is the series index whose point shape to show, or None.
    """

    label: str
    colour: str
    dashed: bool = False
    marker: int | None = None


MARKERS = ("circle", "square", "triangle", "diamond")
MARKER_SIZE = 5.0


def draw_marker(
    drawing: svgwrite.Drawing, x: float, y: float, index: int, colour: str
) -> svgwrite.base.BaseElement:
    """Draw a point in series ``index``'s shape, so series differ without colour."""
    size = MARKER_SIZE
    style = {"fill": colour, "stroke": "#ffffff", "stroke_width": 1.5}
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        return drawing.circle(center=(x, y), r=size, **style)
    if shape == "square":
        side = size * 1.7
        return drawing.rect((x - side / 2, y - side / 2), (side, side), **style)
    if shape == "triangle":
        points = [
            (x, y - size * 1.2),
            (x + size * 1.1, y + size),
            (x - size * 1.1, y + size),
        ]
    else:
        points = [
            (x, y - size * 1.3),
            (x + size * 1.1, y),
            (x, y + size * 1.3),
            (x - size * 1.1, y),
        ]
    return drawing.polygon(points=points, **style)


def draw_legend(
    drawing: svgwrite.Drawing,
    keys: Sequence[Key],
    *,
    width: float,
    better: str | None = None,
    occupied: Occupied | None = None,
) -> float:
    """Write the row under the title: which way is better, then the keys.

    ``better`` is "higher" or "lower" (None leaves it out). Entries flow left to
    right and wrap onto another row when the width runs out.

    :return: the baseline y of the lowest row, so the plot can start below it.
    """
    group = drawing.g(**{"class": "legend"})
    x, y = 12.0, 42.0
    if better is not None:
        note = f"{better.capitalize()} is better"
        up = better == "higher"
        tip, base = (y - 9, y) if up else (y, y - 9)
        group.add(
            drawing.path(
                d=f"M 12 {base:g} L 20 {base:g} L 16 {tip:g} Z",
                fill=MUTED,
                **{"class": "better-arrow"},
            )
        )
        group.add(
            drawing.text(
                note,
                insert=(24, y),
                fill=MUTED,
                font_size=SMALL_SIZE,
                **{"class": "better", "data-better": better},
            )
        )
        if occupied is not None:
            occupied.claim(text_box(24, y, note, SMALL_SIZE))
        x = round(24 + text_width(note, SMALL_SIZE) + 16, 1)
    for key in keys:
        label = clean_text(key.label)
        needed = 26 + text_width(label, SMALL_SIZE) + 14
        if x + needed > width - 12 and x > 12:
            x, y = 12.0, y + 18
        entry = drawing.g(**{"class": "key"})
        entry.add(
            drawing.line(
                (x, y - 4),
                (x + 20, y - 4),
                stroke=key.colour,
                stroke_width=1.3 if key.dashed else 2.5,
                **({"stroke_dasharray": "6 4"} if key.dashed else {}),
            )
        )
        if key.marker is not None:
            entry.add(draw_marker(drawing, x + 10, y - 4, key.marker, key.colour))
        entry.add(
            drawing.text(label, insert=(x + 26, y), fill=INK, font_size=SMALL_SIZE)
        )
        if occupied is not None:
            occupied.claim(text_box(x + 26, y, label, SMALL_SIZE))
        group.add(entry)
        x = round(x + needed, 1)
    drawing.add(group)
    return y
