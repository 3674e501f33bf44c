"""The chart's safety checks, read from the database the same way on every path.

Tapping, changing a dose, copying a cycle, applying a template, signing and amending
all come here for their warnings, so every path sees the same rules. The checks run
as of the session's treatment time, on the clinic's calendar; on a draft each site's
role (affected or contralateral) is worked out from the patient's affected side as
it is now, while a signed record keeps the roles it was signed with.
"""

from collections import defaultdict
from dataclasses import asdict
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.clinic_time import clinic_now
from planner.clinic_time import local_day
from planner.dosing.treated_muscles import check_treated_muscles
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import SiteRole
from planner.models import StockWaste
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.services.clinical_flags import contraindications_as_of
from planner.services.cycle_rules import cycle_product
from planner.services.dose_rules import clinic_rules
from planner.services.lookup import get_or_raise
from planner.services.lots import first_used_at
from planner.services.map_zones import zone_warnings
from planner.services.outside_toxin import outside_past_sessions
from planner.services.product_rules import checked_product
from planner.services.treated_sites import treated_for_record
from planner.vocabulary import role_for


def past_sessions(
    session: Session,
    record: TreatmentSession,
    zone: ZoneInfo,
    *,
    as_of: datetime | None = None,
) -> list[dosing.PastSession]:
    """Return the patient's other signed sessions, units per muscle and side.

    Toxin given elsewhere follows, as kind ``outside``, so the cap and the exposure
    caution count it, each product in its own units. ``as_of`` (an amendment's
    signing moment): only what was on record then, the sessions signed at or
    before it and the outside toxin recorded at or before it; a session signed
    later, however early its treatment day, was not there to be weighed. The
    record's own cycle is the exception: its later top-ups count towards its
    totals on every path.
    """
    # The record's own cycle counts whole, whenever its sessions were signed:
    # its dose limits are the cycle's (``dosing.run_all_checks``), and a top-up
    # signed after the record still took units from the same cycle.
    cycle_id = record.cycle_session_id or record.id
    on_record = (
        []
        if as_of is None
        else [
            or_(
                col(TreatmentSession.signed_at).is_(None),
                col(TreatmentSession.signed_at) <= as_of,
                col(TreatmentSession.cycle_session_id) == cycle_id,
                col(TreatmentSession.id) == cycle_id,
            )
        ]
    )
    grouped = (
        col(TreatmentSession.id),
        col(TreatmentSession.performed_at),
        col(TreatmentSession.kind),
        col(Product.code),
        col(Product.brand),
        col(Product.unit_name),
        col(InjectionSite.muscle),
        col(InjectionSite.side),
    )
    # Nine columns: beyond sqlmodel.select's typed overloads, so SQLAlchemy's own.
    rows = session.execute(
        sa_select(*grouped, func.sum(col(InjectionSite.units)))
        .join(Product, col(Product.id) == col(TreatmentSession.product_id))
        .join(InjectionSite, col(InjectionSite.session_id) == col(TreatmentSession.id))
        .where(
            col(TreatmentSession.patient_id) == record.patient_id,
            col(TreatmentSession.status) == SessionStatus.SIGNED,
            col(TreatmentSession.id) != record.id,
            *on_record,
        )
        .group_by(*grouped)
    ).all()
    sessions: dict[int, dict[str, Any]] = {}
    for session_id, performed_at, kind, code, brand, unit, muscle, side, units in rows:
        entry = sessions.setdefault(
            session_id,
            {
                "on": performed_at,
                "kind": kind,
                "code": code,
                "brand": brand,
                "unit": unit,
                "muscles": {},
            },
        )
        entry["muscles"][(muscle, side.value)] = float(units)
    return [
        dosing.PastSession(
            performed_on=local_day(entry["on"], zone),
            kind=entry["kind"].value,
            product_code=entry["code"],
            units_total=sum(entry["muscles"].values()),
            muscle_units=entry["muscles"],
            brand=entry["brand"],
            unit_name=entry["unit"],
        )
        for entry in sessions.values()
    ] + outside_past_sessions(session, record.patient_id, as_of=as_of)


def open_drafts(
    session: Session, record: TreatmentSession, zone: ZoneInfo
) -> list[date]:
    """Return the days of the patient's other charts that were never signed."""
    started = session.exec(
        select(TreatmentSession.performed_at).where(
            TreatmentSession.patient_id == record.patient_id,
            TreatmentSession.status == SessionStatus.DRAFT,
            TreatmentSession.id != record.id,
        )
    ).all()
    return [local_day(moment, zone) for moment in started]


