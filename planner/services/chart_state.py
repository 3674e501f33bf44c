"""Everything the chart shows: sites, totals, volumes, warnings, last cycle, map.

Built once as a typed :class:`ChartState` (see ``chart_state_models``) that the
chart page, the chart API and the printed record all read.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.facemap import FaceMap
from planner.facemap import Muscle
from planner.facemap import edition_for
from planner.models import Amendment
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services import clinical_flags
from planner.services import protocols
from planner.services import safety
from planner.services.chart_map import chart_svg
from planner.services.chart_map import products_of
from planner.services.chart_prefill import last_cycle_sites
from planner.services.chart_prefill import session_products
from planner.services.chart_requests import MAX_UNITS
from planner.services.chart_state_models import AmendmentInfo
from planner.services.chart_state_models import ChartSite
from planner.services.chart_state_models import ChartState
from planner.services.chart_state_models import ChartWarning
from planner.services.chart_state_models import DoseChange
from planner.services.chart_state_models import LastCycleSite
from planner.services.chart_state_models import MapInfo
from planner.services.chart_state_models import MuscleChoice
from planner.services.chart_state_models import MuscleTotal
from planner.services.chart_state_models import PatientInfo
from planner.services.chart_state_models import ProductInfo
from planner.services.chart_state_models import SessionInfo
from planner.services.chart_state_models import SideTotals
from planner.services.chart_state_models import SiteCorrection
from planner.services.chart_state_models import TemplateChoice
from planner.services.chart_state_models import Totals
from planner.services.chart_state_models import TreatedMuscleInfo
from planner.services.chart_state_models import VialUseInfo
from planner.services.chart_vials import chart_lots
from planner.services.chart_vials import lot_info
from planner.services.chart_vials import vial_uses
from planner.services.chart_vials import vials_used
from planner.services.chart_vials import volume_ml
from planner.services.charted_products import chartable
from planner.services.charted_products import require_chartable
from planner.services.dose_rules import default_dose
from planner.services.sessions import get_session_record
from planner.services.treated_sites import treated_for_record
from planner.services.warning_reasons import amended_warnings
from planner.services.warning_reasons import standing_warnings


def default_units(session: Session) -> Any:
    """Return a function giving the tap default for a muscle, in the product's units.

    It reads the one setting it needs, and only when a tap carries no dose; it gives
    None where the product has no default of its own (the clinician enters one).
    """

    def lookup(muscle: str, _side: object, product_code: str) -> float | None:
        return default_dose(session, product_code, muscle)

    return lookup


def _warnings(
    session: Session, record: TreatmentSession, zone: ZoneInfo, now: datetime
) -> list[ChartWarning]:
    """Return a signed record's warnings as they stand after its amendments, or
    a draft's checks as of now."""
    if record.status == SessionStatus.SIGNED:
        assert record.id is not None
        kept = standing_warnings(record.warnings, amended_warnings(session, record.id))
    else:
        found = safety.check_chart(session, record, zone=zone, now=now)
        kept = safety.as_records(found)
    return [ChartWarning.model_validate(entry) for entry in kept]


def _site(site: InjectionSite, face_map: FaceMap, lot: VialLot | None) -> ChartSite:
    assert site.id is not None
    muscle = face_map.muscle(site.muscle)
    draw = (
        None
        if lot is None or site.units is None
        else dosing.syringe_draw(site.units, lot.vial_units, lot.diluent_ml)
    )
    return ChartSite(
        id=site.id,
        number=site.number,
        muscle=site.muscle,
        muscle_name=muscle.name,
        abbreviation=muscle.abbreviation,
        side=site.side,
        role=site.role,
        x=site.x,
        y=site.y,
        units=site.units,
        unset_reason=site.unset_reason,
        volume_ml=None if draw is None else round(draw.volume_ml, 4),
        marks=None if draw is None else round(draw.marks, 2),
        vial_lot_id=site.vial_lot_id,
        draw_text=None if draw is None else dosing.format_draw(draw),
        version=site.version,
        guidance=muscle.guidance,
        caution=muscle.caution,
    )


