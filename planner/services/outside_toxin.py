"""Botulinum toxin the patient was given elsewhere: recorded, listed, fed to the checks.

A cosmetic clinic's glabellar dose or a neurology service's dystonia dose counts
towards the patient's exposure as much as this clinic's, in that product's own
units. Only an injector or an admin records or removes one: it is a clinical flag
the chair's checks read (issue 13, findings 8 and 12).
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.db_types import utc_now
from planner.dosing.records import OUTSIDE
from planner.errors import InvalidInput
from planner.models import Product
from planner.models import User
from planner.models.patients import OutsideTreatment
from planner.models.patients import OutsideTreatmentCreate
from planner.services.actor_roles import CLINICAL_EDITORS
from planner.services.actor_roles import require_role
from planner.services.audit import Actor
from planner.services.audited_rows import add_audited
from planner.services.audited_rows import delete_audited
from planner.services.clinical_flags import OUTSIDE_ENTITY
from planner.services.lookup import get_patients_row
from planner.services.patients import get_patient
from planner.validation import parse_input

REFUSED = (
    "Only an injector or an admin records toxin given elsewhere: the chair's "
    "safety checks count it."
)


@dataclass(frozen=True)
class OutsideEntry:
    """One outside treatment as the patient page lists it."""

    id: int
    given_on: date
    brand: str
    units: float
    unit_name: str
    indication: str
    place: str
    recorded_by: str


def list_products(session: Session) -> list[Product]:
    """Return every product in the catalogue: one given elsewhere may be any of them."""
    return list(session.exec(select(Product).order_by(col(Product.brand))))


def list_outside_treatments(session: Session, patient_id: int) -> list[OutsideEntry]:
    """Return the patient's toxin given elsewhere, the latest first."""
    rows = session.exec(
        select(OutsideTreatment, Product, User.name)
        .join(Product, col(Product.id) == col(OutsideTreatment.product_id))
        .join(User, col(User.id) == col(OutsideTreatment.recorded_by_id))
        .where(OutsideTreatment.patient_id == patient_id)
        .order_by(col(OutsideTreatment.given_on).desc(), col(OutsideTreatment.id))
    ).all()
    return [
        OutsideEntry(
            id=row.id or 0,
            given_on=row.given_on,
            brand=product.brand,
            units=row.units,
            unit_name=product.unit_name,
            indication=row.indication,
            place=row.place,
            recorded_by=name,
        )
        for row, product, name in rows
    ]


def add_outside_treatment(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: Any,
    *,
    today: date,
    now: datetime | None = None,
) -> OutsideTreatment:
    """Record toxin given elsewhere; ``today`` is the clinic's calendar day.

    ``now`` (the clock unless given) is when it is recorded: an amendment of a
    chart signed before then does not count it (``outside_past_sessions``).
    """
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    patient = get_patient(session, patient_id)
    given: OutsideTreatmentCreate = parse_input(OutsideTreatmentCreate, data)
    errors: dict[str, str] = {}
    if session.get(Product, given.product_id) is None:
        errors["product_id"] = "is not a product in the catalogue"
    if given.given_on > today:
        errors["given_on"] = "cannot be in the future"
    elif given.given_on < patient.date_of_birth:
        errors["given_on"] = "cannot be before the patient's date of birth"
    if errors:
        raise InvalidInput("Some fields need correcting.", fields=errors)
    row = OutsideTreatment.model_validate(
        given,
        update={
            "patient_id": patient_id,
            "recorded_by_id": actor.user_id,
            "recorded_at": now or utc_now(),
        },
    )
    add_audited(session, actor, row, OUTSIDE_ENTITY, patient_id=patient_id)
    session.commit()
    return row


def remove_outside_treatment(
    session: Session, actor: Actor, patient_id: int, treatment_id: int
) -> None:
    """Remove an outside treatment recorded in error; the trail keeps what it was."""
    require_role(session, actor, CLINICAL_EDITORS, REFUSED)
    row = get_patients_row(
        session,
        OutsideTreatment,
        treatment_id,
        patient_id,
        "There is no such record of toxin given elsewhere.",
    )
    delete_audited(session, actor, row, OUTSIDE_ENTITY, patient_id=patient_id)
    session.commit()


def outside_past_sessions(
    session: Session, patient_id: int, *, as_of: datetime | None = None
) -> list[dosing.PastSession]:
    """Return the patient's toxin given elsewhere as the checks take it (kind outside).

    Its day is the calendar day it was given, as entered; its units are its own
    product's, never converted. ``as_of``: only what was recorded at or before
    that moment (an amendment's signing).
    """
    query = (
        select(OutsideTreatment, Product)
        .join(Product, col(Product.id) == col(OutsideTreatment.product_id))
        .where(OutsideTreatment.patient_id == patient_id)
    )
    if as_of is not None:
        query = query.where(col(OutsideTreatment.recorded_at) <= as_of)
    rows = session.exec(query).all()
    return [
        dosing.PastSession(
            performed_on=row.given_on,
            kind=OUTSIDE,
            product_code=product.code,
            units_total=row.units,
            where=f"{row.place}, {row.indication}",
            brand=product.brand,
            unit_name=product.unit_name,
        )
        for row, product in rows
    ]
