"""Protocol templates: a clinic's named sets of sites and doses to start a chart from.

Sites are stored relative to the palsy, not to the patient's anatomy: each has a
``role`` (affected, contralateral or midline) and a point drawn as if the
AFFECTED side were the patient's RIGHT (the viewer's left, x below the midline).
``place_template_sites`` turns them into anatomical sites for one patient and
``template_from_session_sites`` does the reverse.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Annotated
from typing import Any
from typing import NamedTuple
from typing import Protocol

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.errors import StaleWrite
from planner.facemap import MIDLINE_X
from planner.facemap import FaceMap
from planner.facemap import Side
from planner.facemap import hit_test
from planner.facemap import reference_points
from planner.models import AffectedSide
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import ProtocolTemplate
from planner.models import SiteRole
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.settings import to_number
from planner.validation import field_errors
from planner.validation import nul_fields

MIN_UNITS = 0.25
MAX_UNITS = 100.0
MAX_SITES = 80

# Where each role sits when the affected side is drawn as the patient's right.
ROLE_SIDES: dict[SiteRole, Side] = {
    SiteRole.AFFECTED: "right",
    SiteRole.CONTRALATERAL: "left",
    SiteRole.MIDLINE: "midline",
}

_MIRRORED: dict[Side, Side] = {"right": "left", "left": "right", "midline": "midline"}

SIDE_NAMES: dict[Side, str] = {
    "right": "patient's right",
    "left": "patient's left",
    "midline": "midline",
}


def _units(value: float) -> float:
    if not MIN_UNITS <= value <= MAX_UNITS:
        raise ValueError(f"must be between {MIN_UNITS:g} and {MAX_UNITS:g} units")
    return value


def _blank_as_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return to_number(value)


Units = Annotated[float, BeforeValidator(to_number), AfterValidator(_units)]
Coordinate = Annotated[float | None, BeforeValidator(_blank_as_none)]


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

    @field_validator("name", mode="before")
    @classmethod
    def _strip_name(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("description", mode="before")
    @classmethod
    def _blank_description(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value


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
    side = AffectedSide(affected_side)
    return side == AffectedSide.LEFT


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
    mirror = _mirrors(affected_side)
    placed: list[PlacedSite] = []
    for site in template_sites:
        side = ROLE_SIDES[SiteRole(site["role"])]
        x = float(site["x"])
        if mirror:
            x = 2 * midline_x - x
            side = _MIRRORED[side]
        placed.append(
            PlacedSite(site["muscle"], side, x, float(site["y"]), float(site["units"]))
        )
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
    mirror = _mirrors(affected_side)
    affected: Side = "left" if mirror else "right"
    template: list[dict[str, Any]] = []
    for site in sites:
        side = str(site.side)
        if side == "midline":
            role = SiteRole.MIDLINE
        elif side == affected:
            role = SiteRole.AFFECTED
        else:
            role = SiteRole.CONTRALATERAL
        x = 2 * midline_x - site.x if mirror else site.x
        template.append(
            {
                "muscle": site.muscle,
                "role": role.value,
                "x": round(float(x), 2),
                "y": round(float(site.y), 2),
                "units": float(site.units),
            }
        )
    return template


def _invalid(fields: dict[str, str]) -> InvalidInput:
    return InvalidInput("Some fields need correcting.", fields=fields)


def _name_taken() -> InvalidInput:
    return _invalid({"name": "is already used by another template"})


def _validate(
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
            {"name": data["name"], "description": data["description"]}
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
        raise _invalid(errors)
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
    if not muscle.midline and site.role == SiteRole.MIDLINE:
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


def _check_name_free(
    session: Session, name: str, template_id: int | None = None
) -> None:
    statement = select(ProtocolTemplate.id).where(
        func.lower(ProtocolTemplate.name) == name.lower()
    )
    if template_id is not None:
        statement = statement.where(col(ProtocolTemplate.id) != template_id)
    if session.exec(statement).first() is not None:
        raise _name_taken()


def list_templates(session: Session) -> list[ProtocolTemplate]:
    """Return every template, by name."""
    return list(
        session.exec(
            select(ProtocolTemplate).order_by(
                func.lower(ProtocolTemplate.name), col(ProtocolTemplate.id)
            )
        ).all()
    )


def get_template(session: Session, template_id: int) -> ProtocolTemplate:
    """Return one template, or raise NotFound."""
    template = session.get(ProtocolTemplate, template_id)
    if template is None:
        raise NotFound(f"There is no protocol template {template_id}.")
    return template


def create_template(
    session: Session,
    actor: Actor,
    *,
    face_map: FaceMap,
    name: str,
    description: str | None,
    sites: Sequence[Mapping[str, Any]],
) -> ProtocolTemplate:
    """Validate and save a new template.

    :param sites: ``{"muscle", "role", "x", "y", "units"}`` each, the point drawn
        with the affected side on the patient's right; x and y may be blank.
    :raises InvalidInput: naming ``name``, ``description``, ``sites`` or
        ``sites.<n>.<muscle|role|units|x|y|point>``.
    """
    if actor.user_id is None:
        raise Forbidden("Templates are saved by a logged-in user.")
    data, stored = _validate(
        face_map,
        {"name": name, "description": description, "sites": [dict(s) for s in sites]},
    )
    _check_name_free(session, data.name)
    template = ProtocolTemplate(
        name=data.name,
        description=data.description,
        sites=stored,
        created_by_id=actor.user_id,
    )
    session.add(template)
    try:
        session.flush()
    except IntegrityError:
        # Two templates of one name raced past the check above.
        session.rollback()
        raise _name_taken() from None
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "protocol_template",
        template.id,
        after=snapshot(template),
    )
    session.commit()
    return template


def _stale() -> StaleWrite:
    return StaleWrite(
        "Someone else changed this template while you were editing. "
        "Reload to see their changes, then make yours again."
    )


def _expected_version(version: int | str) -> int:
    try:
        expected = int(version)
    except (TypeError, ValueError):
        expected = 0
    if expected < 1:
        raise _invalid({"version": "is missing; reload the page and try again"})
    return expected


def update_template(
    session: Session,
    actor: Actor,
    template_id: int,
    *,
    face_map: FaceMap,
    name: str,
    description: str | None,
    sites: Sequence[Mapping[str, Any]],
    version: int | str,
) -> ProtocolTemplate:
    """Save an edit made against ``version``; refuse it if that is stale."""
    expected = _expected_version(version)
    template = get_template(session, template_id)
    data, stored = _validate(
        face_map,
        {"name": name, "description": description, "sites": [dict(s) for s in sites]},
    )
    _check_name_free(session, data.name, template_id)
    before = snapshot(template)
    try:
        result = session.execute(
            update(ProtocolTemplate)
            .where(
                col(ProtocolTemplate.id) == template_id,
                col(ProtocolTemplate.version) == expected,
            )
            .values(
                name=data.name,
                description=data.description,
                sites=stored,
                version=expected + 1,
            )
        )
    except IntegrityError:
        session.rollback()
        raise _name_taken() from None
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        session.rollback()
        raise _stale()
    session.refresh(template)
    old, new = changed_fields(before, snapshot(template))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "protocol_template",
        template.id,
        before=old,
        after=new,
    )
    session.commit()
    return template


def delete_template(
    session: Session, actor: Actor, template_id: int, *, version: int | str
) -> None:
    """Delete a template as it was at ``version``; refuse it if that is stale."""
    expected = _expected_version(version)
    template = get_template(session, template_id)
    before = snapshot(template)
    result = session.execute(
        delete(ProtocolTemplate).where(
            col(ProtocolTemplate.id) == template_id,
            col(ProtocolTemplate.version) == expected,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        session.rollback()
        raise _stale()
    session.expunge(template)
    record_event(
        session,
        actor,
        AuditAction.DELETE,
        "protocol_template",
        template_id,
        before=before,
    )
    session.commit()


def save_session_as_template(
    session: Session,
    actor: Actor,
    *,
    face_map: FaceMap,
    treatment_session_id: int,
    name: str,
    description: str | None = None,
) -> ProtocolTemplate:
    """Save a charted session's sites as a new template, relative to the palsy."""
    treatment = session.get(TreatmentSession, treatment_session_id)
    if treatment is None:
        raise NotFound(f"There is no treatment session {treatment_session_id}.")
    patient = session.get(Patient, treatment.patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {treatment.patient_id}.")
    sites = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == treatment_session_id)
        .order_by(col(InjectionSite.number))
    ).all()
    return create_template(
        session,
        actor,
        face_map=face_map,
        name=name,
        description=description,
        sites=template_from_session_sites(sites, patient.affected_side),
    )