def _totals(sites: list[ChartSite], lots: dict[int, VialLot]) -> Totals:
    """Add up the sites whose dose is entered; ``unset`` counts those still empty.

    Volumes and vials are counted per vial, each at its own dilution and size.
    """
    by_muscle: dict[tuple[str, str], tuple[ChartSite, float]] = {}
    by_side: dict[str, float] = defaultdict(float)
    units = 0.0
    by_vial: dict[int | None, float] = defaultdict(float)
    for site in sites:
        if site.units is None:
            continue
        by_vial[site.vial_lot_id] += site.units
        key = (site.muscle, site.side)
        first, added = by_muscle.get(key, (site, 0.0))
        by_muscle[key] = (first, added + site.units)
        by_side[site.side] += site.units
        units += site.units
    return Totals(
        units=units,
        unset=sum(site.units is None for site in sites),
        volume_ml=volume_ml(by_vial, lots),
        vials_used=vials_used(by_vial, lots),
        by_muscle=[
            MuscleTotal(
                muscle=site.muscle,
                muscle_name=site.muscle_name,
                side=site.side,
                units=added,
            )
            for site, added in by_muscle.values()
        ],
        by_side=SideTotals.model_validate(by_side),
    )


def _last_cycle(session: Session, previous: list[InjectionSite]) -> list[LastCycleSite]:
    """List the last cycle's sites, each dose with the code of its product."""
    given = products_of(session, previous)
    return [
        LastCycleSite(
            muscle=s.muscle,
            side=s.side,
            x=s.x,
            y=s.y,
            units=s.units,
            product=given[s.session_id].code,
        )
        for s in previous
    ]


def _changes(
    session: Session,
    record: TreatmentSession,
    today: list[ChartSite],
    previous: list[InjectionSite],
) -> list[DoseChange]:
    """List each muscle and side whose dose differs from last cycle's, if any.

    Only against a last cycle whose full treatment was in today's product, and
    only its sessions in that product: units of two products are never compared
    nor added (a top-up in another product is left out, as the dose-change check
    leaves it). A muscle with a dose still to enter today is left out until it
    has one.
    """
    ids = {site.session_id for site in previous}
    full = session.exec(
        select(TreatmentSession.product_id).where(
            col(TreatmentSession.id).in_(ids), TreatmentSession.kind == "full"
        )
    ).first()
    if full != record.product_id:
        return []
    products = session_products(session, ids)
    before: dict[tuple[str, str], float] = defaultdict(float)
    after: dict[tuple[str, str], float] = defaultdict(float)
    pending = {(site.muscle, site.side) for site in today if site.units is None}
    for old in previous:
        if products[old.session_id][0] == record.product_id:
            before[(old.muscle, old.side.value)] += old.units or 0.0
    for site in today:
        after[(site.muscle, site.side)] += site.units or 0.0
    return [
        DoseChange.model_validate(
            {
                "muscle": m,
                "side": s,
                "before": before.get((m, s), 0.0),
                "after": after.get((m, s), 0.0),
            }
        )
        for m, s in sorted(set(before) | set(after))
        if before.get((m, s), 0.0) != after.get((m, s), 0.0) and (m, s) not in pending
    ]


def _templates(session: Session, record: TreatmentSession) -> list[TemplateChoice]:
    """List the templates, today's product's first; the others bring no doses."""
    brands = dict(session.exec(select(Product.id, Product.brand)).all())
    listed = [
        TemplateChoice(
            id=t.id,
            name=t.name,
            description=t.description,
            sites=len(t.sites),
            product=brands.get(t.product_id) if t.product_id else None,
            doses_carried=t.product_id == record.product_id,
        )
        for t in protocols.list_templates(session)
        if t.id is not None
    ]
    return sorted(listed, key=lambda t: not t.doses_carried)


def _amendments(
    session: Session, session_id: int | None, zone: ZoneInfo
) -> list[AmendmentInfo]:
    """List the corrections made to a signed session, oldest first, with authors."""
    rows = session.exec(
        select(Amendment, User.name)
        .join(User, col(User.id) == col(Amendment.author_id))
        .where(Amendment.session_id == session_id)
        .order_by(col(Amendment.created_at), col(Amendment.id))
    ).all()
    return [
        AmendmentInfo(
            at=amendment.created_at.astimezone(zone),
            author=author,
            reason=amendment.reason,
            note=amendment.changes.get("note"),
            sites=[
                SiteCorrection.model_validate(entry)
                for entry in amendment.changes.get("sites", [])
            ],
        )
        for amendment, author in rows
    ]


