"""Score trends across cycles as a line chart."""

import math
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

import svgwrite

from planner.plots.axes import draw_cycle_axis
from planner.plots.axes import draw_value_axis
from planner.plots.axes import value_scale
from planner.plots.bands import Band
from planner.plots.bands import draw_bands
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
from planner.plots.labels import Box
from planner.plots.labels import Occupied
from planner.plots.legend import Key
from planner.plots.legend import draw_legend
from planner.plots.legend import draw_marker
from planner.plots.marks import band_height
from planner.plots.marks import draw_marks
from planner.plots.marks import plan_marks
from planner.plots.palette import SERIES_COLOURS

# Above this many columns values are left to the tooltips and the table: a
# label every few columns would read as if the others had none.
MAX_VALUE_LABELS = 12
# Half the side of the square a point marker may cover (the diamond's reach).
MARKER_ROOM = 7.0


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
    cycles: Sequence[int] | None = None,
    baseline: tuple[float, str] | None = None,
    width: float = 480,
    height: float = 260,
    marks: Sequence[tuple[int, str]] = (),
    id_prefix: str = "",
    bands: Sequence[Band] = (),
) -> str:
    """Draw scores per cycle as lines with points, one colour and marker per series.

    ``cycles`` is the axis: give every cycle shown on the page, so that all its
    charts share one axis (by default, the cycles the series name). A cycle
    without a value is a gap: no point, and the line breaks there rather than
    joining its neighbours. ``y_range`` is the instrument's scale (None fits
    the data). ``baseline`` draws one labelled dashed line, e.g. ``(70.0,
    "Baseline 70, before cycle 1")``. ``marks`` draws a dotted line before a
    cycle, e.g. ``[(3, "Now Dysport")]`` for a product change, labelled above
    the plot. Values are written beside their points where there is room
    clear of every line and word; each is also the point's ``<title>``.
    ``id_prefix`` keeps ids unique when a page shows several charts.

    :return: the SVG document as a string, viewBox ``0 0 width height``.
    """
    axis = sorted(set(cycles)) if cycles is not None else _all_cycles(series)
    if not axis or not any(_on_axis(line, axis) for line in series):
        return empty_chart(
            title=title, width=width, height=height, id_prefix=id_prefix, kind="line"
        )
    drawing = new_drawing(
        width=width,
        height=height,
        title=title,
        desc=describe_trend(series, higher_is_better=higher_is_better, cycles=axis),
        kind="line-chart",
        id_prefix=id_prefix,
    )
    occupied = Occupied()
    legend_bottom = draw_legend(
        drawing,
        _keys(series, baseline),
        width=width,
        better="higher" if higher_is_better else "lower",
        occupied=occupied,
    )
    placed = plan_marks(axis, marks, left=58, right=width - 16)
    band = band_height(placed)
    frame = Frame(
        width=width,
        height=height,
        left=58,
        top=legend_bottom + 14 + band,
        right=width - 16,
        bottom=height - 42,
        band=band,
    )
    values = [v for line in series for v in line.values]
    if baseline is not None:
        values.append(baseline[0])
    scale = value_scale(values, y_range)
    draw_value_axis(drawing, frame, scale, y_label, occupied)
    draw_cycle_axis(drawing, frame, axis, occupied)
    draw_bands(drawing, frame, axis, bands, occupied)
    if baseline is not None:
        drawing.add(_baseline(drawing, frame, scale, *baseline, occupied=occupied))
    drawn = [
        _series(drawing, frame, scale, axis, line, index, occupied)
        for index, line in enumerate(series)
    ]
    draw_marks(drawing, frame, placed, occupied)
    if len(axis) <= MAX_VALUE_LABELS:
        for _, points in drawn:
            _value_labels(drawing, frame, points, occupied)
    for group, _ in drawn:
        drawing.add(group)
    markup: str = drawing.tostring()
    return markup


def _on_axis(line: Series, axis: Sequence[int]) -> bool:
    return any(cycle in axis for cycle, _ in line.points())


