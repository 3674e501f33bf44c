"""Batch recall: every patient who received a lot, with what they were given.

A recall names a product and a lot number: a manufacturer recalls one
product's batch, and lot numbers are not unique across manufacturers (Botox
and Xeomin may both have a lot AB123). The lot number is looked up in either
case across every vial of that product ever recorded, from stock or not, so a
recall finds sessions charted before stock was kept. Each
look-up names patients, so it is written to the audit trail: one event per
patient named (LOOKUP for the page, EXPORT for the CSV, PRINT for the letters),
or one naming nobody when the lot reached no one.
"""

from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.errors import InvalidInput
from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_cells import write_csv
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.models.patients import SearchKey
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.drafts import live
from planner.services.site_vials import session_vials
from planner.services.stock import LOT_PATTERN
from planner.validation import parse_input
from planner.validation import strip_text
from planner.vocabulary import label

Purpose = Literal["page", "csv", "letters"]
ACTIONS: dict[Purpose, AuditAction] = {
    "page": AuditAction.LOOKUP,
    "csv": AuditAction.EXPORT,
    "letters": AuditAction.PRINT,
}
_VIALS = VialLot.__table__  # type: ignore[attr-defined]  # set by SQLModel


# Properties to receive for a recall look-up.
class RecallQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: str = Field(min_length=1, max_length=32)
    lot: str = Field(min_length=1, max_length=40, pattern=LOT_PATTERN)

    _stripped = field_validator("product", "lot", mode="before")(strip_text)


@dataclass(frozen=True)
class RecallSite:
    muscle: str
    side: str
    # None: a draft's site whose dose has not been entered yet.
    units: float | None

    @property
    def dose(self) -> str:
        return "dose not entered" if self.units is None else f"{self.units:g}"


@dataclass(frozen=True)
class RecallRow:
    """One session given from the lot, with the patient's contact details."""

    session_id: int
    treated_on: date
    kind: str
    status: str
    product: str
    # The brand on the vial's box: the product's, or another it is sold under.
    brand: str
    unit: str
    lot_number: str
    expiry_date: date
    patient_id: int
    given_name: str
    family_name: str
    mrn: str
    date_of_birth: date
    phone: str | None
    email: str | None
    address: str | None
    clinician: str | None
    sites: tuple[RecallSite, ...]

    @property
    def units(self) -> float:
        return sum(site.units for site in self.sites if site.units is not None)

    @property
    def patient(self) -> str:
        """The patient as a list sorts them: family name first."""
        return f"{self.family_name}, {self.given_name}"


@dataclass(frozen=True)
class Recall:
    """The look-up's answer: the product and lot asked for, and the sessions found."""

    product: str
    brand: str
    lot: str
    rows: list[RecallRow]

    @property
    def patient_count(self) -> int:
        return len({row.patient_id for row in self.rows})


def _sites(
    session: Session, vials: Mapping[int, set[int]], muscle_names: Mapping[str, str]
) -> dict[int, list[RecallSite]]:
    """Return each session's sites drawn from its vials of the recalled lot."""
    found: dict[int, list[RecallSite]] = defaultdict(list)
    if not vials:
        return found
    for site in session.exec(
        select(InjectionSite)
        .where(col(InjectionSite.session_id).in_(list(vials)))
        .order_by(col(InjectionSite.session_id), col(InjectionSite.number))
    ):
        if site.vial_lot_id not in vials[site.session_id]:
            continue
        found[site.session_id].append(
            RecallSite(
                muscle_names.get(site.muscle, site.muscle),
                label("side", site.side),
                site.units,
            )
        )
    return found


def _row(
    record: TreatmentSession,
    vial: VialLot,
    patient: Patient,
    product: Product,
    clinician: str | None,
    sites: list[RecallSite],
    zone: ZoneInfo,
) -> RecallRow:
    assert record.id is not None
    assert patient.id is not None
    return RecallRow(
        session_id=record.id,
        treated_on=local_day(record.performed_at, zone),
        kind=label("session_kind", record.kind),
        status=record.status.value,
        product=product.brand,
        brand=vial.brand,
        unit=product.unit_name,
        lot_number=vial.lot_number,
        expiry_date=vial.expiry_date,
        patient_id=patient.id,
        given_name=patient.given_name,
        family_name=patient.family_name,
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        phone=patient.phone,
        email=str(patient.email) if patient.email else None,
        address=patient.address,
        clinician=clinician,
        sites=tuple(sites),
    )


def _audit(session: Session, actor: Actor, recall: Recall, purpose: Purpose) -> None:
    detail = {"product": recall.product, "lot_number": recall.lot, "purpose": purpose}
    patients = sorted({row.patient_id for row in recall.rows})
    named: list[int | None] = list(patients) or [None]
    for patient_id in named:
        record_event(
            session,
            actor,
            ACTIONS[purpose],
            "recall",
            None,
            patient_id=patient_id,
            after={**detail, "patients": len(patients)},
        )


def recall_products(session: Session) -> list[Product]:
    """Return every product in the catalogue, by brand, to recall a lot of.

    Products no longer stocked are offered too: their lots were still given.
    """
    return list(session.exec(select(Product).order_by(col(Product.brand))))


def _recalled_product(session: Session, code: str) -> Product:
    product = session.exec(select(Product).where(Product.code == code)).first()
    if product is None:
        raise InvalidInput(
            "Choose the product named on the recall notice.",
            fields={"product": "is not a product in the catalogue"},
        )
    return product