def _session_info(
    session: Session,
    record: TreatmentSession,
    product: Product,
    lot: VialLot | None,
    vials: list[VialUseInfo],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> SessionInfo:
    assert record.id is not None
    signer = session.get(User, record.signed_by_id) if record.signed_by_id else None
    treated_at = safety.treatment_time(record, now, zone).astimezone(zone)
    return SessionInfo(
        id=record.id,
        patient_id=record.patient_id,
        kind=record.kind,
        cycle_number=record.cycle_number,
        status=record.status,
        version=record.version,
        performed_at=record.performed_at.astimezone(zone),
        treatment_time=treated_at,
        treatment_time_input=f"{treated_at:%Y-%m-%dT%H:%M}",
        performed_at_confirmed=record.performed_at_confirmed,
        product=ProductInfo(
            code=product.code,
            brand=product.brand,
            unit_name=product.unit_name,
            colour=product.colour,
            dose_reference=chartable(product),
        ),
        lot=lot_info(lot, zone),
        vials=vials,
        signed_at=None
        if record.signed_at is None
        else record.signed_at.astimezone(zone),
        signed_by=None if signer is None else signer.name,
        consent_obtained=record.consent_obtained,
    )


def _flag_changes(
    session: Session, record: TreatmentSession, zone: ZoneInfo
) -> list[str]:
    """Clinical flags changed since the patient's last signed chart, on a draft.

    Each says so: "Clinical flags changed on <day> by <name>: ...".
    """
    if record.status != SessionStatus.DRAFT:
        return []
    return [
        change.text
        for change in clinical_flags.flag_changes_since_last_chart(
            session, record, zone
        )
    ]


def chart_state(
    session: Session,
    session_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
) -> ChartState:
    """Assemble the chart's whole state, times on the clinic's clock.

    The chart is drawn on the map version the session records: a signed session
    on the one it was signed on, a draft on the current one.
    """
    record = get_session_record(session, session_id)
    face_map = edition_for(face_map, record.map_version)
    patient = session.get(Patient, record.patient_id)
    product = session.get(Product, record.product_id)
    assert patient is not None
    assert patient.id is not None
    assert product is not None
    # Before any dose rule is read: a product with none is refused by name. A
    # signed record in one is still shown, as recorded: it is the legal record
    # of what was given, and reads no dose rule (no range checks, no step).
    if record.status != SessionStatus.SIGNED:
        require_chartable(product)
    rows = list(
        session.exec(
            select(InjectionSite)
            .where(InjectionSite.session_id == session_id)
            .order_by(col(InjectionSite.number))
        )
    )
    lots = chart_lots(session, record, rows)
    lot = lots.get(record.vial_lot_id or 0)
    sites = [_site(site, face_map, lots.get(site.vial_lot_id or 0)) for site in rows]
    previous = last_cycle_sites(session, record)
    treated = treated_for_record(session, record, zone)
    return ChartState(
        session=_session_info(
            session,
            record,
            product,
            lot,
            vial_uses(lots, record, sites, zone),
            zone=zone,
            now=now,
        ),
        patient=PatientInfo(
            id=patient.id,
            name=patient.full_name,
            mrn=patient.mrn,
            affected_side=patient.affected_side,
        ),
        sites=sites,
        totals=_totals(sites, lots),
        warnings=_warnings(session, record, zone, now),
        flag_changes=_flag_changes(session, record, zone),
        last_cycle=_last_cycle(session, previous),
        changes=_changes(session, record, sites, previous),
        svg=chart_svg(
            session,
            face_map,
            rows,
            previous,
            product,
            patient,
            treated,
        ),
        # Muscle-sides a procedure excised or denervated: a tap there needs
        # ``confirm_treated_muscle`` (issue 22).
        treated_muscles=[
            TreatedMuscleInfo(muscle=t.muscle, side=t.side, wording=t.wording)
            for t in treated
        ],
        map=MapInfo(
            name=face_map.name,
            version=face_map.version,
            scale_px_per_cm=face_map.scale_px_per_cm,
        ),
        amendments=_amendments(session, record.id, zone),
        templates=_templates(session, record),
        # The steppers' step is the product's (a clinic setting, dosing.dose_step);
        # the keypad and the dose box take the doses the chart API takes (one
        # rule: services.chart's site dose, MIN_DOSE_UNITS to MAX_UNITS). A
        # product with no dose reference has no step: its record is read-only.
        step_units=dosing.dose_step(product.code, product.unit_name).units
        if chartable(product)
        else None,
        min_units=dosing.MIN_DOSE_UNITS,
        max_units=int(MAX_UNITS),
        muscles=[_muscle_choice(m) for m in face_map.muscles],
    )


def _muscle_choice(muscle: Muscle) -> MuscleChoice:
    return MuscleChoice.model_validate(
        {
            "code": muscle.code,
            "name": muscle.name,
            "abbreviation": muscle.abbreviation,
            "sides": list(muscle.sides),
            "guidance": muscle.guidance,
            "caution": muscle.caution,
        }
    )
