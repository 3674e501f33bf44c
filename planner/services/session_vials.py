"""The vial a new session draws from: one on the list, or a new one from the form.

A vial of another product than the one chosen is a mistake on the form, named by
its field (never a missing page): units of two products are not interchangeable.
A closed vial, or a lot past its expiry on the clinic's day, is refused by the
same rule whether it is picked from the list or its details are typed again.
"""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.dosing.records import format_day
from planner.errors import InvalidInput
from planner.models import Product
from planner.models import VialLot
from planner.services import lots as lot_service
from planner.services.audit import Actor
from planner.validation import ascii_number

CHOOSE = "choose a vial, or a new vial and its details"
CLOSED = "That vial is closed."
EXPIRED = "That vial is past its expiry."


def _refuse(message: str, reason: str) -> InvalidInput:
    return InvalidInput(message, fields={"lot_choice": reason})


def listed_vial(
    session: Session, product: Product, lot_choice: str, *, today: date
) -> VialLot:
    """Return the chosen vial from the list if it is usable with this product."""
    lot_id = ascii_number(lot_choice)
    lot = session.get(VialLot, lot_id) if lot_id is not None else None
    if lot is None:
        raise _refuse("That vial is not on the list.", f"is not on the list; {CHOOSE}")
    if lot.product_id != product.id:
        other = session.get(Product, lot.product_id)
        brand = other.brand if other else "another product's"
        raise _refuse(
            f"The vial chosen is {brand}, not {product.brand}.",
            f"is a {brand} vial: choose a {product.brand} vial, a new vial, "
            "or change the product",
        )
    if lot.closed_at is not None:
        raise _refuse(CLOSED, f"is closed; {CHOOSE}")
    if lot.expiry_date < today:
        raise _refuse(EXPIRED, f"is past its expiry; {CHOOSE}")
    return lot


def typed_vial(
    session: Session,
    actor: Actor,
    product: Product,
    data: dict[str, Any],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> VialLot:
    """Return a vial typed as new, refused as the list refuses it.

    Its details may name a vial already recorded (the same lot and
    reconstitution time): that vial, closed, is not drawn from again.
    """
    built = lot_service.build_lot(product, data, zone=zone)
    today = clinic_today(zone, now)
    if built.expiry_date < today:
        raise InvalidInput(
            EXPIRED,
            fields={
                "expiry_date": f"is {format_day(built.expiry_date)}, before today "
                f"({format_day(today)}): a vial past its expiry is not used; "
                "check the carton"
            },
        )
    lot = lot_service.add_lot(session, actor, built, now=now)
    if lot.closed_at is not None:
        closed = lot.closed_at.astimezone(zone)
        raise InvalidInput(
            CLOSED,
            fields={
                "lot_number": f"names a vial that was closed at {closed:%H:%M} on "
                f"{format_day(closed.date())}, and a closed vial is not drawn from "
                "again; for another vial of this lot, enter its own reconstitution "
                "time"
            },
        )
    return lot


def choose_vial(
    session: Session,
    actor: Actor,
    product: Product,
    lot_choice: str,
    data: dict[str, Any],
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> VialLot:
    """Return the session's vial: a listed one, or a new one added (not committed)."""
    now = now or utc_now()
    if lot_choice == "new":
        return typed_vial(session, actor, product, data, zone=zone, now=now)
    if not lot_choice:
        raise _refuse("Choose the vial you are using.", f"is required: {CHOOSE}")
    return listed_vial(session, product, lot_choice, today=clinic_today(zone, now))
