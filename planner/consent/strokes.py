"""A signature as vector data: validated strokes of points, drawn back as SVG.

The tablet (static/js/signature.js) sends the strokes as JSON: a list of strokes,
each a list of ``[x, y]`` points in the signature box's own units (600 × 200,
whatever the canvas's size on screen). Everything about it is checked here, so
a forged or broken post is refused by name and never stored.
"""

import json
import math
from typing import Any
from xml.sax.saxutils import quoteattr

SIGNATURE_WIDTH = 600
SIGNATURE_HEIGHT = 200
# A real signature is a few strokes of a few hundred points; these bound what
# one post may store (about 100 kB of JSON).
MAX_JSON_CHARS = 100_000
MAX_STROKES = 60
MAX_POINTS_PER_STROKE = 2_000
MAX_POINTS = 6_000

Point = tuple[float, float]
Strokes = list[list[Point]]


class StrokeError(ValueError):
    """The signature data is not a drawn signature this app accepts."""


def _number(value: Any) -> float:
    # JSON true/false would pass as 1/0 in Python: refuse them by name.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StrokeError("has a point that is not a pair of numbers")
    number = float(value)
    if not math.isfinite(number):
        raise StrokeError("has a point that is not a finite number")
    return number


def _point(raw: Any) -> Point:
    if not isinstance(raw, list) or len(raw) != 2:
        raise StrokeError("has a point that is not a pair of numbers")
    x, y = _number(raw[0]), _number(raw[1])
    if not (0 <= x <= SIGNATURE_WIDTH and 0 <= y <= SIGNATURE_HEIGHT):
        raise StrokeError("has a point outside the signature box")
    return round(x, 1), round(y, 1)


def parse_strokes(text: str) -> Strokes:
    """Read the posted JSON into strokes, or raise StrokeError saying what is wrong."""
    if not text or not text.strip():
        raise StrokeError("is empty: sign in the box, or use the typed signature")
    if len(text) > MAX_JSON_CHARS:
        raise StrokeError("is too large to be a signature")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        # Deeply nested brackets exhaust the parser's recursion: not a signature.
        raise StrokeError("is not readable signature data") from None
    if not isinstance(raw, list) or not raw:
        raise StrokeError("is empty: sign in the box, or use the typed signature")
    if len(raw) > MAX_STROKES:
        raise StrokeError(f"has more than {MAX_STROKES} strokes")
    strokes: Strokes = []
    total = 0
    for stroke in raw:
        if not isinstance(stroke, list) or not stroke:
            raise StrokeError("has a stroke with no points")
        if len(stroke) > MAX_POINTS_PER_STROKE:
            raise StrokeError("has a stroke with too many points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise StrokeError("has too many points to be a signature")
        strokes.append([_point(point) for point in stroke])
    if _ink_length(strokes) < SIGNATURE_HEIGHT / 10:
        raise StrokeError("is too short to be a signature: sign in the box")
    return strokes


def _ink_length(strokes: Strokes) -> float:
    pairs = (zip(stroke, stroke[1:], strict=False) for stroke in strokes)
    return sum(math.dist(a, b) for pair in pairs for a, b in pair)


def _path(stroke: list[Point]) -> str:
    (x0, y0), rest = stroke[0], stroke[1:]
    if not rest:
        # A single tap is a dot: a zero-length line with round caps.
        return f"M{x0:g} {y0:g}h0.1"
    return f"M{x0:g} {y0:g}" + "".join(f"L{x:g} {y:g}" for x, y in rest)


def render_signature_svg(strokes: Strokes, *, label: str) -> str:
    """Draw the strokes as an inline SVG image labelled ``label`` for readers.

    Only numbers from ``parse_strokes`` reach the path data; the label is escaped.
    """
    paths = "".join(f'<path d="{_path(stroke)}"/>' for stroke in strokes if stroke)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="signature-svg" '
        f'viewBox="0 0 {SIGNATURE_WIDTH} {SIGNATURE_HEIGHT}" role="img" '
        f"aria-label={quoteattr(label)}>"
        '<g fill="none" stroke="#111" stroke-width="3" stroke-linecap="round" '
        f'stroke-linejoin="round">{paths}</g></svg>'
    )
