"""What every chart shares: the drawing, its title and description, the plot frame.

Coordinates are viewBox units, which are CSS pixels at the default size. Every
colour, font and stroke is a presentation attribute, so a chart needs no
stylesheet and looks the same on screen and in WeasyPrint's PDF. svgwrite is
unmaintained, so only this package touches it.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal

import svgwrite

from planner.plots.labels import Box

INK = "#333333"
MUTED = "#595959"
GRID = "#e3e3e3"
AXIS = "#8c8c8c"
FONT = "sans-serif"
TITLE_SIZE = 16
LABEL_SIZE = 13
SMALL_SIZE = 12
# Average advance of a sans-serif glyph as a share of the font size; good enough
# to lay out a legend without measuring text.
GLYPH_WIDTH = 0.58
# Room above the plot that a value label may take when nothing else is there.
LABEL_HEADROOM = 12.0
NO_DATA = "No data yet"
# XML 1.0 forbids these characters even escaped; a pasted label must not break
# the page, so they are dropped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Return text that XML can carry: invalid control characters removed.

    svgwrite escapes ``<``, ``&`` and quotes itself.
    """
    return _XML_INVALID.sub("", text)


def format_value(value: float) -> str:
    """Format a score or duration for people: at most one decimal, no trailing 0.

    Halves round up (61.25 is "61.3"), as people round, not to even. NaN and
    infinities, which no chart draws, come out as an en dash.
    """
    if not math.isfinite(value):
        return "\u2013"
    tenths = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{tenths:f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_width(text: str, size: float) -> float:
    """Estimate the width of ``text`` at ``size`` (viewBox units)."""
    return len(text) * size * GLYPH_WIDTH


@dataclass(frozen=True)
class Scale:
    """The value axis: its bounds and the values that get a gridline."""

    low: float
    high: float
    ticks: tuple[float, ...]


@dataclass(frozen=True)
class Frame:
    """Where the plot area sits inside the drawing.

    ``band`` is the height of the strip above ``top`` kept for the labels of
    product changes (0 when the axis has none).
    """

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    band: float = 0.0

    @property
    def marks_top(self) -> float:
        """Return the top of the strip for product-change labels."""
        return self.top - self.band

    @property
    def label_area(self) -> Box:
        """Return where value labels may go: the plot and the free room above it.

        Whatever else is drawn there (the legend, product changes) claims its
        own box first, so a label only takes space that is really free.
        """
        return Box(self.left, self.marks_top - LABEL_HEADROOM, self.right, self.bottom)

    @property
    def plot_width(self) -> float:
        """Return the width of the plot area."""
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        """Return the height of the plot area."""
        return self.bottom - self.top

    def x(self, index: int, count: int) -> float:
        """Return the centre of column ``index`` of ``count`` equal columns."""
        return round(self.left + self.plot_width * (index + 0.5) / count, 2)

    def y(self, value: float, scale: Scale) -> float:
        """Return the vertical position of ``value`` on ``scale``."""
        share = (value - scale.low) / (scale.high - scale.low)
        return round(self.bottom - share * self.plot_height, 2)


def new_drawing(
    *, width: float, height: float, title: str, desc: str, kind: str, id_prefix: str
) -> svgwrite.Drawing:
    """Start an accessible drawing (role img) under its visible title."""
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}x{height}")
    drawing = svgwrite.Drawing(
        size=(f"{width:g}", f"{height:g}"),
        viewBox=f"0 0 {width:g} {height:g}",
        debug=False,
        **{"class": f"chart {kind}", "font-family": FONT},
    )
    drawing["role"] = "img"
    drawing["aria-labelledby"] = f"{id_prefix}chart-title {id_prefix}chart-desc"
    drawing.set_desc(title=clean_text(title), desc=clean_text(desc))
    for element, suffix in zip(drawing.elements[:2], ("title", "desc"), strict=True):
        element.xml.set("id", f"{id_prefix}chart-{suffix}")
    # An explicit white card, so a PDF page or a dark tablet theme cannot show
    # through and lower the contrast.
    drawing.add(drawing.rect((0, 0), (width, height), fill="#ffffff"))
    draw_heading(drawing, title)
    return drawing


def draw_heading(drawing: svgwrite.Drawing, title: str, *, x: float = 12) -> None:
    """Write the visible title in the top row."""
    drawing.add(
        drawing.text(
            clean_text(title),
            insert=(x, 22),
            fill=INK,
            font_size=TITLE_SIZE,
            font_weight="bold",
            **{"class": "chart-title"},
        )
    )


def empty_chart(
    *, title: str, width: float, height: float, id_prefix: str, kind: str
) -> str:
    """Draw the title over an empty, dashed plot area that says "No data yet"."""
    drawing = new_drawing(
        width=width,
        height=height,
        title=title,
        desc=f"{NO_DATA}.",
        kind=f"{kind}-chart empty",
        id_prefix=id_prefix,
    )
    drawing.add(
        drawing.rect(
            (12, 36),
            (width - 24, height - 48),
            rx=6,
            fill="#f7f7f7",
            stroke=AXIS,
            stroke_dasharray="6 4",
        )
    )
    drawing.add(
        drawing.text(
            NO_DATA,
            insert=(width / 2, 36 + (height - 48) / 2),
            dy=["0.35em"],
            fill=MUTED,
            font_size=TITLE_SIZE,
            text_anchor="middle",
            **{"class": "no-data"},
        )
    )
    markup: str = drawing.tostring()
    return markup


def list_words(items: Sequence[str]) -> str:
    """Join ``["3", "5", "7"]`` as "3, 5 and 7"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(count: int, word: str) -> str:
    """Return "1 cycle" or "4 cycles"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
