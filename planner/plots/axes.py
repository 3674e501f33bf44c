"""The value axis (nice ticks, gridlines) and the cycle axis, with cycle marks."""

import math
from collections.abc import Sequence

import svgwrite

from planner.plots.frame import AXIS
from planner.plots.frame import GRID
from planner.plots.frame import INK
from planner.plots.frame import LABEL_SIZE
from planner.plots.frame import MUTED
from planner.plots.frame import SMALL_SIZE
from planner.plots.frame import Frame
from planner.plots.frame import Scale
from planner.plots.frame import clean_text
from planner.plots.frame import format_value
from planner.plots.frame import text_width

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
    drawing: svgwrite.Drawing, frame: Frame, scale: Scale, label: str
) -> None:
    """Draw the horizontal gridlines, their values and the rotated axis label."""
    group = drawing.g(**{"class": "y-axis"})
    for tick in scale.ticks:
        y = frame.y(tick, scale)
        group.add(
            drawing.line((frame.left, y), (frame.right, y), stroke=GRID, stroke_width=1)
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
    drawing: svgwrite.Drawing, frame: Frame, cycles: Sequence[int]
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
        group.add(
            drawing.text(
                f"Cycle {cycle}" if worded else str(cycle),
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


def draw_marks(
    drawing: svgwrite.Drawing,
    frame: Frame,
    cycles: Sequence[int],
    marks: Sequence[tuple[int, str]],
) -> None:
    """Draw a dotted line before each marked cycle (a product change), labelled."""
    group = drawing.g(**{"class": "marks"})
    count = len(cycles)
    for cycle, note in marks:
        if cycle not in cycles:
            continue
        x = frame.x(cycles.index(cycle), count) - frame.plot_width / count / 2
        text = clean_text(note)
        mark = drawing.g(**{"class": "mark", "data-cycle": cycle})
        mark.set_desc(title=f"From cycle {cycle}: {text}")
        mark.add(
            drawing.line(
                (x, frame.top),
                (x, frame.bottom),
                stroke=MUTED,
                stroke_width=1.2,
                stroke_dasharray="2 3",
            )
        )
        fits_right = x + 4 + text_width(text, SMALL_SIZE) <= frame.right
        mark.add(
            drawing.text(
                text,
                insert=(x + 4 if fits_right else x - 4, frame.top + 11),
                fill=MUTED,
                font_size=SMALL_SIZE,
                text_anchor="start" if fits_right else "end",
            )
        )
        group.add(mark)
    drawing.add(group)
