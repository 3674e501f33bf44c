"""Hatch the muscles a procedure excised or denervated, with the procedure and date.

Pure: called by ``planner.facemap.render`` only, so svgwrite stays behind that
module's door. The hatching lets taps pass through: a tap there reaches the
server, which refuses it until the injector confirms (issue 22).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import svgwrite

from planner.facemap.geometry import muscle_regions
from planner.facemap.model import FaceMap
from planner.facemap.polygon import FloatArray

HATCH_STROKE = "#1f1f1f"


@dataclass(frozen=True)
class Hatch:
    """A muscle-side to hatch, and its procedure and day, as its label says."""

    muscle: str
    side: str
    label: str


def _ring_path(ring: FloatArray) -> str:
    points = [f"{x:g} {y:g}" for x, y in ring.tolist()]
    return "M " + " L ".join(points) + " Z"


def hatched_group(
    drawing: svgwrite.Drawing,
    face_map: FaceMap,
    hatches: Iterable[Hatch],
    id_prefix: str,
) -> svgwrite.container.Group:
    """Return the hatched regions, each titled and labelled with its procedure."""
    group = drawing.g(**{"class": "treated-muscles", "pointer-events": "none"})
    wanted = {(h.muscle, h.side): h for h in hatches}
    if not wanted:
        return group
    pattern = drawing.pattern(
        id=f"{id_prefix}hatch-treated",
        size=(5, 5),
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
    pattern.add(drawing.line(start=(0, 0), end=(0, 5), stroke=HATCH_STROKE))
    pattern["stroke-width"] = 1.3
    drawing.defs.add(pattern)
    names = {muscle.code: muscle.name for muscle in face_map.muscles}
    for muscle in face_map.muscles:
        for region in muscle_regions(face_map, muscle):
            hatch = wanted.get((region.muscle, region.side))
            if hatch is None:
                continue
            outer = region.shape[0]
            path = drawing.path(
                d=" ".join(_ring_path(ring) for ring in region.shape),
                id=f"{id_prefix}treated-{region.muscle}-{region.side}",
                fill=f"url(#{id_prefix}hatch-treated)",
                fill_rule="evenodd",
                stroke=HATCH_STROKE,
                stroke_width=1.2,
                stroke_dasharray="3 1.5",
                **{
                    "class": "treated",
                    "data-muscle": region.muscle,
                    "data-side": region.side,
                },
            )
            side = "midline" if region.side == "midline" else f"{region.side} side"
            path.set_desc(title=f"{names[region.muscle]}, {side}: {hatch.label}")
            group.add(path)
            x, y = (float(v) for v in np.mean(outer, axis=0))
            group.add(
                drawing.text(
                    hatch.label,
                    insert=(x, y),
                    font_size=6.5,
                    font_weight="bold",
                    fill=HATCH_STROKE,
                    stroke="#ffffff",
                    stroke_width=2.2,
                    paint_order="stroke",
                    text_anchor="middle",
                    **{"class": "treated-label"},
                )
            )
    return group
