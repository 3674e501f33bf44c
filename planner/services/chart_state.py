"""Everything the chart shows: sites, totals, volumes, warnings, last cycle, map."""

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.facemap import FaceMap
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.models import Amendment
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services import protocols
from planner.services import safety
from planner.services.chart_prefill import last_cycle_sites
from planner.services.sessions import get_session_record

STEP_UNITS = 0.25
GHOST_COLOUR = "#767676"


def default_units(session: Session) -> Any:
    """Return a function giving the tap default for a muscle, in the product's units.

    It reads the one setting it needs, and only when a tap carries no dose; it gives
    None where the product has no default of its own (the clinician enters one).
    """

    def lookup(muscle: str, _side: object, product_code: str) -> float | None:
        return safety.default_dose(session, product_code, muscle)

    return lookup


def _warnings(
    session: Session, record: TreatmentSession, zone: ZoneInfo, now: datetime
) -> list[dict[str, Any]]:
    if record.status == SessionStatus.SIGNED:
        return list(record.warnings)
    return safety.as_records(safety.check_chart(session, record, zone=zone, now=now))


def _site_json(
    site: InjectionSite, face_map: FaceMap, lot: VialLot | None
) -> dict[str, Any]:
    muscle = face_map.muscle(site.muscle)
    draw = (
        None
        if lot is None
        else dosing.syringe_draw(site.units, lot.vial_units, lot.diluent_ml)
    )
    return {
        "id": site.id,
        "number": site.number,
        "muscle": site.muscle,
        "muscle_name": muscle.name,
        "abbreviation": muscle.abbreviation,
        "side": site.side.value,
        "role": site.role.value,
        "x": site.x,
        "y": site.y,
        "units": site.units,
        "volume_ml": None if draw is None else round(draw.volume_ml, 4),
        "marks": None if draw is None else round(draw.marks, 2),
        # The one format of the chair, the record and the API (0.001 mL, 0.1 mark).
        "draw_text": None if draw is None else dosing.format_draw(draw),
        "version": site.version,
    }


def _totals(sites: list[dict[str, Any]], lot: VialLot | None) -> dict[str, Any]:
    by_muscle: dict[tuple[str, str], dict[str, Any]] = {}
    by_side: dict[str, float] = defaultdict(float, left=0.0, right=0.0, midline=0.0)
    for site in sites:
        key = (site["muscle"], site["side"])
        entry = by_muscle.setdefault(
            key,
            {
                "muscle": site["muscle"],
                "muscle_name": site["muscle_name"],
                "side": site["side"],
                "units": 0.0,
            },
        )
        entry["units"] += site["units"]
        by_side[site["side"]] += site["units"]
    units = sum(site["units"] for site in sites)
    return {
        "units": units,
        "volume_ml": None
        if lot is None
        else round(dosing.volume_ml(units, lot.vial_units, lot.diluent_ml), 4)
        if units
        else 0.0,
        "vials_used": None if lot is None else dosing.vials_used(units, lot.vial_units),
        "by_muscle": list(by_muscle.values()),
        "by_side": dict(by_side),
    }


def _changes(
    today: list[dict[str, Any]], previous: list[InjectionSite]
) -> list[dict[str, Any]]:
    """List each muscle and side whose dose differs from last cycle's, if any."""
    if not previous:
        return []
    before: dict[tuple[str, str], float] = defaultdict(float)
    after: dict[tuple[str, str], float] = defaultdict(float)
    for site in previous:
        before[(site.muscle, site.side.value)] += site.units
    for entry in today:
        after[(entry["muscle"], entry["side"])] += entry["units"]
    return [
        {
            "muscle": m,
            "side": s,
            "before": before.get((m, s), 0.0),
            "after": after.get((m, s), 0.0),
        }
        for m, s in sorted(set(before) | set(after))
        if before.get((m, s), 0.0) != after.get((m, s), 0.0)
    ]


