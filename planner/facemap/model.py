"""The face-map data model, validated when a map file is loaded.

A map stores each muscle's region and reference points for the patient's right
side only (x below the midline); the left side is their mirror. Muscles with
``midline`` set (the procerus) have one region straddling the midline; a paired
muscle may also have a ``central`` part across the midline (a central mentalis
point). Zones (caution and no-go) are stored the same way: the right side's, or
one across the midline.
"""

import functools
import json
import re
from pathlib import Path
from typing import Any
from typing import Literal
from typing import Self

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import ValidationError
from pydantic import model_validator

from planner.facemap.checks import check_parts
from planner.facemap.checks import check_points_reach_their_muscle
from planner.facemap.checks import check_zones
from planner.facemap.polygon import Shape
from planner.facemap.polygon import ring_array
from planner.reference import MUSCLE_DOSES

Point = tuple[float, float]
Ring = tuple[Point, ...]

KNOWN_MUSCLES = frozenset(dose.muscle for dose in MUSCLE_DOSES)
# The map new sessions are charted on; a signed session keeps its own version.
MAP_FAMILY = "front"
CURRENT_MAP_VERSION = 2
CURRENT_MAP = f"{MAP_FAMILY}-v{CURRENT_MAP_VERSION}"
_MAP_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# SVG path data: commands, numbers and separators only.
_PATH_DATA = r"^[MLHVCSQTAZmlhvcsqtaz0-9eE.,+\s-]+$"


class FaceMapError(ValueError):
    """A face-map file is missing, unreadable or fails validation."""


class Landmark(BaseModel):
    """A named drawing on the map (eye, brow, jaw line...), as SVG path data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    d: str = Field(pattern=_PATH_DATA)
    style: Literal["line", "bold", "faint", "dashed", "filled"] = "line"


def _check_sources(points: tuple[Point, ...], sources: tuple[str, ...]) -> None:
    if sources and len(sources) != len(points):
        raise ValueError(
            f"point_sources: give one per point ({len(points)}), not {len(sources)}"
        )


class CentralPart(BaseModel):
    """The midline part of a paired muscle, drawn across the midline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: Ring = Field(min_length=3)
    points: tuple[Point, ...] = Field(min_length=1)
    region_source: str = ""
    point_sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_sources(self.points, self.point_sources)
        return self

    @property
    def shape(self) -> Shape:
        return (ring_array(self.region),)


