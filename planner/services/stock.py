"""Vial stock: deliveries received, toxin wasted, open vials closed.

Staff receive deliveries into stock lots; injectors record waste from an open
vial, close a vial by recording what is left in it as waste, and discard whole
unopened vials. Vials are opened at the chair (``services.lots.add_lot``).
What each lot holds is read in ``services.stock_ledger``.
"""

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import select

from planner.dosing.records import format_day
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import Product
from planner.models import StockLot
from planner.models import StockReceipt
from planner.models import StockWaste
from planner.models import User
from planner.models import VialLot
from planner.models import WasteReason
from planner.services import lots as lot_service
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.audited_rows import add_audited
from planner.services.lookup import get_or_raise
from planner.services.lot_brands import Brand
from planner.services.lot_brands import choose_brand
from planner.services.lot_brands import vial_size_problem
from planner.services.stock_ledger import EPSILON
from planner.services.stock_ledger import lot_balances
from planner.services.stock_ledger import remainder
from planner.services.stock_ledger import vial_use
from planner.validation import parse_input
from planner.validation import strip_or_none
from planner.validation import strip_text

LOT_PATTERN = r"^[A-Za-z0-9\-/.]+$"


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


# Properties to receive with a delivery; unknown fields are refused.
class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: str = Field(min_length=1, max_length=32)
    # The brand on the box, one of the product's; blank is its main brand.
    brand: str | None = Field(default=None, max_length=80)
    lot_number: str = Field(min_length=1, max_length=40, pattern=LOT_PATTERN)
    expiry_date: date
    vial_units: int = Field(gt=0, le=1000)
    vials: int = Field(ge=1, le=500)
    supplier: str = Field(min_length=1, max_length=120)
    received_on: date
    storage_place: str = Field(min_length=1, max_length=80)
    note: str | None = Field(default=None, max_length=500)

    _capitals = field_validator("lot_number", mode="before")(_upper)
    _stripped = field_validator("product", "supplier", "storage_place", mode="before")(
        strip_text
    )
    _optional = field_validator("note", "brand", mode="before")(strip_or_none)


def _check_receipt(
    product: Product, brand: Brand, data: ReceiptCreate, today: date
) -> None:
    errors: dict[str, str] = {}
    problem = vial_size_problem(product, brand, data.vial_units)
    if problem is not None:
        errors["vial_units"] = problem
    if data.received_on > today:
        errors["received_on"] = "cannot be in the future"
    if data.expiry_date < data.received_on:
        errors["expiry_date"] = (
            "is before the delivery date: expired stock cannot be received"
        )
    if errors:
        raise InvalidInput("Some delivery details need correcting.", fields=errors)


def _lot_for_receipt(
    session: Session, actor: Actor, product: Product, brand: str, data: ReceiptCreate
) -> StockLot:
    """Return the product's stock lot of this number, made if new, checked if not."""
    assert product.id is not None
    lot = session.exec(
        select(StockLot).where(
            StockLot.product_id == product.id, StockLot.lot_number == data.lot_number
        )
    ).first()
    if lot is None:
        lot = StockLot(
            product_id=product.id,
            brand=brand,
            lot_number=data.lot_number,
            expiry_date=data.expiry_date,
            vial_units=data.vial_units,
        )
        return add_audited(session, actor, lot, "stock_lot")
    lot_service.check_carton(
        lot,
        (brand, data.expiry_date, data.vial_units),
        since="first received",
        message="This lot was received before with other details.",
    )
    return lot


def receive_stock(
    session: Session, actor: Actor, data: object, *, today: date
) -> StockReceipt:
    """Record a delivery of unopened vials into its lot, made if it is new."""
    receipt_in = parse_input(
        ReceiptCreate, data, "Some delivery details need correcting."
    )
    product = lot_service.get_product(session, receipt_in.product)
    brand = choose_brand(product, receipt_in.brand)
    _check_receipt(product, brand, receipt_in, today)
    lot = _lot_for_receipt(session, actor, product, brand.name, receipt_in)
    assert lot.id is not None
    assert actor.user_id is not None
    receipt = StockReceipt(
        stock_lot_id=lot.id,
        vials=receipt_in.vials,
        supplier=receipt_in.supplier,
        received_on=receipt_in.received_on,
        received_by_id=actor.user_id,
        storage_place=receipt_in.storage_place,
        note=receipt_in.note,
    )
    add_audited(session, actor, receipt, "stock_receipt")
    session.commit()
    return receipt


# Properties to receive when an open vial is closed: why what is left is waste.
class VialClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: WasteReason
    note: str | None = Field(default=None, max_length=500)

    _optional = field_validator("note", mode="before")(strip_or_none)


# Properties to receive when toxin is wasted from an open vial.
class VialWasteCreate(VialClose):
    units: float = Field(gt=0, le=1000)


