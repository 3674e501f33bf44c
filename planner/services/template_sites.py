"""Check a protocol template's fields and sites against the face map.

Sites are stored relative to the palsy (see ``planner.facemap.mirroring``): a
role and a point drawn with the affected side on the patient's right.
"""

from typing import Annotated
from typing import Any

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator

from planner.errors import InvalidInput
from planner.facemap import FaceMap
from planner.facemap import Side
from planner.facemap import hit_test
from planner.facemap import reference_points
from planner.facemap.mirroring import ROLE_SIDES
from planner.models import SiteRole
from planner.validation import blank_as_none
from planner.validation import field_errors
from planner.validation import nul_fields
from planner.validation import strip_or_none
from planner.validation import strip_text
from planner.validation import to_number

MIN_UNITS = 0.25
MAX_UNITS = 100.0
MAX_SITES = 80

SIDE_NAMES: dict[Side, str] = {
    "right": "patient's right",
    "left": "patient's left",
    "midline": "midline",
}


def _units(value: float) -> float:
    if not MIN_UNITS <= value <= MAX_UNITS:
        raise ValueError(f"must be between {MIN_UNITS:g} and {MAX_UNITS:g} units")
    return value


def _blank_or_number(value: Any) -> Any:
    value = blank_as_none(value)
    return None if value is None else to_number(value)


Units = Annotated[float, BeforeValidator(to_number), AfterValidator(_units)]
Coordinate = Annotated[float | None, BeforeValidator(_blank_or_number)]


# Properties to receive for one template site; a blank point means the
# muscle's reference point
class TemplateSiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    muscle: str = Field(min_length=1, max_length=40)
    role: SiteRole
    x: Coordinate = None
    y: Coordinate = None
    units: Units


# Properties to receive on creating or editing a template; its sites are
# checked row by row
class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=500)
    # The product whose units the doses are written in, by its catalogue code.
    product: str = Field(min_length=1, max_length=32)

    _stripped_name = field_validator("name", mode="before")(strip_text)
    _blank_description = field_validator("description", mode="before")(strip_or_none)


def invalid(fields: dict[str, str]) -> InvalidInput:
    """Say that some of a template's fields need correcting, naming them."""
    return InvalidInput("Some fields need correcting.", fields=fields)


def validate_template(
    face_map: FaceMap, data: dict[str, Any]
) -> tuple[TemplateIn, list[dict[str, Any]]]:
    """Check a template's fields, then each site, then each site on the face map.

    Every row is checked, so one answer names every field that needs correcting.

    :return: the checked name and description, and the sites as they are stored.
    """
    errors: dict[str, str] = {}
    template: TemplateIn | None = None
    try:
        template = TemplateIn.model_validate(
            {
                "name": data["name"],
                "description": data["description"],
                "product": data["product"],
            }
        )
    except ValidationError as exc:
        errors.update(field_errors(exc))
    # PostgreSQL text cannot hold NUL: refuse it here, not as a failed write.
    texts = {"name": data["name"], "description": data["description"]}
    for field, reason in nul_fields(texts).items():
        errors.setdefault(field, reason)
    rows = data["sites"]
    if not rows:
        errors["sites"] = "need at least one: choose a muscle in a row"
    elif len(rows) > MAX_SITES:
        errors["sites"] = f"may number at most {MAX_SITES}"
    stored: list[dict[str, Any]] = []
    turns: dict[tuple[str, Side], int] = {}
    for index, row in enumerate(rows[:MAX_SITES]):
        try:
            site = TemplateSiteIn.model_validate(row)
        except ValidationError as exc:
            errors.update(
                {f"sites.{index}.{k}": v for k, v in field_errors(exc).items()}
            )
            continue
        placed = _place_on_map(face_map, site, turns)
        if isinstance(placed, tuple):
            errors[f"sites.{index}.{placed[0]}"] = placed[1]
        else:
            stored.append(placed)
    if errors or template is None:
        raise invalid(errors)
    return template, stored


def _place_on_map(
    face_map: FaceMap, site: TemplateSiteIn, turns: dict[tuple[str, Side], int]
) -> dict[str, Any] | tuple[str, str]:
    """Check one site on the face map; return it as stored, or (field, problem).

    A site without a point gets its muscle's reference point on the side its
    role implies; several such sites on one muscle take its points in turn.
    """
    try:
        muscle = face_map.muscle(site.muscle)
    except KeyError:
        return "muscle", "is not a muscle on the face map"
    side = ROLE_SIDES[site.role]
    if muscle.midline and site.role != SiteRole.MIDLINE:
        return "role", f"must be midline: the {muscle.name} is a single midline muscle"
    # A paired muscle may also have a central point (the mentalis).
    if side not in muscle.sides:
        return "role", (
            f"must be affected or contralateral: the {muscle.name} has a left and "
            "a right side"
        )
    if site.x is None or site.y is None:
        points = reference_points(face_map, muscle, side)
        turn = turns.get((muscle.code, side), 0)
        turns[(muscle.code, side)] = turn + 1
        x, y = (float(value) for value in points[turn % len(points)])
    else:
        x, y = site.x, site.y
        problem = _point_problem(face_map, x, y, muscle.code, side)
        if problem:
            return "point", problem
    return {
        "muscle": muscle.code,
        "role": site.role.value,
        "x": x,
        "y": y,
        "units": site.units,
    }


def _point_problem(
    face_map: FaceMap, x: float, y: float, muscle: str, side: Side
) -> str | None:
    """Say why (x, y) would not chart this muscle on this side, if it would not."""
    hit = hit_test(face_map, x, y)
    if hit is not None and hit.muscle == muscle and hit.side == side:
        return None
    expected = f"the {face_map.muscle(muscle).name} ({SIDE_NAMES[side]})"
    if hit is None:
        found = "not on any muscle"
    else:
        found = f"on the {face_map.muscle(hit.muscle).name} ({SIDE_NAMES[hit.side]})"
    return (
        f"({x:g}, {y:g}) is {found}, not {expected}; clear x and y to use the "
        "muscle's reference point"
    )