def find_recall(
    session: Session,
    actor: Actor,
    data: object,
    *,
    purpose: Purpose,
    muscle_names: Mapping[str, str],
    zone: ZoneInfo,
) -> Recall:
    """Name every session given from a product's lot, by patient; audit the look-up.

    Both the product (its code) and the lot number are required. A look-up
    without a product is refused, even when only one product has lots of that
    number: the notice may be for another maker's batch the clinic never
    recorded, and a guess would then write to patients given a lot that was
    not recalled.

    :param purpose: what the answer is for (page, CSV or letters): the event's
        action says which.
    """
    query = parse_input(
        RecallQuery, data, "Give the product and the lot number to look up."
    )
    product = _recalled_product(session, query.product)
    # A session may draw from several vials: each site names its own, and a
    # draft its vial in use (opened, maybe before any site); a signed session's
    # vial in use that no site came from gave it nothing.
    uses = session_vials(given=True)
    found = session.exec(
        select(TreatmentSession, VialLot, Patient)
        .join(uses, uses.c.session_id == col(TreatmentSession.id))
        .join(VialLot, col(VialLot.id) == uses.c.vial_lot_id)
        .join(Patient, col(Patient.id) == col(TreatmentSession.patient_id))
        .where(
            col(VialLot.product_id) == product.id,
            SearchKey(_VIALS.c.lot_number) == query.lot.lower(),
            live(),
        )
        .order_by(
            col(Patient.family_name),
            col(Patient.given_name),
            col(Patient.id),
            col(TreatmentSession.performed_at),
            col(VialLot.id),
        )
    ).all()
    # One row per session, whichever of its vials of the lot (two vials of one
    # lot, reconstituted apart) it drew from; the sites come from all of them.
    vials: dict[int, set[int]] = defaultdict(set)
    rows = []
    for record, vial, patient in found:
        assert record.id is not None
        assert vial.id is not None
        if record.id not in vials:
            rows.append((record, vial, patient))
        vials[record.id].add(vial.id)
    sites = _sites(session, vials, muscle_names)
    injectors = {r.injector_id for r, *_ in rows}
    names = dict(
        session.exec(
            select(User.id, User.name).where(col(User.id).in_(injectors))
        ).all()
    )
    # Every brand of the product is searched (a batch number is its maker's):
    # the answer names the brands its vials were recorded under.
    brands = {vial.brand for _record, vial, _patient in rows} or {product.brand}
    recall = Recall(
        product=product.code,
        brand=" / ".join(sorted(brands)),
        lot=query.lot.upper(),
        rows=[
            _row(
                record,
                vial,
                patient,
                product,
                names.get(record.injector_id),
                sites[record.id or 0],
                zone,
            )
            for record, vial, patient in rows
        ],
    )
    _audit(session, actor, recall, purpose)
    session.commit()
    return recall


RECALL_CSV = CsvFile(
    name="recall",
    row="one treatment session given from the recalled lot",
    columns=(
        Column("lot_number", "text", "The lot number as recorded on the vial."),
        Column("product", "text", "The product's brand."),
        Column("expiry_date", "date", "The lot's expiry date."),
        Column("patient", "text", "Family name, given name."),
        Column("mrn", "text", "Clinic identifier."),
        Column("date_of_birth", "date", "Date of birth."),
        Column("phone", "text", "Phone number, if recorded."),
        Column("email", "text", "Email address, if recorded."),
        Column("address", "text", "Postal address, if recorded."),
        Column("session_id", "integer", "The treatment session."),
        Column("treated_on", "date", "The day of treatment, clinic time."),
        Column("kind", "text", "Full treatment or top-up."),
        Column("status", "text", "Signed, or draft (not yet signed)."),
        Column("clinician", "text", "The injector."),
        Column("sites", "text", "Each site: muscle, side and units."),
        Column("units", "decimal", "Units given in the session.", places=2),
        Column("unit", "text", "The product's unit: never another product's."),
        Column(
            "brand",
            "text",
            "The brand on the vial's box: the product's, or another it is sold "
            "under (Azzalure is Dysport).",
        ),
    ),
)


def _site_text(row: RecallRow) -> str:
    return "; ".join(
        f"{site.muscle} {site.side.lower()} {site.dose}" for site in row.sites
    )


def recall_csv(recall: Recall) -> Iterator[str]:
    """Yield the recall as CSV text, a row per session, formulas neutralised."""
    return write_csv(
        RECALL_CSV,
        (
            {
                "lot_number": row.lot_number,
                "product": row.product,
                "expiry_date": row.expiry_date,
                "patient": row.patient,
                "mrn": row.mrn,
                "date_of_birth": row.date_of_birth,
                "phone": row.phone,
                "email": row.email,
                "address": row.address,
                "session_id": row.session_id,
                "treated_on": row.treated_on,
                "kind": row.kind,
                "status": row.status,
                "clinician": row.clinician,
                "sites": _site_text(row),
                "units": row.units,
                "unit": row.unit,
                "brand": row.brand,
            }
            for row in recall.rows
        ),
    )


@dataclass(frozen=True)
class Letter:
    """One patient's letter: their address and each session from the lot."""

    patient: str
    address: str | None
    sessions: list[RecallRow]


def recall_letters(recall: Recall) -> list[Letter]:
    """Group the sessions by patient: one letter each, in the list's order."""
    letters: dict[int, Letter] = {}
    for row in recall.rows:
        letter = letters.get(row.patient_id)
        if letter is None:
            name = f"{row.given_name} {row.family_name}"
            letter = letters[row.patient_id] = Letter(name, row.address, [])
        letter.sessions.append(row)
    return list(letters.values())
