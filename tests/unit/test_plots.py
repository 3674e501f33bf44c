"""SVG charts: structure, words, escaping, empty states, heat colours, PDF."""

import io
import math
import xml.etree.ElementTree as ET

import numpy as np
import pypdf
import pytest
import weasyprint
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from planner.plots import HEAT_EMPTY
from planner.plots import HEAT_MISSING
from planner.plots import HEAT_PALETTE
from planner.plots import NO_DATA
from planner.plots import OKABE_ITO
from planner.plots import SERIES_COLOURS
from planner.plots import Series
from planner.plots import bar_chart
from planner.plots import contrast_ratio
from planner.plots import describe_trend
from planner.plots import format_value
from planner.plots import heat_table_colours
from planner.plots import line_chart
from planner.plots import relative_luminance
from planner.plots.palette import heat_level
from tests.unit.chart_labels import label_clashes

SVG = "{http://www.w3.org/2000/svg}"
NAN = math.nan
SAQ = Series("SAQ", (1, 2, 3, 4), (63.5, 58.0, 55.6, 50.3))
HOSTILE = "<script>alert(\"x\")</script> & 'quoted' \x07bell"


def saq_chart(**overrides):
    options = {
        "title": "SAQ",
        "y_label": "SAQ score",
        "y_range": (20.0, 100.0),
        "higher_is_better": False,
    }
    options.update(overrides)
    series = options.pop("series", [SAQ])
    return line_chart(series, **options)


def parse(markup):
    return ET.fromstring(markup)


def by_class(root, name):
    return [
        element for element in root.iter() if name in element.get("class", "").split()
    ]


def texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


def title_of(element):
    return element.find(f"{SVG}title").text


# WCAG 2 relative luminance and contrast, written out here rather than imported,
# so the test checks the module instead of trusting it.
def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Line chart structure


def test_line_chart_root_is_an_accessible_sized_drawing():
    root = parse(saq_chart(width=480, height=260))

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 480 260"
    assert (root.get("width"), root.get("height")) == ("480", "260")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (
        f"{SVG}title",
        "chart-title",
        "SAQ",
    )
    assert desc.tag == f"{SVG}desc"
    assert desc.text == "SAQ fell from 63.5 to 50.3 over 4 cycles (lower is better)."


def test_line_chart_draws_one_point_per_value_with_a_tooltip():
    root = parse(saq_chart())

    points = by_class(root, "point")
    assert len(points) == 4
    assert [title_of(point) for point in points] == [
        "SAQ, cycle 1: 63.5",
        "SAQ, cycle 2: 58",
        "SAQ, cycle 3: 55.6",
        "SAQ, cycle 4: 50.3",
    ]
    assert [point.get("data-cycle") for point in points] == ["1", "2", "3", "4"]
    # One short series: the values are written on the chart too.
    assert [v.text for v in by_class(root, "value")] == ["63.5", "58", "55.6", "50.3"]


def test_line_chart_points_rise_and_fall_with_the_values():
    root = parse(saq_chart())

    ys = [float(point[1].get("cy")) for point in by_class(root, "point")]
    # SVG y grows downwards: falling scores sit lower, so y increases.
    assert ys == sorted(ys)
    xs = [float(point[1].get("cx")) for point in by_class(root, "point")]
    assert xs == sorted(xs)


def test_line_chart_axes_are_labelled():
    root = parse(saq_chart())

    (x_axis,) = by_class(root, "x-axis")
    ticks = [t.text for t in x_axis.iter(f"{SVG}text")]
    assert ticks == ["Cycle 1", "Cycle 2", "Cycle 3", "Cycle 4"]
    (y_axis,) = by_class(root, "y-axis")
    y_texts = [t.text for t in y_axis.iter(f"{SVG}text")]
    assert y_texts[:-1] == ["20", "40", "60", "80", "100"]
    assert y_texts[-1] == "SAQ score"
    assert by_class(root, "chart-title")[0].text == "SAQ"
    assert by_class(root, "better")[0].text == "Lower is better"


