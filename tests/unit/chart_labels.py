"""Read a chart's SVG back and find words that touch each other or a drawn line.

Independent of ``planner.plots.labels``: boxes come from each ``<text>``'s own
position, anchor, ``dy`` and font size, with glyphs 0.6 em wide (DejaVu Sans
letters run 0.55-0.7 em, its digits 0.636) and the face's ascent and descent.
"""

import re
import xml.etree.ElementTree as ET
from itertools import combinations

SVG = "{http://www.w3.org/2000/svg}"
GLYPH = 0.6
ASCENT = 0.76
DESCENT = 0.24
# Lines words must not touch: data lines, baselines, reference and product marks.
LINE_CLASSES = {"line", "baseline"}
LINE_PARENTS = {"reference", "mark"}


def _number(value, default=0.0):
    if value is None:
        return default
    return float(re.match(r"-?[\d.]+", str(value)).group())


def text_boxes(root):
    """Return (text, (left, top, right, bottom)) for each unrotated text."""
    boxes = []
    inherited = {}
    for parent in root.iter():
        for child in parent:
            inherited[child] = parent
    for element in root.iter(f"{SVG}text"):
        if "rotate" in (element.get("transform") or ""):
            continue
        size = _number(element.get("font-size"), 16.0)
        text = "".join(element.itertext())
        x, y = _number(element.get("x")), _number(element.get("y"))
        dy = element.get("dy")
        if dy and dy.endswith("em"):
            y += float(dy[:-2]) * size
        width = len(text) * size * GLYPH
        anchor = element.get("text-anchor") or "start"
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        boxes.append(
            (text, (left, y - size * ASCENT, left + width, y + size * DESCENT))
        )
    return boxes


def drawn_segments(root):
    """Return the segments of the data lines, baselines, references and marks."""
    parents = {child: parent for parent in root.iter() for child in parent}
    segments = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        classes = set((element.get("class") or "").split())
        parent_classes = set((parents.get(element, root).get("class") or "").split())
        if not (classes & LINE_CLASSES or parent_classes & LINE_PARENTS):
            continue
        if tag == "line":
            segments.append(
                (
                    (float(element.get("x1")), float(element.get("y1"))),
                    (float(element.get("x2")), float(element.get("y2"))),
                )
            )
        elif tag == "polyline":
            points = [
                tuple(map(float, p.split(","))) for p in element.get("points").split()
            ]
            segments.extend(zip(points, points[1:], strict=False))
    return segments


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box, start, end, steps=64):
    (x0, y0), (x1, y1) = start, end
    for step in range(steps + 1):
        t = step / steps
        x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        if box[0] < x < box[2] and box[1] < y < box[3]:
            return True
    return False


def label_clashes(root):
    """Name each pair of words that overlap, and each word a line runs through."""
    if isinstance(root, str):
        root = ET.fromstring(root)
    boxes = text_boxes(root)
    clashes = [
        f"{a!r} overlaps {b!r}"
        for (a, box_a), (b, box_b) in combinations(boxes, 2)
        if _overlap(box_a, box_b)
    ]
    clashes += [
        f"a line runs through {text!r}"
        for text, box in boxes
        for start, end in drawn_segments(root)
        if _crosses(box, start, end)
    ]
    return clashes
