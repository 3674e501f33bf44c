"""Place protocol-template sites on a patient, and turn a chart back into a template.

Template sites are stored relative to the palsy, not to the patient's anatomy:
each has a ``role`` (affected, contralateral or midline) and a point drawn as if
the AFFECTED side were the patient's RIGHT (the viewer's left, x below the
midline). ``place_template_sites`` turns them into anatomical sites for one
patient and ``template_from_session_sites`` does the reverse.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple
from typing import Protocol

from planner.facemap.geometry import MIDLINE_X
from planner.facemap.geometry import Side
from planner.facemap.geometry import mirror

# Where each role sits when the affected side is drawn as the patient's right.
ROLE_SIDES: dict[str, Side] = {
    "affected": "right",
    "contralateral": "left",
    "midline": "midline",
}

_MIRRORED: dict[Side, Side] = {"right": "left", "left": "right", "midline": "midline"}

_AFFECTED_SIDES = ("left", "right", "bilateral")


class PlacedSite(NamedTuple):
    """A template site placed on one patient: anatomical side and map point."""

    muscle: str
    side: Side
    x: float
    y: float
    units: float


class ChartedSite(Protocol):
    """What ``template_from_session_sites`` reads from a charted site."""

    @property
    def muscle(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...
    @property
    def units(self) -> float: ...


def _mirrors(affected_side: str) -> bool:
    """Say whether templates are mirrored for a patient with this affected side."""
    # The message matches the one the AffectedSide enum gives for a bad value.
    if affected_side not in _AFFECTED_SIDES:
        raise ValueError(f"{affected_side!r} is not a valid AffectedSide")
    return affected_side == "left"


def place_template_sites(
    template_sites: Iterable[Mapping[str, Any]],
    affected_side: str,
    *,
    midline_x: float = MIDLINE_X,
) -> list[PlacedSite]:
    """Place a template's sites on a patient with this affected side.

    Templates are drawn with the affected side on the patient's right. For a
    palsy on the LEFT every point is mirrored (x -> 2 * midline_x - x), so the
    "affected" sites land on the patient's left; for RIGHT and BILATERAL the
    points are kept as stored.

    :param affected_side: "left", "right" or "bilateral".
    :raises ValueError: for any other affected side.
    """
    flip = _mirrors(affected_side)
    placed: list[PlacedSite] = []
    for site in template_sites:
        side = ROLE_SIDES[str(site["role"])]
        x, y = float(site["x"]), float(site["y"])
        if flip:
            x, y = mirror(x, y, midline_x)
            side = _MIRRORED[side]
        placed.append(PlacedSite(site["muscle"], side, x, y, float(site["units"])))
    return placed


def template_from_session_sites(
    sites: Iterable[ChartedSite],
    affected_side: str,
    *,
    midline_x: float = MIDLINE_X,
) -> list[dict[str, Any]]:
    """Turn a charted session's sites into template sites (the inverse of placing).

    A site on the patient's affected side becomes "affected", one on the other
    side "contralateral", and a midline site "midline". For a palsy on the
    LEFT the points are mirrored so the affected side is drawn on the right; for
    BILATERAL the patient's right is taken as the affected side.

    :raises ValueError: for an affected side other than left, right, bilateral.
    """
    flip = _mirrors(affected_side)
    affected: Side = "left" if flip else "right"
    template: list[dict[str, Any]] = []
    for site in sites:
        side = str(site.side)
        if side == "midline":
            role = "midline"
        elif side == affected:
            role = "affected"
        else:
            role = "contralateral"
        x, y = mirror(site.x, site.y, midline_x) if flip else (site.x, site.y)
        template.append(
            {
                "muscle": site.muscle,
                "role": role,
                "x": round(float(x), 2),
                "y": round(float(y), 2),
                "units": float(site.units),
            }
        )
    return template