class Muscle(BaseModel):
    """One muscle: names, codes, its region and its reference injection points.

    ``region_source`` and ``point_sources`` say where the drawing comes from: a
    source tag of the clinical reference, or UNSOURCED.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str = Field(min_length=1, max_length=80)
    abbreviation: str = Field(min_length=1, max_length=12)
    # Blank unless the concept id was checked; see the map's notes.
    snomed: str = Field(default="", pattern=r"^(\d{6,18})?$")
    midline: bool = False
    region: Ring = Field(min_length=3)
    holes: tuple[Ring, ...] = ()
    points: tuple[Point, ...] = Field(min_length=1)
    guidance: str = ""
    caution: str = ""
    region_source: str = ""
    point_sources: tuple[str, ...] = ()
    central: CentralPart | None = None

    @model_validator(mode="after")
    def _check_snomed(self) -> Self:
        if self.snomed and not verhoeff_valid(self.snomed):
            raise ValueError(f"snomed: {self.snomed} fails the Verhoeff check digit")
        if any(len(hole) < 3 for hole in self.holes):
            raise ValueError("holes: each hole needs at least 3 points")
        _check_sources(self.points, self.point_sources)
        if self.midline and self.central is not None:
            raise ValueError("central: a midline muscle has no separate central part")
        return self

    @property
    def shape(self) -> Shape:
        """Return the region as arrays: the outer ring, then the holes."""
        return (ring_array(self.region), *(ring_array(h) for h in self.holes))

    @property
    def sides(self) -> tuple[Literal["right", "left", "midline"], ...]:
        """Name the sides a site on this muscle may have."""
        if self.midline:
            return ("midline",)
        if self.central is not None:
            return ("right", "left", "midline")
        return ("right", "left")


class Zone(BaseModel):
    """A caution or no-go zone: a tap there is warned about, or refused.

    ``muscles`` and ``roles``, when given, narrow a caution zone to sites on those
    muscles and with those roles (a frontalis site on the affected side).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["caution", "no_go"]
    # A warning needs a reason to sign; a caution informs.
    severity: Literal["caution", "warning"] = "caution"
    title: str = Field(min_length=1, max_length=80)
    message: str = Field(min_length=1)
    source: str = Field(min_length=1)
    midline: bool = False
    region: Ring = Field(min_length=3)
    muscles: tuple[str, ...] = ()
    roles: tuple[Literal["affected", "contralateral"], ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.kind == "no_go" and (self.muscles or self.roles):
            raise ValueError("muscles: a no-go zone refuses every tap, for any muscle")
        return self

    @property
    def shape(self) -> Shape:
        return (ring_array(self.region),)


class FaceMap(BaseModel):
    """A versioned face map: outline, landmarks and muscles in one viewBox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=_MAP_NAME.pattern)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    view_box: tuple[float, float, float, float]
    midline_x: float
    # The drawing's scale, for distances in centimetres (front-v1 had none).
    scale_px_per_cm: float | None = Field(default=None, gt=0)
    source: str = Field(min_length=1)
    notes: tuple[str, ...] = ()
    outline: str = Field(pattern=_PATH_DATA)
    landmarks: tuple[Landmark, ...] = ()
    muscles: tuple[Muscle, ...] = Field(min_length=1)
    zones: tuple[Zone, ...] = ()
    # The folder the map was loaded from, where its other versions are.
    _folder: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_geometry(self) -> Self:
        x0, y0, width, height = self.view_box
        if width <= 0 or height <= 0:
            raise ValueError("view_box: width and height must be positive")
        if self.midline_x != x0 + width / 2:
            raise ValueError("midline_x: must be the centre of the view_box")
        _check_codes(self.muscles)
        check_parts(self)
        check_points_reach_their_muscle(self)
        check_zones(self)
        return self

    @property
    def folder(self) -> Path | None:
        """Return the folder the map was loaded from, if it was loaded from one."""
        return self._folder

    def muscle(self, code: str) -> Muscle:
        """Return the muscle with this code, or raise KeyError."""
        for muscle in self.muscles:
            if muscle.code == code:
                return muscle
        raise KeyError(code)


def _check_codes(muscles: tuple[Muscle, ...]) -> None:
    seen: dict[str, int] = {}
    for index, muscle in enumerate(muscles):
        if muscle.code not in KNOWN_MUSCLES:
            raise ValueError(
                f"muscles[{index}].code: unknown muscle {muscle.code!r}; "
                "codes must be those of planner.reference.MUSCLE_DOSES"
            )
        if muscle.code in seen:
            raise ValueError(
                f"muscles[{index}].code: duplicate {muscle.code!r} "
                f"(also muscles[{seen[muscle.code]}])"
            )
        seen[muscle.code] = index


def _dihedral_product(j: int, k: int) -> int:
    """Multiply two elements of the dihedral group D5, numbered 0-9 as Verhoeff did.

    0-4 are the rotations and 5-9 the reflections.
    """
    rotation = (j - k if j >= 5 else j + k) % 5
    return rotation + 5 * ((j >= 5) != (k >= 5))


_VERHOEFF_D = tuple(
    tuple(_dihedral_product(j, k) for k in range(10)) for j in range(10)
)


def _powers(step: tuple[int, ...], count: int) -> tuple[tuple[int, ...], ...]:
    """Return the permutation ``step`` applied 0 to ``count - 1`` times, a row each."""
    rows = [tuple(range(len(step)))]
    while len(rows) < count:
        rows.append(tuple(step[n] for n in rows[-1]))
    return tuple(rows)


# Verhoeff's position permutation comes back to the identity after eight steps.
_VERHOEFF_P = _powers((1, 5, 7, 6, 2, 8, 3, 0, 9, 4), 8)


def verhoeff_valid(digits: str) -> bool:
    """Check the Verhoeff check digit that ends every SNOMED CT identifier."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def load_face_map(folder: Path, name: str = CURRENT_MAP) -> FaceMap:
    """Load and validate ``<folder>/<name>.json``, cached per resolved path.

    :raises FaceMapError: naming the file and the field when the data is bad.
    """
    if not _MAP_NAME.match(name):
        raise FaceMapError(f"face map name {name!r} is not a plain file name")
    return _load((Path(folder) / f"{name}.json").resolve())


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> FaceMap:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaceMapError(f"{path}: cannot read the face map ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise FaceMapError(
            f"{path}: not UTF-8 text (byte {exc.start} cannot be read)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise FaceMapError(f"{path}: not valid JSON ({exc})") from exc
    try:
        face_map = FaceMap.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_field_path(raw, error['loc'])}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise FaceMapError(f"{path}: {problems}") from exc
    face_map._folder = path.parent
    return face_map


def _field_path(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Spell an error location as ``muscles[3] (corrugator).region``."""
    if not loc:
        return "map"
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                text += f" ({node['code']})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text