def test_line_chart_draws_one_dashed_baseline_named_in_the_legend():
    root = parse(saq_chart(baseline=(63.5, "Baseline 63.5, before cycle 1")))

    (baseline,) = by_class(root, "baseline")
    first = by_class(root, "point")[0][1]
    assert baseline.get("stroke-dasharray")
    assert float(baseline.get("y1")) == float(first.get("cy"))
    assert baseline.get("y1") == baseline.get("y2")
    assert "Baseline 63.5, before cycle 1" in texts(root)
    assert by_class(parse(saq_chart()), "baseline") == []


def test_line_chart_several_series_get_colours_shapes_and_a_legend():
    series = [
        Series("Sunnybrook", (1, 2, 3), (40, 52, 60)),
        Series("eFACE", (1, 2, 3), (50, 58, NAN)),
    ]
    root = parse(
        line_chart(
            series,
            title="Clinician",
            y_label="Score",
            y_range=(0, 100),
            higher_is_better=True,
        )
    )

    groups = by_class(root, "series")
    assert len(groups) == 2
    assert [len(by_class(group, "point")) for group in groups] == [3, 2]
    assert by_class(root, "baseline") == []
    lines = [by_class(group, "line")[0].get("stroke") for group in groups]
    assert lines == list(SERIES_COLOURS[:2])
    assert all(colour in OKABE_ITO.values() for colour in lines)
    # Circle then square: the series differ without colour too.
    assert groups[0].find(f"{SVG}g/{SVG}circle") is not None
    assert groups[1].find(f"{SVG}g/{SVG}rect") is not None
    legend = [t.text for t in by_class(root, "legend")[0].iter(f"{SVG}text")]
    assert legend == ["Higher is better", "Sunnybrook", "eFACE"]
    # Values are written where they fit, never on top of each other.
    assert by_class(root, "value")
    assert label_clashes(root) == []


def test_line_chart_with_many_cycles_labels_numbers_under_a_caption():
    cycles = tuple(range(1, 21))
    series = Series("SAQ", cycles, tuple(70.0 - c for c in cycles))
    root = parse(saq_chart(series=[series]))

    (x_axis,) = by_class(root, "x-axis")
    labels = [t.text for t in x_axis.iter(f"{SVG}text")]
    assert labels[-1] == "Cycle"
    assert labels[:-1] == [str(c) for c in range(2, 21, 2)]  # the latest is labelled
    assert len(by_class(root, "point")) == 20
    assert by_class(root, "value") == []


def test_line_chart_gap_leaves_no_point_and_breaks_the_line():
    series = Series("SAQ", (1, 2, 3, 4), (60.0, NAN, 55.0, 50.0))
    root = parse(saq_chart(series=[series]))

    assert [p.get("data-cycle") for p in by_class(root, "point")] == ["1", "3", "4"]
    # Cycle 1 stands alone; 3 and 4 are joined: nothing is drawn across cycle 2.
    (line,) = by_class(root, "line")
    assert len(line.get("points").split()) == 2
    assert root[1].text == (
        "SAQ fell from 60 to 50 over 4 cycles, with no value at cycle 2 "
        "(lower is better)."
    )


def test_charts_share_an_axis_given_to_them_and_show_its_gaps():
    """Two scores and a duration over cycles 1-5: one axis, whatever each lacks."""
    axis = [1, 2, 3, 4, 5]
    saq = parse(saq_chart(series=[Series("SAQ", (2, 4), (60.0, 50.0))], cycles=axis))
    weeks = parse(
        bar_chart(Series("Lasted", (1, 5), (10.0, 12.0)), title="W", cycles=axis)
    )
    for root in (saq, weeks):
        (x_axis,) = by_class(root, "x-axis")
        labels = [t.get("data-cycle") for t in x_axis.iter(f"{SVG}text")]
        assert labels == [str(c) for c in axis]
    # Cycles 2 and 4 are not neighbours on this axis: no line joins them.
    assert by_class(saq, "line") == []
    missing = [b.get("data-cycle") for b in by_class(weeks, "missing")]
    assert missing == ["2", "3", "4"]


