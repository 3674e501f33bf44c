"""Product changes on a cycle axis: a dotted line before the cycle, labelled above.

The labels live in a band of rows above the plot, clear of the data. Each
mark's line starts at its own label's row, so labels in the rows above it are
never struck through; rows and sides are planned before the plot is sized.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from itertools import product

import svgwrite

from planner.plots.frame import MUTED
from planner.plots.frame import SMALL_SIZE
from planner.plots.frame import Frame
from planner.plots.frame import clean_text
from planner.plots.labels import Box
from planner.plots.labels import Occupied
from planner.plots.labels import text_box

MARK_ROW = 14.0
# Product changes on one axis; beyond this many, sides are not searched.
MAX_SEARCH = 6
# Gap between a mark's line and its label.
GAP = 4.0


def marks_shown(
    cycles: Sequence[int], marks: Sequence[tuple[int, str]]
) -> list[tuple[int, str]]:
    """Return the marks that fall on a shown cycle after the first one.

    A change at the first shown cycle has nothing before it on the chart to
    divide from; the cycle cards and the ledger say it.
    """
    return [(cycle, note) for cycle, note in marks if cycle in cycles[1:]]


@dataclass(frozen=True)
class PlacedMark:
    """Where one mark goes: its line's x, its row (0 at the top) and its label."""

    cycle: int
    text: str
    x: float
    row: int
    anchor: str

    def box(self, top: float) -> Box:
        """Return the label's box when the band starts at ``top``."""
        x = self.x + GAP if self.anchor == "start" else self.x - GAP
        return text_box(
            x, self.baseline(top), self.text, SMALL_SIZE, anchor=self.anchor
        )

    def baseline(self, top: float) -> float:
        """Return the label's baseline y when the band starts at ``top``."""
        return top + MARK_ROW * (self.row + 1) - 3

    def line_top(self, top: float) -> float:
        """Return where the line starts: the top of its own label's row."""
        return top + MARK_ROW * self.row + 1


def plan_marks(
    cycles: Sequence[int],
    marks: Sequence[tuple[int, str]],
    *,
    left: float,
    right: float,
) -> list[PlacedMark]:
    """Place each shown mark's label in the band between x ``left`` and ``right``.

    Each label goes right or left of its line. A label that spans another
    mark's line needs that line to start in a lower row; labels that overlap
    need different rows. Every choice of sides is tried (up to ``MAX_SEARCH``
    marks; beyond that, all go right) and the best kept: labels inside the
    plot's width first, then the fewest rows, then the most to the right.
    """
    columns = len(cycles)
    step = (right - left) / columns
    items = [
        (cycle, clean_text(note), round(left + step * cycles.index(cycle), 2))
        for cycle, note in marks_shown(cycles, marks)
    ]
    if not items:
        return []
    choices = (
        list(product(("start", "end"), repeat=len(items)))
        if len(items) <= MAX_SEARCH
        else [("start",) * len(items)]
    )
    best: tuple[tuple[float, int, int], list[PlacedMark]] | None = None
    for anchors in choices:
        plan = _rows(
            [
                PlacedMark(cycle, text, x, 0, anchor)
                for (cycle, text, x), anchor in zip(items, anchors, strict=True)
            ]
        )
        if plan is None:
            continue
        overhang = sum(
            max(left - m.box(0.0).left, 0.0) + max(m.box(0.0).right - right, 0.0)
            for m in plan
        )
        score = (overhang, max(m.row for m in plan), anchors.count("end"))
        if best is None or score < best[0]:
            best = (score, plan)
    if best is None:
        # Only beyond the search: a row each, stepping down to the right, so
        # that no label (all to the right of their lines) meets a later line.
        return [
            PlacedMark(cycle, text, x, row, "start")
            for row, (cycle, text, x) in enumerate(items)
        ]
    return best[1]


def _rows(marks: list[PlacedMark]) -> list[PlacedMark] | None:
    """Give each mark the lowest row its constraints allow; None if they loop."""
    boxes = [m.box(0.0) for m in marks]
    # above[j]: the marks whose label spans mark j's line; j must start below them.
    above = [
        {i for i, box in enumerate(boxes) if i != j and box.left < m.x < box.right}
        for j, m in enumerate(marks)
    ]
    rows: dict[int, int] = {}
    while len(rows) < len(marks):
        ready = [
            j for j in range(len(marks)) if j not in rows and above[j] <= rows.keys()
        ]
        if not ready:
            return None
        for j in ready:
            row = max((rows[i] + 1 for i in above[j]), default=0)
            while any(rows[i] == row and boxes[i].overlaps(boxes[j]) for i in rows):
                row += 1
            rows[j] = row
    return [replace(m, row=rows[j]) for j, m in enumerate(marks)]


def band_height(placed: Sequence[PlacedMark]) -> float:
    """Return the height of the band the placed marks need (0 for none)."""
    return MARK_ROW * (max(p.row for p in placed) + 1) if placed else 0.0


def draw_marks(
    drawing: svgwrite.Drawing,
    frame: Frame,
    placed: Sequence[PlacedMark],
    occupied: Occupied | None = None,
) -> None:
    """Draw each planned mark: its dotted line down to the axis, its label."""
    group = drawing.g(**{"class": "marks"})
    top = frame.marks_top
    for mark in placed:
        line_top = mark.line_top(top)
        if occupied is not None:
            occupied.claim_line([(mark.x, line_top), (mark.x, frame.bottom)])
            occupied.claim(mark.box(top))
        element = drawing.g(**{"class": "mark", "data-cycle": mark.cycle})
        element.set_desc(title=f"From cycle {mark.cycle}: {mark.text}")
        element.add(
            drawing.line(
                (mark.x, line_top),
                (mark.x, frame.bottom),
                stroke=MUTED,
                stroke_width=1.2,
                stroke_dasharray="2 3",
            )
        )
        x = mark.x + GAP if mark.anchor == "start" else mark.x - GAP
        element.add(
            drawing.text(
                mark.text,
                insert=(round(x, 2), round(mark.baseline(top), 2)),
                fill=MUTED,
                font_size=SMALL_SIZE,
                text_anchor=mark.anchor,
                **{"class": "mark-label"},
            )
        )
        group.add(element)
    drawing.add(group)