def treatment_time(record: TreatmentSession, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the moment the chart's checks are taken at: its treatment time.

    A draft started today is being given now, so its treatment time follows the
    clock until it is signed or the injector enters it; a time entered by hand, a
    draft from an earlier day, and a signed record keep the treatment time recorded
    (a treatment on day 80 signed on day 86 is checked on day 80).
    """
    if (
        record.status == SessionStatus.DRAFT
        and not record.performed_at_confirmed
        and local_day(record.performed_at, zone) == local_day(now, zone)
    ):
        return max(now, record.performed_at)
    return record.performed_at


def vial_share(
    session: Session, record: TreatmentSession, lot: VialLot
) -> dosing.VialShare:
    """Return what one of the chart's vials gave outside this chart: charted and
    wasted.

    The sites of the vial's other signed and draft charts drawn from it count (a
    discarded draft drew nothing), in the vial's product's units; so does the
    waste recorded from it. An amendment counts charts signed after its record
    too: the vial is one physical thing, whose content every record shares.
    """
    charts, charted = session.exec(
        select(
            func.count(func.distinct(col(TreatmentSession.id))),
            func.sum(col(InjectionSite.units)),
        )
        .join(InjectionSite, col(InjectionSite.session_id) == col(TreatmentSession.id))
        .where(
            col(InjectionSite.vial_lot_id) == lot.id,
            col(TreatmentSession.id) != record.id,
            col(TreatmentSession.product_id) == lot.product_id,
            col(TreatmentSession.status) != SessionStatus.DISCARDED,
            col(InjectionSite.units).is_not(None),
        )
    ).one()
    wasted = session.exec(
        select(func.sum(col(StockWaste.units))).where(
            col(StockWaste.vial_lot_id) == lot.id
        )
    ).one()
    return dosing.VialShare(float(charted or 0), int(charts), float(wasted or 0))


def _lot_info(
    session: Session, record: TreatmentSession, lot: VialLot, drawn: float | None
) -> dosing.LotInfo:
    return dosing.LotInfo(
        lot.lot_number,
        lot.expiry_date,
        lot.reconstituted_at,
        lot.vial_units,
        lot.diluent_ml,
        # Units of one product only: a vial holds the product it was made for.
        shared=vial_share(session, record, lot)
        if lot.product_id == record.product_id
        else None,
        # Only a vial with no reconstitution time needs its first use.
        first_used_at=None
        if lot.id is None or lot.reconstituted_at is not None
        else first_used_at(session, lot.id),
        drawn=drawn,
        vial_id=lot.id,
        brand=lot.brand,
    )


def _vials(
    session: Session, record: TreatmentSession, sites: list[InjectionSite]
) -> tuple[dosing.LotInfo | None, tuple[dosing.LotInfo, ...]]:
    """Return the chart's vial in use and its earlier vials, as the checks take them.

    Each vial's ``drawn`` is the units of the sites drawn from it; with one vial
    the chart's whole total is its (``drawn`` None), as before sites named one.
    """
    drawn: dict[int | None, float] = defaultdict(float)
    for site in sites:
        drawn[site.vial_lot_id] += site.units or 0.0
    ids = [vial for vial in drawn if vial is not None]
    in_use = record.vial_lot_id
    # Units of sites drawn from no vial (None) are no vial's: with them the vial
    # in use counts only its own sites.
    single = set(drawn) <= {in_use}
    lots = {
        vial: lot
        for vial in {*ids, in_use}
        if vial is not None and (lot := session.get(VialLot, vial)) is not None
    }
    current = None
    if in_use is not None and in_use in lots:
        mine = None if single else drawn.get(in_use, 0.0)
        current = _lot_info(session, record, lots[in_use], mine)
    earlier = tuple(
        _lot_info(session, record, lots[vial], drawn[vial])
        for vial in sorted(ids)
        if vial != in_use and vial in lots
    )
    return current, earlier


def checked_role(site: InjectionSite, patient: Patient, *, draft: bool) -> SiteRole:
    """Return the role the checks give a site (affected, contralateral, midline).

    On a draft it is worked out from the patient's affected side now; signing
    stores it on the site (``services.site_roles``), and a signed record keeps it.
    """
    return role_for(site.side, patient.affected_side) if draft else site.role


def check_chart(
    session: Session,
    record: TreatmentSession,
    *,
    zone: ZoneInfo,
    now: datetime,
    sites: list[InjectionSite] | None = None,
    amending: bool = False,
) -> list[dosing.SafetyWarning]:
    """Run every check on a chart as of its treatment time, in the clinic's zone.

    ``sites`` defaults to the chart's stored sites; an amendment passes them as
    corrected, with ``amending``: its contraindications, its timing settings
    (intervals, review and re-treatment windows) and its dose limits (each
    product's, the Botox reference doses, the dose change share) are as at
    signing (``contraindications_as_of``, ``settings_as_of``), and so is the
    history its timing and cumulative checks read (``past_sessions``). On every path
    the dose limits count the whole cycle, the same product's top-ups signed
    later in it included. On a draft the roles come from the patient's affected
    side now.
    """
    patient = get_or_raise(session, Patient, record.patient_id, "No such patient.")
    product = get_or_raise(session, Product, record.product_id, "No such product.")
    if sites is None:
        sites = list(
            session.exec(
                select(InjectionSite)
                .where(InjectionSite.session_id == record.id)
                .order_by(col(InjectionSite.number))
            )
        )
    draft = record.status == SessionStatus.DRAFT
    signed_at = record.signed_at if amending else None
    lot, earlier_lots = _vials(session, record, sites)
    plan = dosing.PlannedSession(
        kind=record.kind.value,
        product=checked_product(session, product, as_of=signed_at),
        # A site whose dose is not entered yet counts in no total: signing waits
        # for it (services.sessions), and its muscle is checked once it has one.
        sites=tuple(
            dosing.PlannedSite(
                s.number,
                s.muscle,
                s.side.value,
                checked_role(s, patient, draft=draft).value,
                s.units,
            )
            for s in sites
            if s.units is not None
        ),
        lot=lot,
        earlier_lots=earlier_lots,
        no_vial_sites=tuple(
            s.number for s in sites if s.units is not None and s.vial_lot_id is None
        ),
        undosed_sites=tuple((s.number, s.muscle) for s in sites if s.units is None),
    )
    if signed_at is not None:
        flags = contraindications_as_of(session, patient, signed_at)
    else:
        flags = dosing.Contraindications(
            pregnant=patient.pregnant,
            breastfeeding=patient.breastfeeding,
            neuromuscular_disease=patient.neuromuscular_disease,
            aminoglycosides=patient.aminoglycosides,
            toxin_allergy=patient.toxin_allergy,
        )
    # An amendment weighs the history as it stood at signing (``past_sessions``).
    history = past_sessions(session, record, zone, as_of=signed_at)
    checked_at = clinic_now(zone, treatment_time(record, now, zone))
    full_product = cycle_product(session, product, history, checked_at.date())
    found = dosing.run_all_checks(
        plan,
        history=history,
        contraindications=flags,
        rules=clinic_rules(
            session, product.code, full_product, as_of=signed_at, zone=zone
        ),
        now=checked_at,
        open_drafts=open_drafts(session, record, zone) if draft else (),
    )
    # Sites in a caution zone of the session's face map (issue 14).
    # Sites still waiting for a dose are not planned yet; they are checked, zones
    # included, once their dose is entered (signing needs every dose).
    dosed = [s for s in sites if s.units is not None]
    # Sites on a muscle a procedure excised or denervated (issue 22).
    treated = check_treated_muscles(
        plan.sites, treated_for_record(session, record, zone)
    )
    return dosing.sort_warnings(
        [*found, *zone_warnings(record, dosed, plan.sites), *treated]
    )


def warning_key(warning: dosing.SafetyWarning) -> str:
    """Name a warning stably, so a reason typed for it survives a reload.

    The amendment form reads its muscle, side and site back to label the
    warning's reason box in words (``warning_reasons.reason_label``).
    """
    parts = [warning.code, warning.muscle or "", warning.side or ""]
    if warning.site_number is not None:
        parts.append(str(warning.site_number))
    if warning.vial_id is not None:
        parts.append(f"vial-{warning.vial_id}")
    return ":".join(parts).rstrip(":")


def as_records(warnings: list[dosing.SafetyWarning]) -> list[dict[str, Any]]:
    """Return warnings as the chart state and the signed record keep them.

    The vial a warning is about is named by its key (and its message's lot);
    the record keeps no vial id of its own. Only a warning about caution zones
    keeps its zones.
    """
    records = []
    for warning in warnings:
        record = asdict(warning)
        del record["vial_id"]
        if warning.zones:
            record["zones"] = [asdict(zone) for zone in warning.zones]
        else:
            del record["zones"]
        records.append({"key": warning_key(warning), **record})
    return records