def test_a_product_change_is_marked_on_every_chart_of_the_axis():
    axis = [1, 2, 3, 4]
    marks = [(3, "Now Dysport")]
    charts = [
        saq_chart(
            series=[Series("SAQ", (1, 2), (60.0, 50.0))], cycles=axis, marks=marks
        ),
        bar_chart(Series("Lasted", (1,), (10.0,)), title="W", cycles=axis, marks=marks),
    ]
    for chart in charts:
        (mark,) = by_class(parse(chart), "mark")
        assert mark.get("data-cycle") == "3"
        assert label_clashes(chart) == []


@pytest.mark.parametrize(
    "chart",
    [
        # Values on the reference line: their labels must step off it.
        lambda: bar_chart(
            Series("Lasted", (1, 2, 3, 4), (12.0, 11.5, 12.5, 12.0)),
            title="How long",
            reference=(12.0, "12 weeks"),
            marks=[(2, "Now Dysport"), (3, "Now Botox")],
        ),
        # Two series a point apart, a product change and a baseline through them.
        lambda: line_chart(
            [
                Series("Before treatment", (1, 2, 3, 4), (70.0, 68.0, 69.0, 67.0)),
                Series("At review", (1, 2, 3, 4), (69.0, 67.5, 68.0, 68.0)),
            ],
            title="SAQ",
            y_label="SAQ",
            y_range=(20.0, 100.0),
            higher_is_better=False,
            baseline=(70.0, "Baseline 70, before cycle 1"),
            marks=[(2, "Now Dysport"), (3, "Now Botox")],
        ),
        # Values at the very top of the range, under a product change label.
        lambda: saq_chart(
            series=[Series("SAQ", (1, 2, 3), (100.0, 100.0, 99.0))],
            marks=[(2, "Now Xeomin")],
        ),
    ],
)
def test_no_word_touches_another_word_or_a_line(chart):
    markup = chart()
    assert label_clashes(markup) == []
    assert by_class(parse(markup), "value")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.just(NAN), st.floats(20, 100, allow_nan=False)),
        min_size=2,
        max_size=12,
    ),
    review_shift=st.floats(-15, 15, allow_nan=False),
    switches=st.sets(st.integers(2, 12), max_size=3),
)
def test_labels_never_clash_whatever_the_scores(values, review_shift, switches):
    cycles = tuple(range(1, len(values) + 1))
    before = Series("Before treatment", cycles, tuple(values))
    review = Series(
        "At review",
        cycles,
        tuple(min(max(v + review_shift, 20.0), 100.0) for v in values),
    )
    marks = [(c, f"Now product {c}") for c in sorted(switches)]
    finite = [v for v in values if not math.isnan(v)]
    baseline = (finite[0], f"Baseline {format_value(finite[0])}") if finite else None
    markup = line_chart(
        [before, review],
        title="SAQ",
        y_label="SAQ",
        y_range=(20.0, 100.0),
        higher_is_better=False,
        baseline=baseline,
        marks=marks,
    )
    assert label_clashes(markup) == []
    weeks = bar_chart(
        Series("Lasted", cycles, tuple(v / 6 for v in values)),
        title="How long",
        reference=(12.0, "12 weeks"),
        marks=marks,
    )
    assert label_clashes(weeks) == []


