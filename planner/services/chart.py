"""Charting at the chair: place, change, move and remove injection sites.

Each change is one unit of work: the session's version is claimed first (the
optimistic lock), then the site is written and audited, then committed.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import tzinfo
from typing import Any
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select as select_core
from sqlalchemy import update
from sqlmodel import Session

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.facemap import FaceMap
from planner.facemap import Miss
from planner.facemap import reference_points
from planner.facemap import tap_target
from planner.models import AffectedSide
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import Side
from planner.models import SiteRole
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import json_safe
from planner.services.audit import write_event
from planner.services.audited_rows import delete_audited
from planner.services.chart_requests import SiteCreate
from planner.services.chart_requests import SiteUpdate
from planner.services.chart_requests import VersionOnly
from planner.services.sessions import claim_version
from planner.services.site_numbers import restored_number
from planner.services.site_vials import own_vial
from planner.services.treated_sites import refuse_treated_muscle
from planner.validation import parse_input
from planner.vocabulary import role_for


def _locate(face_map: FaceMap, x: float, y: float) -> tuple[str, Side]:
    # A no-go zone, the midline of a paired muscle or no muscle: says which.
    hit = tap_target(face_map, x, y)
    if isinstance(hit, Miss):
        raise InvalidInput(hit.message, fields={"x": hit.field})
    return hit.muscle, Side(hit.side)


def _at_reference(face_map: FaceMap, muscle: str, side: Side) -> tuple[float, float]:
    try:
        entry = face_map.muscle(muscle)
    except KeyError:
        raise InvalidInput(
            "Unknown muscle.", fields={"muscle": "is not on the map"}
        ) from None
    if side.value not in entry.sides:
        *others, last = entry.sides
        wanted = f"{', '.join(others)} or {last}" if others else last
        raise InvalidInput(
            "Wrong side.", fields={"side": f"must be {wanted} for this muscle"}
        )
    point = reference_points(face_map, entry, side.value)[0]
    return float(point[0]), float(point[1])


_SITES = InjectionSite.__table__  # type: ignore[attr-defined]  # set by SQLModel
_PATIENTS = Patient.__table__  # type: ignore[attr-defined]  # set by SQLModel
_PRODUCTS = Product.__table__  # type: ignore[attr-defined]  # set by SQLModel
_SESSIONS = TreatmentSession.__table__  # type: ignore[attr-defined]  # set by SQLModel
# Built once: a tap runs these every time, and building them cost more than
# running them.
_SIDE_AND_NUMBER = select_core(
    _PATIENTS.c.affected_side,
    select_core(func.coalesce(func.max(_SITES.c.number), 0))
    .where(_SITES.c.session_id == bindparam("sid"))
    .scalar_subquery(),
    select_core(_PRODUCTS.c.code)
    .join(_SESSIONS, _SESSIONS.c.product_id == _PRODUCTS.c.id)
    .where(_SESSIONS.c.id == bindparam("sid"))
    .scalar_subquery(),
    select_core(_PRODUCTS.c.brand)
    .join(_SESSIONS, _SESSIONS.c.product_id == _PRODUCTS.c.id)
    .where(_SESSIONS.c.id == bindparam("sid"))
    .scalar_subquery(),
    select_core(_SESSIONS.c.vial_lot_id)
    .where(_SESSIONS.c.id == bindparam("sid"))
    .scalar_subquery(),
).where(_PATIENTS.c.id == bindparam("pid"))
_INSERT_SITE = insert(_SITES).returning(_SITES.c.id)
_SITE_ROW = select_core(_SITES).where(
    _SITES.c.id == bindparam("site_id"), _SITES.c.session_id == bindparam("sid")
)
_UPDATE_SITE = update(_SITES).where(_SITES.c.id == bindparam("site_id"))


@dataclass(frozen=True)
class SiteRow:
    """A charted site as written, returned to the caller after a change."""

    id: int
    session_id: int
    number: int
    muscle: str
    side: Side
    role: SiteRole
    x: float
    y: float
    # None until the clinician enters the dose (see InjectionSite.units).
    units: float | None
    version: int
    unset_reason: str | None = None


class ChartPosition(NamedTuple):
    """What a new site needs to know: the palsied side, its number, the product
    and the vial in use, which the site is drawn from."""

    affected: AffectedSide
    number: int
    product_code: str
    product_brand: str
    vial_lot_id: int | None


def side_and_next_number(
    session: Session, session_id: int, patient_id: int
) -> ChartPosition:
    """Read the palsied side, the next site number, the product and the vial in
    use in one query."""
    side, number, product_code, brand, vial_lot_id = (
        session.connection()
        .execute(_SIDE_AND_NUMBER, {"sid": session_id, "pid": patient_id})
        .one()
    )
    return ChartPosition(
        AffectedSide(side), int(number) + 1, product_code, brand, vial_lot_id
    )


def add_site(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    face_map: FaceMap,
    default_units: Any,
    zone: tzinfo,
    now: datetime | None = None,
) -> tuple[int, SiteRow]:
    """Chart a site where the clinician tapped; return the new version and the site.

    ``default_units(muscle, side, product_code)`` gives the dose, in the product's
    own units, when the tap carries none; where it has none, the site is charted
    with its dose unset, for the clinician to enter (no other product's figure).
    ``units`` sent as null charts it unset whatever the default (an undo putting
    back a site that had no dose), with the ``unset_reason`` it had. A site put
    back keeps its ``vial_lot_id``, one of the chart's own vials (``own_vial``);
    any other site is drawn from the vial in use; and its ``number``, while free.
    """
    request: SiteCreate = parse_input(SiteCreate, data)
    now = now or utc_now()
    if request.x is not None and request.y is not None:
        x, y = request.x, request.y
        muscle, side = _locate(face_map, x, y)
    else:
        assert request.muscle is not None
        assert request.side is not None
        muscle, side = request.muscle, request.side
        x, y = _at_reference(face_map, muscle, side)
    refuse_treated_muscle(
        session,
        session_id,
        muscle,
        side,
        confirmed=request.confirm_treated_muscle,
        zone=zone,
    )
    own = None
    if request.vial_lot_id is not None:
        own = own_vial(session, session_id, request.vial_lot_id)
    version, patient_id = claim_version(session, session_id, request.version, now=now)
    affected, number, product_code, brand, vial_lot_id = side_and_next_number(
        session, session_id, patient_id
    )
    if request.number is not None:
        number = restored_number(session, session_id, patient_id, request.number)
    units = request.units
    reason = None
    if request.dose_left_unset:
        reason = request.unset_reason or f"Dose not entered: enter it in {brand} units"
    elif units is None:
        units = default_units(muscle, side, product_code)
        if units is None:
            reason = (
                f"No {brand} default for this muscle: enter the dose in {brand} units"
            )
    row = {
        "session_id": session_id,
        "number": number,
        "muscle": muscle,
        "side": side,
        "role": role_for(side, affected),
        "x": round(x, 2),
        "y": round(y, 2),
        "units": units,
        "unset_reason": reason,
        "depth": None,
        "note": None,
        "vial_lot_id": vial_lot_id if own is None else own,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    site_id = session.connection().execute(_INSERT_SITE, row).scalar_one()
    write_event(
        session,
        actor,
        AuditAction.CREATE,
        "injection_site",
        site_id,
        at=now,
        patient_id=patient_id,
        after=json_safe({"id": site_id, **row}),
    )
    session.commit()
    return version, _site_row(site_id, row)


def _site_row(site_id: int, row: dict[str, Any]) -> SiteRow:
    return SiteRow(
        id=site_id,
        session_id=row["session_id"],
        number=row["number"],
        muscle=row["muscle"],
        side=Side(row["side"]),
        role=SiteRole(row["role"]),
        x=row["x"],
        y=row["y"],
        units=row["units"],
        version=row["version"],
        unset_reason=row["unset_reason"],
    )


def _site_of(session: Session, session_id: int, site_id: int) -> InjectionSite:
    site = session.get(InjectionSite, site_id)
    if site is None or site.session_id != session_id:
        raise NotFound(f"There is no site {site_id} on this session.")
    return site


def update_site(
    session: Session,
    actor: Actor,
    session_id: int,
    site_id: int,
    data: Any,
    *,
    face_map: FaceMap,
    zone: tzinfo,
    now: datetime | None = None,
) -> tuple[int, SiteRow]:
    """Change a site's dose, or move it (which detects its muscle and side again)."""
    request: SiteUpdate = parse_input(SiteUpdate, data)
    now = now or utc_now()
    found = (
        session.connection()
        .execute(_SITE_ROW, {"site_id": site_id, "sid": session_id})
        .mappings()
        .first()
    )
    if found is None:
        raise NotFound(f"There is no site {site_id} on this session.")
    moved: tuple[str, Side] | None = None
    if request.x is not None and request.y is not None:
        moved = _locate(face_map, request.x, request.y)
        if (found["muscle"], found["side"]) != moved:
            refuse_treated_muscle(
                session,
                session_id,
                *moved,
                confirmed=request.confirm_treated_muscle,
                zone=zone,
            )
    # Once the version is claimed nobody else can change the chart, so the row
    # read above is still the row (any change since would have moved the version).
    version, patient_id = claim_version(session, session_id, request.version, now=now)
    before = dict(found)
    changes: dict[str, Any] = {"version": before["version"] + 1, "updated_at": now}
    if request.units is not None:
        changes.update(units=request.units, unset_reason=None)
    if moved is not None and request.x is not None and request.y is not None:
        affected = side_and_next_number(session, session_id, patient_id).affected
        changes.update(
            muscle=moved[0],
            side=moved[1],
            role=role_for(moved[1], affected),
            x=round(request.x, 2),
            y=round(request.y, 2),
        )
    session.connection().execute(_UPDATE_SITE.values(**changes), {"site_id": site_id})
    after = {**before, **changes}
    keys = [k for k in changes if k != "updated_at" and before.get(k) != after[k]]
    write_event(
        session,
        actor,
        AuditAction.UPDATE,
        "injection_site",
        site_id,
        at=now,
        patient_id=patient_id,
        before=json_safe({k: before[k] for k in keys}),
        after=json_safe({k: after[k] for k in keys}),
    )
    session.commit()
    return version, _site_row(site_id, after)


def delete_site(
    session: Session,
    actor: Actor,
    session_id: int,
    site_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> int:
    """Remove a site from a draft chart; an undo may put it back under its number."""
    request: VersionOnly = parse_input(VersionOnly, data)
    now = now or utc_now()
    _site_of(session, session_id, site_id)
    version, patient_id = claim_version(session, session_id, request.version, now=now)
    site = _site_of(session, session_id, site_id)
    delete_audited(session, actor, site, "injection_site", patient_id=patient_id)
    session.commit()
    return version