def _amendments(
    session: Session, session_id: int | None, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """List the corrections made to a signed session, oldest first, with authors."""
    rows = session.exec(
        select(Amendment, User.name)
        .join(User, col(User.id) == col(Amendment.author_id))
        .where(Amendment.session_id == session_id)
        .order_by(col(Amendment.created_at), col(Amendment.id))
    ).all()
    return [
        {
            "at": amendment.created_at.astimezone(zone).isoformat(),
            "author": author,
            "reason": amendment.reason,
            "note": amendment.changes.get("note"),
            "sites": amendment.changes.get("sites", []),
        }
        for amendment, author in rows
    ]


def chart_state(
    session: Session,
    session_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    """Assemble the chart's whole state as JSON-ready values."""
    record = get_session_record(session, session_id)
    patient = session.get(Patient, record.patient_id)
    product = session.get(Product, record.product_id)
    assert patient is not None
    assert product is not None
    lot = session.get(VialLot, record.vial_lot_id) if record.vial_lot_id else None
    rows = list(
        session.exec(
            select(InjectionSite)
            .where(InjectionSite.session_id == session_id)
            .order_by(col(InjectionSite.number))
        )
    )
    sites = [_site_json(site, face_map, lot) for site in rows]
    previous = last_cycle_sites(session, record) if record.kind == "full" else []
    signer = session.get(User, record.signed_by_id) if record.signed_by_id else None
    svg = render_face_map(
        face_map,
        sites=[
            Site(s.number, s.x, s.y, s.units, product.colour, f"{s.units:g} U")
            for s in rows
        ],
        ghosts=[Site(0, s.x, s.y, s.units, GHOST_COLOUR) for s in previous],
        highlight={(s.muscle, s.side.value) for s in rows},
        title=f"Injection sites, {patient.full_name}",
    )
    return {
        "session": {
            "id": record.id,
            "patient_id": record.patient_id,
            "kind": record.kind.value,
            "cycle_number": record.cycle_number,
            "status": record.status.value,
            "version": record.version,
            "performed_at": record.performed_at.astimezone(zone).isoformat(),
            "product": {
                "code": product.code,
                "brand": product.brand,
                "unit_name": product.unit_name,
                "colour": product.colour,
            },
            "lot": None
            if lot is None
            else {
                "id": lot.id,
                "lot_number": lot.lot_number,
                "expiry_date": lot.expiry_date.isoformat(),
                "vial_units": lot.vial_units,
                "diluent_ml": lot.diluent_ml,
                "units_per_tenth_ml": dosing.units_per_tenth_ml(
                    lot.vial_units, lot.diluent_ml
                ),
                "reconstituted_at": None
                if lot.reconstituted_at is None
                else lot.reconstituted_at.astimezone(zone).isoformat(),
            },
            "signed_at": None
            if record.signed_at is None
            else record.signed_at.astimezone(zone).isoformat(),
            "signed_by": None if signer is None else signer.name,
            "consent_obtained": record.consent_obtained,
        },
        "patient": {
            "id": patient.id,
            "name": patient.full_name,
            "mrn": patient.mrn,
            "affected_side": patient.affected_side.value,
        },
        "sites": sites,
        "totals": _totals(sites, lot),
        "warnings": _warnings(session, record, zone, now),
        "last_cycle": [
            {
                "muscle": s.muscle,
                "side": s.side.value,
                "x": s.x,
                "y": s.y,
                "units": s.units,
            }
            for s in previous
        ],
        "changes": _changes(sites, previous),
        "svg": svg,
        "amendments": _amendments(session, record.id, zone),
        "templates": [
            {
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "sites": len(t.sites),
            }
            for t in protocols.list_templates(session, product_id=record.product_id)
        ],
        "step_units": STEP_UNITS,
        "min_units": STEP_UNITS,
        "max_units": 400,
        "muscles": [
            {
                "code": m.code,
                "name": m.name,
                "abbreviation": m.abbreviation,
                "sides": ["midline"] if m.midline else ["right", "left"],
            }
            for m in face_map.muscles
        ],
    }