def test_line_chart_widens_a_fixed_range_rather_than_clipping():
    series = Series("Sunnybrook", (1, 2), (-10.0, 30.0))
    root = parse(saq_chart(series=[series], y_range=(0.0, 100.0)))

    ticks = [t.text for t in by_class(root, "y-axis")[0].iter(f"{SVG}text")][:-1]
    assert float(ticks[0]) <= -10
    assert ticks[-1] == "100"
    ys = [float(p[1].get("cy")) for p in by_class(root, "point")]
    (y_axis,) = by_class(root, "x-axis")
    bottom = float(y_axis[0].get("y1"))
    assert all(y <= bottom for y in ys)


def test_line_chart_widens_the_top_to_a_gridline():
    series = Series("Rating", (1, 2), (4.0, 12.0))
    root = parse(saq_chart(series=[series], y_range=(0.0, 10.0)))

    labels = [t.text for t in by_class(root, "y-axis")[0].iter(f"{SVG}text")]
    assert labels[:-1] == ["0", "2.5", "5", "7.5", "10", "12.5"]


def test_line_chart_marks_a_product_change():
    root = parse(saq_chart(marks=[(3, "Now Dysport"), (9, "ignored")]))

    (mark,) = by_class(root, "mark")
    assert mark.get("data-cycle") == "3"
    assert title_of(mark) == "From cycle 3: Now Dysport"
    points = by_class(root, "point")
    x = float(mark.find(f"{SVG}line").get("x1"))
    assert float(points[1][1].get("cx")) < x < float(points[2][1].get("cx"))


def test_id_prefix_keeps_ids_unique():
    first = parse(saq_chart(id_prefix="saq-"))
    second = parse(saq_chart(id_prefix="sb-"))

    ids = [e.get("id") for root in (first, second) for e in root.iter() if e.get("id")]
    assert ids == [
        "saq-chart-title",
        "saq-chart-desc",
        "sb-chart-title",
        "sb-chart-desc",
    ]


def test_series_validates_lengths_and_repeats():
    with pytest.raises(ValueError, match="2 cycles but 1 values"):
        Series("SAQ", (1, 2), (50.0,))
    with pytest.raises(ValueError, match="repeats a cycle"):
        Series("SAQ", (1, 1), (50.0, 40.0))
    assert Series("SAQ", np.array([2, 1]), np.array([4.0, 5.0])).points() == [
        (1, 5.0),
        (2, 4.0),
    ]


def test_line_chart_four_series_use_four_marker_shapes():
    series = [
        Series(f"S{index}", (1, 2), (10.0 * index, 10.0 * index + 5))
        for index in range(4)
    ]
    root = parse(
        line_chart(
            series, title="Four", y_label="Score", y_range=None, higher_is_better=True
        )
    )

    shapes = [
        group.find(f"{SVG}g")[1].tag.removeprefix(SVG)
        for group in by_class(root, "series")
    ]
    assert shapes == ["circle", "rect", "polygon", "polygon"]
    points = [
        group.find(f"{SVG}g")[1].get("points") for group in by_class(root, "series")[2:]
    ]
    assert len(points[0].split()) == 3  # triangle
    assert len(points[1].split()) == 4  # diamond


def test_line_chart_single_value_fits_an_axis_around_it():
    series = Series("SAQ", (1,), (48.9,))
    root = parse(saq_chart(series=[series], y_range=None))

    labels = [t.text for t in by_class(root, "y-axis")[0].iter(f"{SVG}text")]
    ticks = [float(label) for label in labels[:-1]]
    assert ticks[0] < 48.9 < ticks[-1]
    assert root[1].text == "SAQ was 48.9 at cycle 1 (lower is better)."
    assert by_class(root, "line") == []  # one point, no line


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"y_range": (100.0, 20.0)}, "y_range must rise"),
        ({"width": 0}, "width and height"),
    ],
)
def test_line_chart_rejects_bad_options(overrides, message):
    with pytest.raises(ValueError, match=message):
        saq_chart(**overrides)


# Descriptions