# Properties to receive when whole unopened vials of a lot are discarded.
class DiscardCreate(VialClose):
    vials: int = Field(ge=1, le=500)


def get_vial(session: Session, vial_id: int) -> VialLot:
    return get_or_raise(session, VialLot, vial_id, f"There is no vial {vial_id}.")


def get_stock_lot(session: Session, lot_id: int) -> StockLot:
    return get_or_raise(session, StockLot, lot_id, f"There is no stock lot {lot_id}.")


def _closed_message(session: Session, vial: VialLot, zone: ZoneInfo) -> str:
    """Say who closed the vial and when, on the clinic's clock."""
    closer = session.get(User, vial.closed_by_id) if vial.closed_by_id else None
    who = f" by {closer.name}" if closer else ""
    assert vial.closed_at is not None
    local = vial.closed_at.astimezone(zone)
    return (
        f"This vial was already closed{who} at {local:%H:%M} on "
        f"{format_day(local.date())}; nothing was recorded."
    )


def _vial_waste(
    actor: Actor,
    vial: VialLot,
    units: float,
    details: VialClose,
    now: datetime,
) -> StockWaste:
    assert actor.user_id is not None
    return StockWaste(
        product_id=vial.product_id,
        vial_lot_id=vial.id,
        units=units,
        reason=details.reason,
        note=details.note,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )


def record_vial_waste(
    session: Session,
    actor: Actor,
    vial_id: int,
    data: object,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> StockWaste:
    """Record units lost from an open vial (dropped, spilled), no more than is left."""
    waste_in = parse_input(VialWasteCreate, data, "The waste needs correcting.")
    vial = get_vial(session, vial_id)
    if vial.closed_at is not None:
        raise Conflict(_closed_message(session, vial, zone))
    use = vial_use(session, [vial_id])[vial_id]
    left = remainder(vial, use) - use.draft
    if waste_in.units > left + EPSILON:
        raise InvalidInput(
            "That is more than is left in the vial.",
            fields={
                "units": f"is more than the {max(left, 0):g} left in the vial "
                "by its charts"
            },
        )
    waste = _vial_waste(actor, vial, waste_in.units, waste_in, now)
    add_audited(session, actor, waste, "stock_waste")
    session.commit()
    return waste


_VIALS = VialLot.__table__  # type: ignore[attr-defined]  # set by SQLModel


def close_vial(
    session: Session,
    actor: Actor,
    vial_id: int,
    data: object,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> StockWaste | None:
    """Close an open vial, recording what the charts leave in it as waste.

    Units charted on a session not yet signed are left for that chart, so that
    signing it later does not count them twice. Returns the waste recorded, or
    None when nothing was left. Of two people closing the same vial at once,
    one closes it and the other is told so.
    """
    close_in = parse_input(VialClose, data, "Closing the vial needs correcting.")
    vial = get_vial(session, vial_id)
    if vial.closed_at is not None:
        raise Conflict(_closed_message(session, vial, zone))
    before = snapshot(vial)
    claimed = session.connection().execute(
        update(_VIALS)
        .where(_VIALS.c.id == vial_id, _VIALS.c.closed_at.is_(None))
        .values(closed_at=now, closed_by_id=actor.user_id)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise Conflict(_closed_message(session, get_vial(session, vial_id), zone))
    session.refresh(vial)
    use = vial_use(session, [vial_id])[vial_id]
    left = remainder(vial, use) - use.draft
    waste = None
    if left > EPSILON:
        waste = _vial_waste(actor, vial, left, close_in, now)
        add_audited(session, actor, waste, "stock_waste")
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "vial_lot",
        vial.id,
        before={"closed_at": before["closed_at"], "closed_by_id": None},
        after={
            "closed_at": now.isoformat(),
            "closed_by_id": actor.user_id,
            "wasted": round(max(left, 0.0), 3),
        },
    )
    session.commit()
    return waste


def discard_unopened(
    session: Session, actor: Actor, lot_id: int, data: object, *, now: datetime
) -> StockWaste:
    """Record whole unopened vials of a lot as waste: expired, damaged, recalled."""
    discard_in = parse_input(DiscardCreate, data, "The discard needs correcting.")
    lot = get_stock_lot(session, lot_id)
    balance = lot_balances(session, lot_ids=[lot_id])[0]
    if discard_in.vials > balance.unopened_vials:
        raise InvalidInput(
            "That is more vials than are unopened.",
            fields={
                "vials": f"is more than the {max(balance.unopened_vials, 0)} "
                f"unopened vial(s) of lot {lot.lot_number}"
            },
        )
    assert actor.user_id is not None
    waste = StockWaste(
        product_id=lot.product_id,
        stock_lot_id=lot.id,
        vials=discard_in.vials,
        units=float(discard_in.vials * lot.vial_units),
        reason=discard_in.reason,
        note=discard_in.note,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    add_audited(session, actor, waste, "stock_waste")
    session.commit()
    return waste
