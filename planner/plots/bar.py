"""How long each cycle's effect lasted, as a bar chart."""

import math
from collections.abc import Sequence

import svgwrite

from planner.plots.axes import draw_cycle_axis
from planner.plots.axes import draw_value_axis
from planner.plots.axes import value_scale
from planner.plots.bands import Band
from planner.plots.bands import draw_bands
from planner.plots.frame import INK
from planner.plots.frame import LABEL_SIZE
from planner.plots.frame import MUTED
from planner.plots.frame import SMALL_SIZE
from planner.plots.frame import Frame
from planner.plots.frame import Scale
from planner.plots.frame import clean_text
from planner.plots.frame import empty_chart
from planner.plots.frame import format_value
from planner.plots.frame import list_words
from planner.plots.frame import new_drawing
from planner.plots.frame import plural
from planner.plots.frame import text_width
from planner.plots.labels import Box
from planner.plots.labels import Occupied
from planner.plots.legend import Key
from planner.plots.legend import draw_legend
from planner.plots.line import Series
from planner.plots.marks import band_height
from planner.plots.marks import draw_marks
from planner.plots.marks import plan_marks
from planner.plots.palette import SERIES_COLOURS

BAR_COLOUR = SERIES_COLOURS[0]
MAX_BAR_WIDTH = 46.0
# Narrower columns leave their values to the tooltips.
MIN_LABELLED_SPACING = 24.0
NOT_RECORDED = "not recorded"


def describe_bars(series: Series, *, unit: str) -> str:
    """Say in one sentence what the bars show, for the chart's ``<desc>``.

    For example "Effect lasted 10 to 14 weeks over 3 recorded cycles; the
    latest, cycle 4, 12 weeks; not recorded for cycle 3."
    """
    label = clean_text(series.label)
    unit = clean_text(unit)
    points = series.points()
    missing = [
        str(cycle)
        for cycle, value in sorted(zip(series.cycles, series.values, strict=True))
        if not math.isfinite(value)
    ]
    last_cycle, last = points[-1]
    if len(points) == 1:
        text = f"{label} {format_value(last)} {unit} at cycle {last_cycle}"
    else:
        values = [value for _, value in points]
        low, high = format_value(min(values)), format_value(max(values))
        spread = low if low == high else f"{low} to {high}"
        text = (
            f"{label} {spread} {unit} over {plural(len(points), 'recorded cycle')}; "
            f"the latest, cycle {last_cycle}, {format_value(last)} {unit}"
        )
    if missing:
        which = "cycle" if len(missing) == 1 else "cycles"
        text += f"; {NOT_RECORDED} for {which} {list_words(missing)}"
    return text + "."


def bar_chart(
    series: Series,
    *,
    title: str,
    y_label: str = "Weeks",
    unit: str = "weeks",
    y_range: tuple[float, float] | None = None,
    reference: tuple[float, str] | None = None,
    cycles: Sequence[int] | None = None,
    width: float = 480,
    height: float = 260,
    marks: Sequence[tuple[int, str]] = (),
    id_prefix: str = "",
    bands: Sequence[Band] = (),
) -> str:
    """Draw one bar per cycle from zero, e.g. weeks until the effect wore off.

    ``series.label`` starts the description sentence ("Effect lasted"), and
    ``unit`` follows each value there and in the tooltips. A NaN value, or a
    cycle of ``cycles`` (the shared axis; by default the series' own) that the
    series lacks, draws a dash and "not recorded" instead of a bar, so a
    missing cycle is not read as zero. ``reference`` draws a dashed line named
    in the legend, e.g. ``(12.0, "Usual 12 weeks")``. ``marks`` and
    ``id_prefix`` work as in ``line_chart``. A value is written over its bar
    only where it touches no line or other word.

    :return: the SVG document as a string, viewBox ``0 0 width height``.
    """
    axis = sorted(set(cycles)) if cycles is not None else sorted(series.cycles)
    given = dict(zip(series.cycles, series.values, strict=True))
    series = Series(
        series.label, tuple(axis), tuple(given.get(c, math.nan) for c in axis)
    )
    if not series.points():
        return empty_chart(
            title=title, width=width, height=height, id_prefix=id_prefix, kind="bar"
        )
    drawing = new_drawing(
        width=width,
        height=height,
        title=title,
        desc=describe_bars(series, unit=unit),
        kind="bar-chart",
        id_prefix=id_prefix,
    )
    occupied = Occupied()
    top = 40.0
    if reference is not None:
        keys = [Key(reference[1], INK, dashed=True)]
        top = draw_legend(drawing, keys, width=width, occupied=occupied) + 14
    placed = plan_marks(axis, marks, left=58, right=width - 16)
    band = band_height(placed)
    frame = Frame(
        width=width,
        height=height,
        left=58,
        top=top + band,
        right=width - 16,
        bottom=height - 42,
        band=band,
    )
    values = list(series.values) + ([reference[0]] if reference else [])
    scale = value_scale(values, y_range, include_zero=True)
    draw_value_axis(drawing, frame, scale, y_label, occupied)
    draw_bands(drawing, frame, axis, bands, occupied)
    if reference is not None:
        y = frame.y(reference[0], scale)
        occupied.claim_line([(frame.left, y), (frame.right, y)])
    bars, labels = _bars(drawing, frame, scale, series, clean_text(unit), occupied)
    drawing.add(bars)
    if reference is not None:
        drawing.add(_reference(drawing, frame, scale, *reference))
    draw_marks(drawing, frame, placed, occupied)
    _bar_labels(drawing, frame, labels, occupied)
    # The axis goes last so that bars do not cover its line.
    draw_cycle_axis(drawing, frame, axis, occupied)
    markup: str = drawing.tostring()
    return markup


