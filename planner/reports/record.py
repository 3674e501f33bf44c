"""The printed treatment record of one session: everything traceability asks for.

Built on the chart's own state (``chart_state``), so the paper and the screen
agree on sites, volumes, totals, warnings and amendments; this module adds what
only the record shows: the patient's details and diagnosis, the injector,
consent, adverse events, the warnings with their reasons, the amendments, the
visits this session arranged and the signature with the signer's registration.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.facemap import FaceMap
from planner.facemap import edition_for
from planner.models import AdverseEvent
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import User
from planner.reports.appointments import NextAppointment
from planner.reports.appointments import arranged_by
from planner.reports.maps import MapSite
from planner.reports.maps import printed_map
from planner.reports.record_changes import AmendmentLine
from planner.reports.record_changes import DoseChange
from planner.reports.record_changes import WarningLine
from planner.reports.record_changes import amendment_lines
from planner.reports.record_changes import dose_changes
from planner.reports.record_changes import warning_lines
from planner.reports.record_consent import RecordConsent
from planner.reports.record_consent import record_consent
from planner.reports.render import PdfVariant
from planner.services.chart_map import marker_largest
from planner.services.chart_state import chart_state
from planner.services.chart_state_models import ChartSite
from planner.services.chart_state_models import ChartWarning
from planner.services.chart_state_models import LotInfo
from planner.services.chart_state_models import MuscleTotal as StateMuscleTotal
from planner.services.chart_state_models import VialUseInfo
from planner.services.diary_adverse import reported_days
from planner.services.sessions import get_session_record

SIDES = ("right", "left", "midline")
# Archival (PDF/A-2u), so the record stays readable and its text extractable.
PDF_VARIANT: PdfVariant = "pdf/a-2u"
# The map's printed width, and its numbers' smallest size (7 pt beside 9.5 pt
# text); templates/reports/record.html lays the map row out around this width.
MAP_WIDTH_MM = 84.0
NUMBER_PT = 7.0
# The injection sites' heading: the record is laid out so that it, and the map
# or the sites table under it, starts on page 1 (render_pdf_first_fitting).
FIRST_PAGE_ANCHOR = "sites-title"


@dataclass(frozen=True)
class PatientDetails:
    id: int
    name: str
    mrn: str
    date_of_birth: date
    affected_side: str
    cautions: tuple[str, ...]
    # The diagnosis: the cause of the palsy, and its onset when known.
    cause: str = "other"
    onset_date: date | None = None


@dataclass(frozen=True)
class SiteLine:
    number: int
    muscle: str
    muscle_name: str
    side: str
    role: str
    # None on a draft whose dose is still to enter (never on a signed record).
    units: float | None
    volume_ml: float | None
    depth: str | None
    note: str | None
    # The muscle's guidance and caution from the session's face map.
    guidance: str = ""
    caution: str = ""
    # Corrections by amendment, oldest first; ``units`` is the dose now.
    changes: tuple[DoseChange, ...] = ()
    # The lot of the vial the dose was drawn from; None with no vial recorded.
    lot_number: str | None = None


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
class EventLine:
    kind: str
    severity: str
    onset: date | None
    resolved: date | None
    description: str | None
    # The clinic day the patient reported it in the diary, if recorded from there.
    reported_on: date | None = None


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
    lot: LotInfo | None
    # Each vial the sites were drawn from, with their numbers [S58] [S62].
    vials: list[VialUseInfo]
    map: Markup
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
    signer_registration: str | None
    # The consent form the session was signed under; None when none is on file.
    consent_form: RecordConsent | None = None
    # Sites drawn from no vial on record, on a chart that has vials: a session
    # from before a vial was required, then switched to one [S58] [S59].
    no_vial_sites: tuple[int, ...] = ()
    # False for a signed record in a product planner holds no dose reference
    # for: printed as recorded, and says that no dose ranges were checked.
    dose_reference: bool = True

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def amended(self) -> bool:
        return bool(self.amendments)

    @property
    def lot_per_site(self) -> bool:
        """Whether the sites came from more than one vial, or some from none."""
        return len(self.vials) + bool(self.no_vial_sites) > 1

    @property
    def any_amended_site(self) -> bool:
        return any(site.changes for site in self.sites)

    @property
    def map_width_mm(self) -> float:
        return MAP_WIDTH_MM


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
        cause=patient.cause.value,
        onset_date=patient.onset_date,
    )


def _muscle_totals(by_muscle: list[StateMuscleTotal]) -> list[MuscleTotal]:
    units: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    for entry in by_muscle:
        names[entry.muscle] = entry.muscle_name
        sides = units.setdefault(entry.muscle, dict.fromkeys(SIDES, 0.0))
        sides[entry.side] += entry.units
    return [
        MuscleTotal(names[m], s["right"], s["left"], s["midline"])
        for m, s in units.items()
    ]


def _sites(
    session: Session,
    session_id: int,
    listed: list[ChartSite],
    changes: dict[int, tuple[DoseChange, ...]],
    lots: dict[int, str],
) -> list[SiteLine]:
    extra = {
        row.id: row
        for row in session.exec(
            select(InjectionSite).where(InjectionSite.session_id == session_id)
        )
    }
    lines = []
    for site in listed:
        row = extra[site.id]
        lines.append(
            SiteLine(
                number=site.number,
                muscle=site.muscle,
                muscle_name=site.muscle_name,
                side=site.side.value,
                role=site.role.value,
                units=site.units,
                volume_ml=site.volume_ml,
                depth=None if row.depth is None else row.depth.value,
                note=row.note,
                guidance=site.guidance,
                caution=site.caution,
                changes=changes.get(site.number, ()),
                lot_number=lots.get(site.vial_lot_id or 0),
            )
        )
    return lines


def _events(session: Session, session_id: int, zone: ZoneInfo) -> list[EventLine]:
    rows = session.exec(
        select(AdverseEvent)
        .where(AdverseEvent.session_id == session_id)
        .order_by(col(AdverseEvent.onset_date), col(AdverseEvent.id))
    ).all()
    reported = reported_days(session, rows, zone=zone)
    return [
        EventLine(
            kind=row.kind.value.replace("_", " "),
            severity=row.severity.value,
            onset=row.onset_date,
            resolved=row.resolved_date,
            description=row.description,
            reported_on=reported.get(row.id or 0),
        )
        for row in rows
    ]


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
    signer = session.get(User, record.signed_by_id) if record.signed_by_id else None
    signed = record.status == SessionStatus.SIGNED
    # The record prints the warnings as signed, then what each amendment raised
    # (the chart shows them as they stand now).
    at_signing = (
        [ChartWarning.model_validate(w) for w in record.warnings]
        if signed
        else state.warnings
    )
    amendments = (
        amendment_lines(session, session_id, state.amendments, at_signing)
        if signed
        else []
    )
    vials = state.session.vials
    sites = _sites(
        session,
        session_id,
        state.sites,
        dose_changes(amendments),
        {
            vial.id: vial.lot_number
            if vial.brand == state.session.product.brand
            else f"{vial.brand} {vial.lot_number}"
            for vial in vials
        },
    )
    totals = state.totals
    picture = printed_map(
        # The session's own map version, as the chart is drawn.
        edition_for(face_map, record.map_version),
        (
            # A draft's site still waiting for its dose prints at the smallest size.
            MapSite(s.number, site.x, site.y, s.units or 0.0)
            for s, site in zip(sites, state.sites, strict=True)
        ),
        width_mm=MAP_WIDTH_MM,
        min_pt=NUMBER_PT,
        alt=f"Face map drawn facing the patient, with the {len(sites)} injection "
        "sites numbered as in the table of sites.",
        # Dots grow with the dose on the product's own scale, as at the chair.
        largest=marker_largest(product),
        highlight={(s.muscle, s.side) for s in sites},
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
        lot=state.session.lot,
        # A vial in use from which no site was drawn gave nothing to this record.
        vials=[vial for vial in vials if vial.site_numbers] or vials,
        no_vial_sites=tuple(s.number for s in state.sites if s.vial_lot_id is None)
        if vials
        else (),
        map=picture,
        sites=sites,
        muscle_totals=_muscle_totals(totals.by_muscle),
        side_totals={side: getattr(totals.by_side, side) for side in SIDES},
        total_units=totals.units,
        total_volume_ml=totals.volume_ml,
        vials_used=totals.vials_used,
        # A signed record's reasons were given by its signer, when signing; a
        # draft's warnings are the chart's checks so far, with no reasons yet.
        warnings=warning_lines(
            at_signing, reason_by=None if signer is None else signer.name
        ),
        consent_obtained=record.consent_obtained,
        consent_note=record.consent_note,
        notes=record.notes,
        events=_events(session, session_id, zone),
        amendments=amendments,
        appointments=arranged_by(session, record, zone=zone),
        signed_by=None if signer is None else signer.name,
        signed_at=None
        if record.signed_at is None
        else record.signed_at.astimezone(zone),
        signer_registration=None if signer is None else signer.registration_number,
        consent_form=record_consent(session, record, zone=zone, now=now),
        dose_reference=state.session.product.dose_reference,
    )