def _keys(series: Sequence[Series], baseline: tuple[float, str] | None) -> list[Key]:
    keys = [
        Key(line.label, SERIES_COLOURS[index % len(SERIES_COLOURS)], marker=index)
        for index, line in enumerate(series)
    ]
    if baseline is not None:
        keys.append(Key(baseline[1], MUTED, dashed=True))
    return keys


def _baseline(
    drawing: svgwrite.Drawing,
    frame: Frame,
    scale: Scale,
    value: float,
    note: str,
    *,
    occupied: Occupied,
) -> svgwrite.base.BaseElement:
    """Draw the dashed baseline across the plot; its words are in the legend."""
    y = frame.y(value, scale)
    occupied.claim_line([(frame.left, y), (frame.right, y)])
    line = drawing.line(
        (frame.left, y),
        (frame.right, y),
        stroke=MUTED,
        stroke_width=1.2,
        stroke_dasharray="6 4",
        **{"class": "baseline", "data-value": format_value(value)},
    )
    line.set_desc(title=f"{clean_text(note)}: {format_value(value)}")
    return line


Point = tuple[float, float, int, float]


def _runs(points: list[Point], axis: Sequence[int]) -> list[list[Point]]:
    """Split points into runs of neighbouring cycles: a missing cycle is a gap."""
    runs: list[list[Point]] = []
    for point in points:
        if runs and axis.index(point[2]) == axis.index(runs[-1][-1][2]) + 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _series(
    drawing: svgwrite.Drawing,
    frame: Frame,
    scale: Scale,
    axis: Sequence[int],
    line: Series,
    index: int,
    occupied: Occupied,
) -> tuple[svgwrite.container.Group, list[tuple[svgwrite.container.Group, Point]]]:
    """Draw one series' lines and points, claiming their room; labels come later."""
    colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    label = clean_text(line.label)
    count = len(axis)
    points = [
        (frame.x(axis.index(cycle), count), frame.y(value, scale), cycle, value)
        for cycle, value in line.points()
        if cycle in axis
    ]
    group = drawing.g(**{"class": "series", "data-series": index})
    group.set_desc(title=label)
    for run in _runs(points, axis):
        if len(run) < 2:
            continue
        occupied.claim_line((x, y) for x, y, _, _ in run)
        group.add(
            drawing.polyline(
                points=[(x, y) for x, y, _, _ in run],
                fill="none",
                stroke=colour,
                stroke_width=2.5,
                stroke_linejoin="round",
                stroke_linecap="round",
                **{"class": "line"},
            )
        )
    drawn = []
    for x, y, cycle, value in points:
        room = MARKER_ROOM
        occupied.claim(Box(x - room, y - room, x + room, y + room))
        point = drawing.g(
            **{"class": "point", "data-cycle": cycle, "data-value": format_value(value)}
        )
        point.set_desc(title=f"{label}, cycle {cycle}: {format_value(value)}")
        point.add(draw_marker(drawing, x, y, index, colour))
        group.add(point)
        drawn.append((point, (x, y, cycle, value)))
    return group, drawn


def _value_labels(
    drawing: svgwrite.Drawing,
    frame: Frame,
    points: list[tuple[svgwrite.container.Group, Point]],
    occupied: Occupied,
) -> None:
    """Write each value next to its point where it touches nothing, else leave it."""
    plot = frame.label_area
    for element, (x, y, _, value) in points:
        text = format_value(value)
        spots = (
            (x, y - 10, "middle"),
            (x, y + LABEL_SIZE + 8, "middle"),
            (x + 9, y + LABEL_SIZE * 0.35, "start"),
            (x - 9, y + LABEL_SIZE * 0.35, "end"),
        )
        found = occupied.place(text, LABEL_SIZE, spots, within=plot)
        if found is None:
            continue
        element.add(
            drawing.text(
                text,
                insert=found[:2],
                fill=INK,
                font_size=LABEL_SIZE,
                font_weight="bold",
                text_anchor=found[2],
                **{"class": "value"},
            )
        )
