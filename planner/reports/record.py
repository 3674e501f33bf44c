"""The printed treatment record of one session: everything traceability asks for.

Built on the chart's own state (``chart_state``), so the paper and the screen
agree on sites, volumes, totals, warnings and amendments; this module adds what
only the record shows: the patient's details, the injector, consent, adverse
events, the next appointments and the signature.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.facemap import FaceMap
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.models import AdverseEvent
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import User
from planner.models import VialLot
from planner.reports.appointments import NextAppointment
from planner.reports.appointments import follow_up_of
from planner.services.chart_state import chart_state
from planner.services.sessions import get_session_record

SIDES = ("right", "left", "midline")


@dataclass(frozen=True)
class PatientDetails:
    id: int
    name: str
    mrn: str
    date_of_birth: date
    affected_side: str
    cautions: tuple[str, ...]


@dataclass(frozen=True)
class LotDetails:
    lot_number: str
    expiry_date: date
    vial_units: int
    diluent_ml: float
    units_per_tenth_ml: float
    reconstituted_at: datetime | None


@dataclass(frozen=True)
class SiteLine:
    number: int
    muscle: str
    muscle_name: str
    side: str
    role: str
    units: float
    volume_ml: float | None
    depth: str | None
    note: str | None


@dataclass(frozen=True)
class MuscleTotal:
    """One muscle's units on each side and in all."""

    name: str
    right: float
    left: float
    midline: float

    @property
    def total(self) -> float:
        return self.right + self.left + self.midline


@dataclass(frozen=True)
class WarningLine:
    severity: str
    message: str
    source: str
    needs_reason: bool
    reason: str | None
    overridden_by: str | None = None


@dataclass(frozen=True)
class EventLine:
    kind: str
    severity: str
    onset: date | None
    resolved: date | None
    description: str | None


@dataclass(frozen=True)
class SiteCorrection:
    site: int
    before: float
    after: float


@dataclass(frozen=True)
class AmendmentLine:
    at: datetime
    author: str
    reason: str
    note: str | None
    corrections: tuple[SiteCorrection, ...]


@dataclass(frozen=True)
class TreatmentRecord:
    """Everything the printed record of one session shows."""

    session_id: int
    status: str
    kind: str
    cycle_number: int
    performed_at: datetime
    patient: PatientDetails
    injector: str
    product: str
    inn: str
    unit: str
    lot: LotDetails | None
    svg: Markup
    sites: list[SiteLine]
    muscle_totals: list[MuscleTotal]
    side_totals: dict[str, float]
    total_units: float
    total_volume_ml: float | None
    vials_used: int | None
    warnings: list[WarningLine]
    consent_obtained: bool
    consent_note: str | None
    notes: str | None
    events: list[EventLine]
    amendments: list[AmendmentLine]
    appointments: list[NextAppointment]
    signed_by: str | None
    signed_at: datetime | None

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


def patient_details(patient: Patient) -> PatientDetails:
    """Return the identifying details every printed page of a report carries."""
    assert patient.id is not None
    return PatientDetails(
        id=patient.id,
        name=patient.full_name,
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        affected_side=patient.affected_side.value,
        cautions=tuple(patient.contraindications),
    )


def _muscle_totals(by_muscle: list[dict[str, Any]]) -> list[MuscleTotal]:
    units: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    for entry in by_muscle:
        names[entry["muscle"]] = entry["muscle_name"]
        sides = units.setdefault(entry["muscle"], dict.fromkeys(SIDES, 0.0))
        sides[entry["side"]] += entry["units"]
    return [
        MuscleTotal(names[m], s["right"], s["left"], s["midline"])
        for m, s in units.items()
    ]


def _sites(
    session: Session, session_id: int, listed: list[dict[str, Any]]
) -> list[SiteLine]:
    extra = {
        row.id: row
        for row in session.exec(
            select(InjectionSite).where(InjectionSite.session_id == session_id)
        )
    }
    lines = []
    for site in listed:
        row = extra[site["id"]]
        lines.append(
            SiteLine(
                number=site["number"],
                muscle=site["muscle"],
                muscle_name=site["muscle_name"],
                side=site["side"],
                role=site["role"],
                units=site["units"],
                volume_ml=site["volume_ml"],
                depth=None if row.depth is None else row.depth.value,
                note=row.note,
            )
        )
    return lines


