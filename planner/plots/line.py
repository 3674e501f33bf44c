"""Score trends across cycles as a line chart."""

import math
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

import svgwrite

from planner.plots.axes import draw_cycle_axis
from planner.plots.axes import draw_marks
from planner.plots.axes import draw_value_axis
from planner.plots.axes import value_scale
from planner.plots.frame import INK
from planner.plots.frame import LABEL_SIZE
from planner.plots.frame import MUTED
from planner.plots.frame import Frame
from planner.plots.frame import Scale
from planner.plots.frame import clean_text
from planner.plots.frame import empty_chart
from planner.plots.frame import format_value
from planner.plots.frame import list_words
from planner.plots.frame import new_drawing
from planner.plots.frame import plural
from planner.plots.legend import Key
from planner.plots.legend import draw_legend
from planner.plots.legend import draw_marker
from planner.plots.palette import SERIES_COLOURS

# Above this many columns, or with several series, values are left to the
# tooltips and the axis: the labels would collide.
MAX_VALUE_LABELS = 12


@dataclass(frozen=True)
class Series:
    """One line: a label and a value per cycle, NaN where there is none.

    ``cycles`` and ``values`` have the same length; a ``Trend`` gives them as
    ``Series(label, trend.cycles, tuple(trend.values))``.
    """

    label: str
    cycles: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        # Accept any sequence (a list, a numpy array) but keep tuples of floats.
        object.__setattr__(self, "cycles", tuple(int(c) for c in self.cycles))
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))
        if len(self.cycles) != len(self.values):
            raise ValueError(
                f"{len(self.cycles)} cycles but {len(self.values)} values "
                f"in series {self.label!r}"
            )
        if len(set(self.cycles)) != len(self.cycles):
            raise ValueError(f"series {self.label!r} repeats a cycle")

    def points(self) -> list[tuple[int, float]]:
        """Return (cycle, value) for the finite values, in cycle order."""
        return sorted(
            (cycle, value)
            for cycle, value in zip(self.cycles, self.values, strict=True)
            if math.isfinite(value)
        )


def _all_cycles(series: Iterable[Series]) -> list[int]:
    return sorted({cycle for line in series for cycle in line.cycles})


def describe_trend(
    series: Sequence[Series], *, higher_is_better: bool, cycles: Sequence[int]
) -> str:
    """Say in one sentence what each line did, for the chart's ``<desc>``.

    For example "SAQ fell from 63.5 to 50.3 over 4 cycles (lower is better)."
    """
    clauses = []
    for line in series:
        label = clean_text(line.label)
        points = line.points()
        if not points:
            clauses.append(f"{label} has no values yet")
            continue
        (first_cycle, first), (last_cycle, last) = points[0], points[-1]
        if len(points) == 1:
            clauses.append(f"{label} was {format_value(first)} at cycle {first_cycle}")
            continue
        span = [c for c in cycles if first_cycle <= c <= last_cycle]
        over = plural(len(span), "cycle")
        if format_value(first) == format_value(last):
            clause = f"{label} stayed at {format_value(first)} over {over}"
        else:
            verb = "rose" if last > first else "fell"
            clause = (
                f"{label} {verb} from {format_value(first)} "
                f"to {format_value(last)} over {over}"
            )
        scored = {cycle for cycle, _ in points}
        missing = [str(c) for c in span if c not in scored]
        if missing:
            clause += (
                f", with no value at {'cycle' if len(missing) == 1 else 'cycles'} "
                f"{list_words(missing)}"
            )
        clauses.append(clause)
    better = "higher" if higher_is_better else "lower"
    return "; ".join(clauses) + f" ({better} is better)."


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    y_range: tuple[float, float] | None,
    higher_is_better: bool,
    width: float = 480,
    height: float = 260,
    marks: Sequence[tuple[int, str]] = (),
    id_prefix: str = "",
) -> str:
    """Draw scores per cycle as lines with points, one colour and marker per series.

    Cycles run along the bottom ("Cycle 1" ... "Cycle n"); each series' first
    value is drawn as a dashed baseline; points carry their value as a
    ``<title>`` tooltip and, for a single short series, as a label. A missing
    value leaves its cycle without a point and the line joins its neighbours.
    ``y_range`` is the instrument's scale (None fits the data). ``marks`` draws
    a dotted line before a cycle, e.g. ``[(3, "Now Dysport")]`` for a product
    change. ``id_prefix`` keeps ids unique when a page shows several charts.

    :return: the SVG document as a string, viewBox ``0 0 width height``.
    """
    cycles = _all_cycles(series)
    if not any(line.points() for line in series):
        return empty_chart(
            title=title, width=width, height=height, id_prefix=id_prefix, kind="line"
        )
    drawing = new_drawing(
        width=width,
        height=height,
        title=title,
        desc=describe_trend(series, higher_is_better=higher_is_better, cycles=cycles),
        kind="line-chart",
        id_prefix=id_prefix,
    )
    legend_bottom = draw_legend(
        drawing,
        _keys(series),
        width=width,
        better="higher" if higher_is_better else "lower",
    )
    frame = Frame(
        width=width,
        height=height,
        left=58,
        top=legend_bottom + 14,
        right=width - 16,
        bottom=height - 42,
    )
    scale = value_scale([v for line in series for v in line.values], y_range)
    draw_value_axis(drawing, frame, scale, y_label)
    draw_cycle_axis(drawing, frame, cycles)
    draw_marks(drawing, frame, cycles, marks)
    labelled = len(series) == 1 and len(cycles) <= MAX_VALUE_LABELS
    for index, line in enumerate(series):
        if line.points():
            drawing.add(
                _series(drawing, frame, scale, cycles, line, index, labelled=labelled)
            )
    markup: str = drawing.tostring()
    return markup


