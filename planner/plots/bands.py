"""Therapy periods on a cycle axis: a shaded band across the cycles they overlap.

Drawn under the data, with the period's label inside the band's top edge; taps
and reading order are untouched. A band outside the shown cycles is not drawn.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import svgwrite

from planner.plots.frame import MUTED
from planner.plots.frame import SMALL_SIZE
from planner.plots.frame import Frame
from planner.plots.frame import clean_text
from planner.plots.labels import Occupied
from planner.plots.labels import text_box

BAND_FILL = "#009E73"
BAND_OPACITY = 0.13
# Rows of labels inside the plot's top, one per overlapping band.
ROW = 13.0


@dataclass(frozen=True)
class Band:
    """A period across cycles ``first`` to ``last`` (inclusive), with its label."""

    first: int
    last: int
    label: str


def draw_bands(
    drawing: svgwrite.Drawing,
    frame: Frame,
    axis: Sequence[int],
    bands: Sequence[Band],
    occupied: Occupied | None = None,
) -> None:
    """Shade each band's columns of the plot and write its label at the top."""
    group = drawing.g(**{"class": "bands"})
    count = len(axis)
    step = frame.plot_width / count if count else 0.0
    for row, band in enumerate(bands):
        shown = [i for i, cycle in enumerate(axis) if band.first <= cycle <= band.last]
        if not shown:
            continue
        left = frame.left + step * shown[0]
        right = frame.left + step * (shown[-1] + 1)
        text = clean_text(band.label)
        element = drawing.g(
            **{"class": "band", "data-first": band.first, "data-last": band.last}
        )
        element.set_desc(title=f"Cycles {band.first}–{band.last}: {text}")
        element.add(
            drawing.rect(
                (round(left, 2), frame.top),
                (round(right - left, 2), frame.plot_height),
                fill=BAND_FILL,
                fill_opacity=BAND_OPACITY,
                stroke=BAND_FILL,
                stroke_opacity=0.5,
                stroke_width=0.8,
            )
        )
        baseline = frame.top + ROW * (row % 3 + 1) - 2
        if occupied is not None:
            occupied.claim(text_box(left + 3, baseline, text, SMALL_SIZE - 1))
        element.add(
            drawing.text(
                text,
                insert=(round(left + 3, 2), round(baseline, 2)),
                fill=MUTED,
                font_size=SMALL_SIZE - 1,
                **{"class": "band-label"},
            )
        )
        group.add(element)
    drawing.add(group)