def _events(session: Session, session_id: int) -> list[EventLine]:
    rows = session.exec(
        select(AdverseEvent)
        .where(AdverseEvent.session_id == session_id)
        .order_by(col(AdverseEvent.onset_date), col(AdverseEvent.id))
    ).all()
    return [
        EventLine(
            kind=row.kind.value.replace("_", " "),
            severity=row.severity.value,
            onset=row.onset_date,
            resolved=row.resolved_date,
            description=row.description,
        )
        for row in rows
    ]


def _amendments(entries: list[dict[str, Any]]) -> list[AmendmentLine]:
    return [
        AmendmentLine(
            at=datetime.fromisoformat(entry["at"]),
            author=entry["author"],
            reason=entry["reason"],
            note=entry["note"],
            corrections=tuple(
                SiteCorrection(c["site"], c["before"], c["after"])
                for c in entry["sites"]
            ),
        )
        for entry in entries
    ]


def _warnings(entries: list[dict[str, Any]]) -> list[WarningLine]:
    return [
        WarningLine(
            severity=str(entry.get("severity", "")),
            message=str(entry.get("message", "")),
            source=str(entry.get("source", "")),
            needs_reason=bool(entry.get("needs_reason")),
            reason=entry.get("reason") or None,
            overridden_by=entry.get("overridden_by") or None,
        )
        for entry in entries
    ]


def _lot(lot: VialLot | None, zone: ZoneInfo) -> LotDetails | None:
    if lot is None:
        return None
    return LotDetails(
        lot_number=lot.lot_number,
        expiry_date=lot.expiry_date,
        vial_units=lot.vial_units,
        diluent_ml=lot.diluent_ml,
        units_per_tenth_ml=dosing.units_per_tenth_ml(lot.vial_units, lot.diluent_ml),
        reconstituted_at=None
        if lot.reconstituted_at is None
        else lot.reconstituted_at.astimezone(zone),
    )


def treatment_record(
    session: Session,
    session_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
) -> TreatmentRecord:
    """Gather the printed record of one session, signed or draft."""
    state = chart_state(session, session_id, face_map=face_map, zone=zone, now=now)
    record = get_session_record(session, session_id)
    patient = session.get(Patient, record.patient_id)
    product = session.get(Product, record.product_id)
    injector = session.get(User, record.injector_id)
    assert patient is not None
    assert patient.id is not None
    assert product is not None
    lot = session.get(VialLot, record.vial_lot_id) if record.vial_lot_id else None
    sites = _sites(session, session_id, state["sites"])
    totals = state["totals"]
    svg = render_face_map(
        face_map,
        sites=[
            Site(s.number, site["x"], site["y"], s.units, product.colour)
            for s, site in zip(sites, state["sites"], strict=True)
        ],
        highlight={(s.muscle, s.side) for s in sites},
        title="Injection sites, numbered as in the table",
        id_prefix="record-",
    )
    return TreatmentRecord(
        session_id=session_id,
        status=record.status.value,
        kind=record.kind.value,
        cycle_number=record.cycle_number,
        performed_at=record.performed_at.astimezone(zone),
        patient=patient_details(patient),
        injector="" if injector is None else injector.name,
        product=product.brand,
        inn=product.inn,
        unit=product.unit_name,
        lot=_lot(lot, zone),
        svg=Markup(svg),  # noqa: S704  # facemap.render escapes every text it writes
        sites=sites,
        muscle_totals=_muscle_totals(totals["by_muscle"]),
        side_totals={side: float(totals["by_side"].get(side, 0.0)) for side in SIDES},
        total_units=float(totals["units"]),
        total_volume_ml=totals["volume_ml"],
        vials_used=totals["vials_used"],
        warnings=_warnings(state["warnings"]),
        consent_obtained=record.consent_obtained,
        consent_note=record.consent_note,
        notes=record.notes,
        events=_events(session, session_id),
        amendments=_amendments(state["amendments"]),
        appointments=follow_up_of(session, session_id, patient.id, zone=zone, now=now),
        signed_by=state["session"]["signed_by"],
        signed_at=None
        if record.signed_at is None
        else record.signed_at.astimezone(zone),
    )
