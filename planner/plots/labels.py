"""Where a chart's words may go: every drawn thing claims a box, labels take free ones.

Text is measured with ``text_width`` (no font at hand), so boxes are estimates
with a little padding. A value label that finds no free place is left out: its
value stays in the point's tooltip and in the table beside the chart, which is
better than a number struck through by a line or covered by another word.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

# Advance of a digit in DejaVu Sans is 0.636 em, wider than the average glyph
# that ``frame.text_width`` assumes for laying out legends: labels measure wide.
GLYPH_WIDTH = 0.64
# Share of the font size above and below the baseline (DejaVu Sans and most
# sans-serif faces: ascent about 0.76, descent about 0.24).
ASCENT = 0.8
DESCENT = 0.25
# Room kept around each box, in viewBox units.
PAD = 1.0


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in viewBox units (y grows downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Box") -> bool:
        """Say whether the two boxes share any area."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def inside(self, other: "Box") -> bool:
        """Say whether this box lies wholly within ``other``."""
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.top >= other.top
            and self.bottom <= other.bottom
        )

    def crosses(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Say whether the segment from ``start`` to ``end`` passes through the box.

        Liang-Barsky clipping: the segment's parameter range inside each slab.
        """
        (x0, y0), (x1, y1) = start, end
        low, high = 0.0, 1.0
        for delta, near, far in (
            (x1 - x0, self.left - x0, self.right - x0),
            (y1 - y0, self.top - y0, self.bottom - y0),
        ):
            if delta == 0:
                if near > 0 or far < 0:
                    return False
                continue
            t0, t1 = sorted((near / delta, far / delta))
            low, high = max(low, t0), min(high, t1)
            if low > high:
                return False
        return True


def text_box(
    x: float, y: float, text: str, size: float, *, anchor: str = "start"
) -> Box:
    """Return the box of ``text`` whose baseline starts, centres or ends at (x, y)."""
    width = len(text) * size * GLYPH_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(
        left - PAD,
        y - size * ASCENT - PAD,
        left + width + PAD,
        y + size * DESCENT + PAD,
    )


@dataclass
class Occupied:
    """What a chart has drawn so far: boxes and line segments labels must avoid."""

    boxes: list[Box] = field(default_factory=list)
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = field(
        default_factory=list
    )

    def claim(self, box: Box) -> Box:
        """Record a drawn box and return it."""
        self.boxes.append(box)
        return box

    def claim_line(self, points: Iterable[tuple[float, float]]) -> None:
        """Record a drawn line through ``points`` (two or more)."""
        points = list(points)
        self.segments.extend(zip(points, points[1:], strict=False))

    def is_free(self, box: Box) -> bool:
        """Say whether ``box`` touches nothing drawn so far."""
        return not any(box.overlaps(other) for other in self.boxes) and not any(
            box.crosses(start, end) for start, end in self.segments
        )

    def place(
        self,
        text: str,
        size: float,
        spots: Sequence[tuple[float, float, str]],
        *,
        within: Box,
    ) -> tuple[float, float, str] | None:
        """Claim the first free spot (x, y, anchor) for ``text``, or None.

        A spot must lie wholly ``within`` the given box (the plot area, say).
        """
        for x, y, anchor in spots:
            box = text_box(x, y, text, size, anchor=anchor)
            if box.inside(within) and self.is_free(box):
                self.claim(box)
                return x, y, anchor
        return None
