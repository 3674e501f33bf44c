"""The value axis (nice ticks, gridlines) and the cycle axis."""

import math
from collections.abc import Sequence

import svgwrite

from planner.plots.frame import AXIS
from planner.plots.frame import GRID
from planner.plots.frame import INK
from planner.plots.frame import LABEL_SIZE
from planner.plots.frame import Frame
from planner.plots.frame import Scale
from planner.plots.frame import clean_text
from planner.plots.frame import format_value
from planner.plots.labels import Occupied
from planner.plots.labels import text_box

# "Cycle 12" needs this much room per column; closer columns show bare numbers.
WORDED_TICK_SPACING = 56.0
MIN_TICK_SPACING = 22.0


def nice_step(span: float, target: int = 5) -> float:
    """Return a tick step of 1, 2, 2.5 or 5 x 10^k giving about ``target`` ticks."""
    raw = span / target if span > 0 else 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    steps = (multiple * magnitude for multiple in (1.0, 2.0, 2.5, 5.0))
    return next((step for step in steps if step >= raw * 0.999), 10.0 * magnitude)


def value_scale(
    values: Sequence[float],
    fixed: tuple[float, float] | None,
    *,
    include_zero: bool = False,
) -> Scale:
    """Choose the value axis for ``values`` (finite ones only).

    A ``fixed`` range (an instrument's scale, such as SAQ 20-100) is kept, but
    widened to a value outside it rather than drawing a point off the chart.
    """
    finite = [value for value in values if math.isfinite(value)]
    if include_zero:
        finite.append(0.0)
    if fixed is not None:
        if fixed[1] <= fixed[0]:
            raise ValueError(f"y_range must rise, got {fixed!r}")
        low, high = min([fixed[0], *finite]), max([fixed[1], *finite])
        step = nice_step(high - low)
        # An end widened for the data snaps out to a gridline; a fixed end stays.
        if low < fixed[0]:
            low = math.floor(low / step + 1e-9) * step
        if high > fixed[1]:
            high = math.ceil(high / step - 1e-9) * step
        first = math.ceil(low / step - 1e-9) * step
    else:
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        if high == low:
            # One value, or all equal: give it room so it sits mid-chart.
            pad = max(abs(low) * 0.1, 1.0)
            low, high = low - pad, high + pad
            if include_zero:
                low = max(low, 0.0)
        step = nice_step(high - low)
        low = math.floor(low / step + 1e-9) * step
        high = math.ceil(high / step - 1e-9) * step
        first = low
    count = int(math.floor((high - first) / step + 1e-9)) + 1
    ticks = tuple(round(first + k * step, 10) for k in range(count))
    return Scale(low, high, ticks)


def draw_value_axis(
    drawing: svgwrite.Drawing,
    frame: Frame,
    scale: Scale,
    label: str,
    occupied: Occupied | None = None,
) -> None:
    """Draw the horizontal gridlines, their values and the rotated axis label."""
    group = drawing.g(**{"class": "y-axis"})
    for tick in scale.ticks:
        y = frame.y(tick, scale)
        group.add(
            drawing.line((frame.left, y), (frame.right, y), stroke=GRID, stroke_width=1)
        )
        if occupied is not None:
            occupied.claim(
                text_box(
                    frame.left - 7,
                    y + LABEL_SIZE * 0.35,
                    format_value(tick),
                    LABEL_SIZE,
                    anchor="end",
                )
            )
        group.add(
            drawing.text(
                format_value(tick),
                insert=(frame.left - 7, y),
                dy=["0.35em"],
                fill=INK,
                font_size=LABEL_SIZE,
                text_anchor="end",
                **{"class": "tick"},
            )
        )
    middle = frame.top + frame.plot_height / 2
    group.add(
        drawing.text(
            clean_text(label),
            insert=(15, middle),
            fill=INK,
            font_size=LABEL_SIZE,
            text_anchor="middle",
            transform=f"rotate(-90 15 {middle:g})",
            **{"class": "axis-label"},
        )
    )
    drawing.add(group)


def draw_cycle_axis(
    drawing: svgwrite.Drawing,
    frame: Frame,
    cycles: Sequence[int],
    occupied: Occupied | None = None,
) -> None:
    """Draw the baseline axis with a tick per cycle, labelled "Cycle n" if room.

    When columns are too narrow, ticks show bare numbers under a "Cycle"
    caption, and only every k-th is labelled, counting back from the latest
    cycle so that it is always labelled.
    """
    group = drawing.g(**{"class": "x-axis"})
    group.add(
        drawing.line(
            (frame.left, frame.bottom),
            (frame.right, frame.bottom),
            stroke=AXIS,
            stroke_width=1,
        )
    )
    count = len(cycles)
    spacing = frame.plot_width / count
    worded = spacing >= WORDED_TICK_SPACING
    every = max(1, math.ceil(MIN_TICK_SPACING / spacing))
    for index, cycle in enumerate(cycles):
        x = frame.x(index, count)
        group.add(
            drawing.line(
                (x, frame.bottom), (x, frame.bottom + 4), stroke=AXIS, stroke_width=1
            )
        )
        if (count - 1 - index) % every:
            continue
        text = f"Cycle {cycle}" if worded else str(cycle)
        if occupied is not None:
            occupied.claim(
                text_box(x, frame.bottom + 18, text, LABEL_SIZE, anchor="middle")
            )
        group.add(
            drawing.text(
                text,
                insert=(x, frame.bottom + 18),
                fill=INK,
                font_size=LABEL_SIZE,
                text_anchor="middle",
                **{"class": "tick", "data-cycle": cycle},
            )
        )
    if not worded:
        group.add(
            drawing.text(
                "Cycle",
                insert=(frame.left + frame.plot_width / 2, frame.bottom + 34),
                fill=INK,
                font_size=LABEL_SIZE,
                text_anchor="middle",
                **{"class": "axis-label"},
            )
        )
    drawing.add(group)