def _keys(series: Sequence[Series]) -> list[Key]:
    if len(series) == 1:
        first = series[0].points()[0][1]
        return [Key(f"Baseline {format_value(first)}", SERIES_COLOURS[0], dashed=True)]
    keys = [
        Key(line.label, SERIES_COLOURS[index % len(SERIES_COLOURS)], marker=index)
        for index, line in enumerate(series)
    ]
    return [*keys, Key("Baselines", MUTED, dashed=True)]


def _series(
    drawing: svgwrite.Drawing,
    frame: Frame,
    scale: Scale,
    cycles: Sequence[int],
    line: Series,
    index: int,
    *,
    labelled: bool,
) -> svgwrite.container.Group:
    colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    label = clean_text(line.label)
    count = len(cycles)
    points = [
        (frame.x(cycles.index(cycle), count), frame.y(value, scale), cycle, value)
        for cycle, value in line.points()
    ]
    group = drawing.g(**{"class": "series", "data-series": index})
    group.set_desc(title=label)
    baseline_y = points[0][1]
    group.add(
        drawing.line(
            (frame.left, baseline_y),
            (frame.right, baseline_y),
            stroke=colour,
            stroke_width=1.2,
            stroke_opacity=0.8,
            stroke_dasharray="6 4",
            **{"class": "baseline"},
        )
    )
    if len(points) > 1:
        group.add(
            drawing.polyline(
                points=[(x, y) for x, y, _, _ in points],
                fill="none",
                stroke=colour,
                stroke_width=2.5,
                stroke_linejoin="round",
                stroke_linecap="round",
                **{"class": "line"},
            )
        )
    for x, y, cycle, value in points:
        point = drawing.g(
            **{"class": "point", "data-cycle": cycle, "data-value": format_value(value)}
        )
        point.set_desc(title=f"{label}, cycle {cycle}: {format_value(value)}")
        point.add(draw_marker(drawing, x, y, index, colour))
        if labelled:
            above = y - 10 > frame.top + 4
            point.add(
                drawing.text(
                    format_value(value),
                    insert=(x, y - 10 if above else y + 20),
                    fill=INK,
                    font_size=LABEL_SIZE,
                    font_weight="bold",
                    text_anchor="middle",
                    **{"class": "value"},
                )
            )
        group.add(point)
    return group