Label = tuple[svgwrite.container.Group, float, float, str]


def _bars(
    drawing: svgwrite.Drawing,
    frame: Frame,
    scale: Scale,
    series: Series,
    unit: str,
    occupied: Occupied,
) -> tuple[svgwrite.container.Group, list[Label]]:
    """Draw the bars, claiming their room; return where each value would go."""
    group = drawing.g(**{"class": "bars"})
    cycles = list(series.cycles)
    count = len(cycles)
    spacing = frame.plot_width / count
    bar_width = round(min(spacing * 0.62, MAX_BAR_WIDTH), 2)
    labelled = spacing >= MIN_LABELLED_SPACING
    zero = frame.y(max(scale.low, 0.0), scale)
    labels: list[Label] = []
    for index, (cycle, value) in enumerate(zip(cycles, series.values, strict=True)):
        x = frame.x(index, count)
        bar = drawing.g(**{"class": "bar", "data-cycle": cycle})
        if not math.isfinite(value):
            bar["class"] = "bar missing"
            bar.set_desc(title=f"Cycle {cycle}: {NOT_RECORDED}")
            bar.add(
                drawing.line(
                    (round(x - bar_width / 3, 2), zero - 3),
                    (round(x + bar_width / 3, 2), zero - 3),
                    stroke=MUTED,
                    stroke_width=2,
                    stroke_dasharray="3 2",
                )
            )
            # Two short lines ("not", "recorded") fit columns one line would not.
            words = NOT_RECORDED.split()
            if spacing >= max(text_width(word, SMALL_SIZE) for word in words) + 4:
                plot = frame.label_area
                for row, word in enumerate(reversed(words)):
                    y = zero - 10 - row * (SMALL_SIZE + 2)
                    if occupied.place(
                        word, SMALL_SIZE, [(x, y, "middle")], within=plot
                    ):
                        bar.add(_label(drawing, x, y, word, MUTED, SMALL_SIZE))
            group.add(bar)
            continue
        top = frame.y(value, scale)
        bar["data-value"] = format_value(value)
        bar.set_desc(title=f"Cycle {cycle}: {format_value(value)} {unit}")
        left = round(x - bar_width / 2, 2)
        occupied.claim(Box(left, top, left + bar_width, zero))
        bar.add(
            drawing.rect(
                (left, top),
                (bar_width, round(max(zero - top, 0.0), 2)),
                fill=BAR_COLOUR,
            )
        )
        if labelled:
            labels.append((bar, x, top, format_value(value)))
        group.add(bar)
    return group, labels


def _bar_labels(
    drawing: svgwrite.Drawing, frame: Frame, labels: list[Label], occupied: Occupied
) -> None:
    """Write each value above its bar, or a row higher, where nothing else is."""
    plot = frame.label_area
    for bar, x, top, text in labels:
        spots = [(x, top - 6 - row * (LABEL_SIZE + 2), "middle") for row in range(3)]
        found = occupied.place(text, LABEL_SIZE, spots, within=plot)
        if found is not None:
            bar.add(_label(drawing, found[0], found[1], text, INK, LABEL_SIZE))


def _label(
    drawing: svgwrite.Drawing, x: float, y: float, text: str, colour: str, size: float
) -> svgwrite.text.Text:
    return drawing.text(
        text,
        insert=(x, y),
        fill=colour,
        font_size=size,
        font_weight="bold" if colour == INK else "normal",
        text_anchor="middle",
        **{"class": "value"},
    )


def _reference(
    drawing: svgwrite.Drawing, frame: Frame, scale: Scale, value: float, note: str
) -> svgwrite.container.Group:
    """Draw the dashed reference line; its label sits in the legend row."""
    y = frame.y(value, scale)
    group = drawing.g(**{"class": "reference", "data-value": format_value(value)})
    group.set_desc(title=f"{clean_text(note)}: {format_value(value)}")
    group.add(
        drawing.line(
            (frame.left, y),
            (frame.right, y),
            stroke=INK,
            stroke_width=1.3,
            stroke_dasharray="6 4",
        )
    )
    return group