@pytest.mark.parametrize(
    ("series", "higher_is_better", "expected"),
    [
        (
            [SAQ],
            False,
            "SAQ fell from 63.5 to 50.3 over 4 cycles (lower is better).",
        ),
        (
            [Series("Sunnybrook", (1, 2, 3), (40.0, 45.0, 61.25))],
            True,
            "Sunnybrook rose from 40 to 61.3 over 3 cycles (higher is better).",
        ),
        (
            [Series("FDI", (2, 5), (70.0, 70.0))],
            True,
            "FDI stayed at 70 over 2 cycles (higher is better).",
        ),
        (
            [Series("SAQ", (1, 2), (NAN, 48.9))],
            False,
            "SAQ was 48.9 at cycle 2 (lower is better).",
        ),
        (
            [
                Series("Sunnybrook", (1, 2, 3, 4), (40.0, NAN, NAN, 60.0)),
                Series("eFACE", (1, 2, 3, 4), (NAN, NAN, NAN, NAN)),
            ],
            True,
            "Sunnybrook rose from 40 to 60 over 4 cycles, with no value at "
            "cycles 2 and 3; eFACE has no values yet (higher is better).",
        ),
    ],
)
def test_describe_trend(series, higher_is_better, expected):
    cycles = sorted({c for line in series for c in line.cycles})
    sentence = describe_trend(series, higher_is_better=higher_is_better, cycles=cycles)

    assert sentence == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (63.5, "63.5"),
        (58.0, "58"),
        (55.555, "55.6"),
        (61.25, "61.3"),
        (-0.04, "0"),
        (100.0, "100"),
        (NAN, "\u2013"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


# Escaping


def test_hostile_labels_are_escaped_and_still_parse():
    series = Series(HOSTILE, (1, 2), (10.0, 20.0))
    markup = line_chart(
        [series, Series("other", (1, 2), (5.0, 6.0))],
        title=HOSTILE,
        y_label=HOSTILE,
        y_range=None,
        higher_is_better=True,
        marks=[(2, HOSTILE)],
    )
    root = parse(markup)

    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    clean = HOSTILE.replace("\x07", "")
    assert root[0].text == clean
    assert clean in texts(root)
    assert root[1].text.startswith(f"{clean} rose from 10 to 20")


def test_hostile_bar_labels_are_escaped():
    markup = bar_chart(
        Series(HOSTILE, (1, 2), (10.0, NAN)),
        title=HOSTILE,
        unit=HOSTILE,
        reference=(12.0, HOSTILE),
    )
    root = parse(markup)

    assert "<script>" not in markup
    assert HOSTILE.replace("\x07", "") in texts(root)


# Empty charts


@pytest.mark.parametrize(
    "series", [[], [Series("SAQ", (), ())], [Series("SAQ", (1, 2), (NAN, NAN))]]
)
def test_line_chart_without_data_says_so(series):
    root = parse(saq_chart(series=series, title="SAQ trend"))

    assert "empty" in root.get("class").split()
    assert root.get("viewBox") == "0 0 480 260"
    assert root[0].text == "SAQ trend"
    assert root[1].text == f"{NO_DATA}."
    assert [e.text for e in by_class(root, "no-data")] == [NO_DATA]
    assert by_class(root, "point") == []


def test_bar_chart_without_data_says_so():
    root = parse(bar_chart(Series("Effect lasted", (1,), (NAN,)), title="Duration"))

    assert [e.text for e in by_class(root, "no-data")] == [NO_DATA]
    assert by_class(root, "bar") == []


# Bar chart


def test_bar_chart_one_bar_per_cycle_and_a_gap_for_not_recorded():
    series = Series("Effect lasted", (1, 2, 3, 4), (10.0, 12.5, NAN, 14.0))
    root = parse(
        bar_chart(series, title="Effect duration", reference=(12.0, "Usual 12 weeks"))
    )

    assert root.get("viewBox") == "0 0 480 260"
    bars = by_class(root, "bar")
    assert [b.get("data-cycle") for b in bars] == ["1", "2", "3", "4"]
    assert [title_of(b) for b in bars] == [
        "Cycle 1: 10 weeks",
        "Cycle 2: 12.5 weeks",
        "Cycle 3: not recorded",
        "Cycle 4: 14 weeks",
    ]
    assert [len(b.findall(f"{SVG}rect")) for b in bars] == [1, 1, 0, 1]
    assert "missing" in bars[2].get("class").split()
    heights = [
        float(b.find(f"{SVG}rect").get("height"))
        for b in bars
        if b.find(f"{SVG}rect") is not None
    ]
    assert heights[0] < heights[1] < heights[2]
    assert heights[1] / heights[0] == pytest.approx(1.25, rel=1e-3)
    assert root[1].text == (
        "Effect lasted 10 to 14 weeks over 3 recorded cycles; the latest, cycle 4, "
        "14 weeks; not recorded for cycle 3."
    )
    (reference,) = by_class(root, "reference")
    assert reference.get("data-value") == "12"
    assert "Usual 12 weeks" in texts(root)
    assert [t.text for t in by_class(root, "x-axis")[0].iter(f"{SVG}text")] == [
        "Cycle 1",
        "Cycle 2",
        "Cycle 3",
        "Cycle 4",
    ]
    y_ticks = [t.text for t in by_class(root, "y-axis")[0].iter(f"{SVG}text")]
    assert y_ticks[0] == "0"
    assert y_ticks[-1] == "Weeks"


def test_bar_chart_all_zero_keeps_the_axis_at_zero():
    root = parse(bar_chart(Series("Effect lasted", (1, 2), (0.0, 0.0)), title="D"))

    labels = [t.text for t in by_class(root, "y-axis")[0].iter(f"{SVG}text")]
    assert labels[0] == "0"
    assert root[1].text == (
        "Effect lasted 0 weeks over 2 recorded cycles; the latest, cycle 2, 0 weeks."
    )
    bars = [bar.find(f"{SVG}rect") for bar in by_class(root, "bar")]
    assert [float(rect.get("height")) for rect in bars] == [0.0, 0.0]


def test_bar_chart_single_value_sentence():
    root = parse(bar_chart(Series("Effect lasted", (3,), (11.0,)), title="Duration"))

    assert root[1].text == "Effect lasted 11 weeks at cycle 3."
    assert len(by_class(root, "bar")) == 1


# Heat colours


def test_heat_colours_shape_zero_nan_and_order():
    units = np.array([[0.0, 2.0, 4.0], [8.0, NAN, 1.0]])

    colours = heat_table_colours(units)

    assert colours.shape == (2, 3, 2)
    assert tuple(colours[0, 0]) == (HEAT_EMPTY, "#000000")
    assert colours[1, 1, 0] == HEAT_MISSING
    assert colours[1, 0, 0] == HEAT_PALETTE[-1]  # the largest is darkest
    # More units, darker cell (lower luminance).
    order = [(1, 2), (0, 1), (0, 2), (1, 0)]  # 1, 2, 4, 8 units
    lums = [luminance(str(colours[i, j, 0])) for i, j in order]
    assert lums == sorted(lums, reverse=True)
    assert len(set(lums)) == 4


@pytest.mark.parametrize(
    "units",
    [
        np.linspace(0.0, 10.0, 41).reshape(1, -1),
        np.array([[0.5, 1.0, 1.5], [2.5, 7.5, 20.0]]),
        np.array([[NAN, 0.0]]),
    ],
)
def test_heat_colours_text_contrast_is_at_least_4_5(units):
    colours = heat_table_colours(units)

    for background, text in colours.reshape(-1, 2):
        assert contrast(str(background), str(text)) >= 4.5


def test_heat_palette_steps_all_have_readable_text():
    units = np.arange(len(HEAT_PALETTE) * 4, dtype=float).reshape(1, -1)
    colours = heat_table_colours(units)

    used = {str(c) for c in colours[0, :, 0]}
    assert used >= set(HEAT_PALETTE[1:])
    for background, text in colours.reshape(-1, 2):
        assert contrast(str(background), str(text)) >= 4.5


def test_heat_colours_scale_each_product_on_its_own():
    # Botox 5 units and Dysport 15 units are each their product's largest dose.
    units = np.array([[5.0, 15.0], [2.5, 7.5]])

    colours = heat_table_colours(units, column_groups=["botox", "dysport"])

    assert colours[0, 0, 0] == colours[0, 1, 0] == HEAT_PALETTE[-1]
    assert colours[1, 0, 0] == colours[1, 1, 0]
    # Scaled together, the Botox column would look nearly empty.
    together = heat_table_colours(units)
    assert together[0, 0, 0] != HEAT_PALETTE[-1]


@pytest.mark.parametrize(
    ("units", "groups", "message"),
    [
        (np.array([1.0, 2.0]), None, "2-D"),
        (np.array([[1.0, -2.0]]), None, "negative"),
        (np.array([[1.0, 2.0]]), ["botox"], "column groups"),
    ],
)
def test_heat_colours_reject_bad_input(units, groups, message):
    with pytest.raises(ValueError, match=message):
        heat_table_colours(units, column_groups=groups)


@pytest.mark.parametrize(
    ("colour", "luminance_value"), [("#fff", 1.0), ("#000000", 0.0), ("ffffff", 1.0)]
)
def test_relative_luminance_accepts_short_and_bare_hex(colour, luminance_value):
    assert relative_luminance(colour) == pytest.approx(luminance_value)


def test_relative_luminance_rejects_other_colours():
    with pytest.raises(ValueError, match="#rrggbb"):
        relative_luminance("red")


def test_contrast_ratio_matches_the_wcag_formula():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    for colour in (*HEAT_PALETTE, *SERIES_COLOURS):
        assert contrast_ratio(colour, "#ffffff") == pytest.approx(
            contrast(colour, "#ffffff")
        )


def test_heat_colours_empty_matrix():
    assert heat_table_colours(np.zeros((0, 0))).shape == (0, 0, 2)


# Print


def test_charts_render_into_a_pdf_with_their_text():
    line = saq_chart(title="SAQ trend", id_prefix="saq-")
    bars = bar_chart(
        Series("Effect lasted", (1, 2, 3), (10.0, 12.0, 13.0)),
        title="Effect duration",
        id_prefix="dur-",
    )
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 15mm } svg { width: 100%; height: auto }"
        f"</style></head><body><h1>Cycles</h1>{line}{bars}</body></html>"
    )

    pdf = weasyprint.HTML(string=html).write_pdf()

    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("SAQ trend", "Cycle 1", "Cycle 4", "Lower is better", "63.5"):
        assert expected in text
    for expected in ("Effect duration", "12", "Weeks"):
        assert expected in text


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.just(0.0), st.just(NAN), st.floats(0.01, 40, allow_nan=False)),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_heat_colours_follow_heat_level_cell_by_cell(rows):
    """The vectorised table agrees with ``heat_level``, one product per column pair."""
    units = np.array(rows)
    groups = ["botox", "botox", "dysport"]
    colours = heat_table_colours(units, column_groups=groups)
    for j, group in enumerate(groups):
        columns = [k for k, g in enumerate(groups) if g == group]
        block = units[:, columns]
        top = float(np.nanmax(block)) if np.isfinite(block).any() else 0.0
        for i in range(units.shape[0]):
            value = units[i, j]
            if math.isnan(value):
                expected = HEAT_MISSING
            else:
                level = heat_level(value, top)
                expected = HEAT_PALETTE[level] if level >= 0 else HEAT_EMPTY
            assert colours[i, j, 0] == expected
