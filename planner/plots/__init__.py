"""SVG charts for the cycles page and the PDFs: trends, durations, heat colours.

Pure: no Flask and no database. Each chart is one self-contained SVG string with
presentation attributes only, so the screen and WeasyPrint render the same
drawing, with an accessible ``<title>`` and a ``<desc>`` sentence.
"""

from planner.plots.bar import bar_chart
from planner.plots.bar import describe_bars
from planner.plots.frame import NO_DATA
from planner.plots.frame import format_value
from planner.plots.line import Series
from planner.plots.line import describe_trend
from planner.plots.line import line_chart
from planner.plots.palette import HEAT_EMPTY
from planner.plots.palette import HEAT_MISSING
from planner.plots.palette import HEAT_PALETTE
from planner.plots.palette import OKABE_ITO
from planner.plots.palette import SERIES_COLOURS
from planner.plots.palette import contrast_ratio
from planner.plots.palette import heat_table_colours
from planner.plots.palette import relative_luminance
from planner.plots.palette import text_colour

__all__ = [
    "HEAT_EMPTY",
    "HEAT_MISSING",
    "HEAT_PALETTE",
    "NO_DATA",
    "OKABE_ITO",
    "SERIES_COLOURS",
    "Series",
    "bar_chart",
    "contrast_ratio",
    "describe_bars",
    "describe_trend",
    "format_value",
    "heat_table_colours",
    "line_chart",
    "relative_luminance",
    "text_colour",
]
