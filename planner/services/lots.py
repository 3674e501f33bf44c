"""Vial lots: the batch, expiry and dilution of the toxin used at the chair."""

from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from sqlalchemy import Subquery
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.clinic_time import clinic_today
from planner.clinic_time import wall_clock_gap
from planner.db_types import utc_now
from planner.dosing.records import format_day
from planner.errors import InvalidInput
from planner.models import Product
from planner.models import SessionStatus
from planner.models import StockLot
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.services.audit import Actor
from planner.services.audited_rows import add_audited
from planner.services.charted_products import chartable
from planner.services.charted_products import require_chartable
from planner.services.lot_brands import Brand
from planner.services.lot_brands import choose_brand
from planner.services.lot_brands import vial_size_problem
from planner.services.site_vials import session_vials
from planner.validation import blank_as_none
from planner.validation import parse_input
from planner.validation import strip_or_none
from planner.validation import strip_text


class VialLotCreate(BaseModel):
    """A vial as the clinician reads it off the carton and prepares it.

    Built from the whole session form, so the form's other fields are ignored.
    """

    model_config = ConfigDict(extra="ignore")

    # The brand on the box, one of the product's; blank is its main brand.
    brand: str | None = Field(default=None, max_length=80)
    lot_number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-/.]+$")
    expiry_date: date
    vial_units: int = Field(gt=0, le=1000)
    diluent_ml: float = Field(gt=0, le=10)
    # What the vial was reconstituted with, as on the diluent's label.
    diluent: str | None = Field(default=None, max_length=80)
    reconstituted_at: datetime | None = None

    _stripped = field_validator("lot_number", mode="before")(strip_text)
    _blank_is_none = field_validator("reconstituted_at", mode="before")(blank_as_none)
    _optional = field_validator("diluent", "brand", mode="before")(strip_or_none)

    # Plain words for a mistyped value, never the parser's own message.
    @field_validator("expiry_date", mode="before")
    @classmethod
    def _a_date(cls, value: object) -> object:
        return plain_parse(value, date.fromisoformat, EXPIRY_HELP)

    @field_validator("reconstituted_at", mode="before")
    @classmethod
    def _a_moment(cls, value: object) -> object:
        return plain_parse(value, datetime.fromisoformat, RECONSTITUTED_HELP)

    @field_validator("vial_units", mode="before")
    @classmethod
    def _whole(cls, value: object) -> object:
        return plain_parse(value, int, "must be a whole number of units, e.g. 100")

    @field_validator("diluent_ml", mode="before")
    @classmethod
    def _millilitres(cls, value: object) -> object:
        return plain_parse(value, float, "must be a number of mL, e.g. 2.5")


EXPIRY_HELP = "is not a date. Enter the expiry as a date, e.g. 2027-03-31"
RECONSTITUTED_HELP = (
    "is not a date and time. Enter it as a date and time, e.g. 2026-12-05 09:30"
)


def plain_parse(
    value: object, parse: Callable[[str], object], help_text: str
) -> object:
    """Parse a typed text, or raise ValueError with plain words; blank stays blank."""
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        return parse(value.strip())
    except ValueError:
        raise ValueError(help_text) from None


def get_product(session: Session, code: str) -> Product:
    """Return an active product planner can chart, for a chart, vial or delivery.

    :raises InvalidInput: naming ``product`` for an unknown or inactive product,
        or one the dose reference does not list (``NoDoseReference``).
    """
    product = session.exec(select(Product).where(Product.code == code)).first()
    if product is None or not product.active:
        raise InvalidInput(
            "Choose a product.", fields={"product": "is not a known product"}
        )
    require_chartable(product)
    return product


def list_products(session: Session) -> list[Product]:
    """Return the active products planner can chart, by brand."""
    found = session.exec(
        select(Product).where(col(Product.active)).order_by(Product.brand)
    )
    return [product for product in found if chartable(product)]


def _first_uses() -> Subquery:
    """Each vial's earliest treatment time on a session not discarded.

    A session counts for every vial it used: its sites' and its vial in use.
    """
    used = session_vials()
    return (
        select(
            used.c.vial_lot_id,
            func.min(TreatmentSession.performed_at).label("first_used_at"),
        )
        .join(used, used.c.session_id == col(TreatmentSession.id))
        .where(col(TreatmentSession.status) != SessionStatus.DISCARDED)
        .group_by(used.c.vial_lot_id)
        .subquery()
    )


def first_used_at(session: Session, lot_id: int) -> datetime | None:
    """Return when a vial was first charted from: it was reconstituted by then."""
    uses = _first_uses()
    return session.exec(
        select(uses.c.first_used_at).where(uses.c.vial_lot_id == lot_id)
    ).first()


def list_usable_lots(
    session: Session, *, now: datetime, zone: tzinfo
) -> dict[str, list[VialLot]]:
    """Return vials that can still be used, by product code, newest first.

    A vial is offered while it is in date on the clinic's day (the day
    ``choose_vial`` checks), not closed and, once reconstituted, within its
    product's in-use time (24 h; Daxxify 72 h), so the list stays short. A vial
    with no reconstitution time was reconstituted by its first charted use, so
    it leaves the list once that use is older than the in-use time.
    """
    longest = max((p.in_use_hours for p in list_products(session)), default=72)
    since = now - timedelta(hours=longest)
    uses = _first_uses()
    rows = session.exec(
        select(Product.code, Product.in_use_hours, VialLot, uses.c.first_used_at)
        .join(VialLot, col(VialLot.product_id) == col(Product.id))
        .outerjoin(uses, uses.c.vial_lot_id == col(VialLot.id))
        .where(
            col(VialLot.expiry_date) >= clinic_today(zone, now),
            col(VialLot.closed_at).is_(None),
            (col(VialLot.reconstituted_at) >= since)
            | (
                col(VialLot.reconstituted_at).is_(None)
                & (uses.c.first_used_at.is_(None) | (uses.c.first_used_at >= since))
            ),
        )
        .order_by(col(VialLot.created_at).desc())
        .limit(100)
    ).all()
    lots: dict[str, list[VialLot]] = {}
    for code, hours, lot, first_use in rows:
        opened = lot.reconstituted_at or first_use
        if opened is None or opened >= now - timedelta(hours=hours):
            lots.setdefault(code, []).append(lot)
    return lots


def _check_dilution(
    product: Product, brand: Brand, vial_units: float, diluent_ml: float, data: Any
) -> None:
    """Refuse an impossible diluent; ask to confirm one off the dilution table.

    A decimal slip in the diluent multiplies every volume drawn at the chair, so an
    off-label dilution is saved only once its units per 0.1 mL are confirmed.
    """
    problem = dosing.diluent_problem(diluent_ml)
    if problem is not None:
        raise InvalidInput(
            "The diluent volume cannot be right.", fields={"diluent_ml": problem}
        )
    check = dosing.check_dilution(
        brand.name,
        brand.dilutions,
        vial_units,
        diluent_ml,
        unit_name=product.unit_name,
    )
    confirmed = str(data.get("dilution_confirmed", "")).lower() in {"true", "on", "1"}
    if not check.on_label and not confirmed:
        raise InvalidInput(
            f"{check.shown}: not a dilution in the {brand.name} dilution table.",
            fields={
                "dilution_confirmed": f"{check.shown} is off the {brand.name} "
                "dilution table: check the diluent volume, then tick to confirm it"
            },
        )


def _on_clinic_clock(entered: datetime, zone: Any) -> datetime:
    """Read a reconstitution time on the clinic's clock, as the treatment time is
    read: one the clocks skipped is refused (the vial's in-use time counts from
    it); one they showed twice is its first, as a clock on the wall reads."""
    try:
        skipped = wall_clock_gap(entered, zone) == "skipped"
    except OverflowError:
        # Year 1 or 9999 shifted by the zone's offset leaves the calendar.
        raise InvalidInput(
            "Some vial details need correcting.",
            fields={"reconstituted_at": "is not a time the clinic's clock shows"},
        ) from None
    if skipped:
        raise InvalidInput(
            "That time did not exist on the clinic's clock.",
            fields={
                "reconstituted_at": "falls in the hour the clocks went forward on "
                f"{format_day(entered.date())}: enter the time the clinic's "
                "clocks showed"
            },
        )
    return entered.replace(tzinfo=zone)


def build_lot(product: Product, data: Any, *, zone: Any) -> VialLot:
    """Validate a new vial's details; a time without a zone is clinic time."""
    lot_in = parse_input(VialLotCreate, data, "Some vial details need correcting.")
    brand = choose_brand(product, lot_in.brand)
    problem = vial_size_problem(product, brand, lot_in.vial_units)
    if problem is not None:
        raise InvalidInput(
            "That vial size does not exist for this brand.",
            fields={"vial_units": problem},
        )
    _check_dilution(product, brand, lot_in.vial_units, lot_in.diluent_ml, data)
    reconstituted = lot_in.reconstituted_at
    if reconstituted is not None and reconstituted.tzinfo is None:
        reconstituted = _on_clinic_clock(reconstituted, zone)
    assert product.id is not None
    return VialLot(
        product_id=product.id,
        brand=brand.name,
        lot_number=lot_in.lot_number,
        expiry_date=lot_in.expiry_date,
        vial_units=lot_in.vial_units,
        diluent_ml=lot_in.diluent_ml,
        diluent=lot_in.diluent,
        reconstituted_at=reconstituted,
    )


def check_carton(
    stock: StockLot,
    carton: tuple[str, date, int],
    *,
    since: str,
    message: str,
) -> None:
    """Refuse a carton whose brand, expiry or vial size differs from its stock lot's.

    ``carton`` is (brand, expiry date, vial units) as read off the box.

    :raises InvalidInput: naming each field that differs and what it was.
    """
    brand, expiry_date, vial_units = carton
    errors = {}
    if stock.brand != brand:
        errors["brand"] = (
            f"was {stock.brand} when lot {stock.lot_number} was {since}; "
            "check the carton"
        )
    if stock.expiry_date != expiry_date:
        errors["expiry_date"] = (
            f"was {stock.expiry_date.isoformat()} when lot {stock.lot_number} was "
            f"{since}; check the carton"
        )
    if stock.vial_units != vial_units:
        errors["vial_units"] = (
            f"was {stock.vial_units} when lot {stock.lot_number} was {since}; "
            "check the carton"
        )
    if errors:
        raise InvalidInput(message, fields=errors)


def _from_stock(session: Session, lot: VialLot) -> StockLot | None:
    """Return the stock lot a vial comes from, checking the carton's details.

    Stock lot numbers are kept in capitals, so a lot typed in either case is
    found; a vial of a lot never received is not from stock.
    """
    stock = session.exec(
        select(StockLot).where(
            StockLot.product_id == lot.product_id,
            StockLot.lot_number == lot.lot_number.upper(),
        )
    ).first()
    if stock is None:
        return None
    check_carton(
        stock,
        (lot.brand, lot.expiry_date, lot.vial_units),
        since="received into stock",
        message="This vial's details differ from its lot in stock.",
    )
    return stock


def add_lot(
    session: Session, actor: Actor, lot: VialLot, *, now: datetime | None = None
) -> VialLot:
    """Add a built lot to the caller's unit of work, or reuse the same vial.

    One reconstituted vial often serves several patients: the same lot number
    and reconstitution time is the same vial, so its row is shared. If the
    details disagree, one of the entries is wrong and the clinician must check.

    A new vial records who opened it and the time its product's in-use hours
    end (its discard-by time). Its reconstitution time, if not given, is now,
    on every path that opens one (a new session, a vial switch, a vial of a lot
    in stock): a vial with no time had no discard-by, so it dropped off Stock's
    open vials and the worklist while doses were drawn from it (review rW, W5).
    A vial of a lot received into stock is taken from that lot.
    """
    stock = _from_stock(session, lot)
    if stock is not None:
        lot.stock_lot_id = stock.id
        lot.lot_number = stock.lot_number
    if lot.reconstituted_at is None:
        lot.reconstituted_at = now or utc_now()
    same = session.exec(
        select(VialLot).where(
            VialLot.product_id == lot.product_id,
            VialLot.lot_number == lot.lot_number,
            VialLot.reconstituted_at == lot.reconstituted_at,
        )
    ).first()
    if same is not None:
        details = ("brand", "expiry_date", "vial_units", "diluent_ml")
        if all(getattr(same, name) == getattr(lot, name) for name in details):
            return same
        raise InvalidInput(
            "This vial was recorded before with other details.",
            fields={
                "lot_number": "was recorded for this reconstitution time with a "
                f"different brand, expiry, size or dilution ({same.brand}, "
                f"{same.expiry_date}, {same.vial_units} U in "
                f"{same.diluent_ml:g} mL); check the carton"
            },
        )
    product = session.get(Product, lot.product_id)
    assert product is not None
    lot.opened_by_id = actor.user_id
    # In real hours: in the clinic's zone a clock change would add or drop one.
    opened = lot.reconstituted_at.astimezone(UTC)
    lot.discard_by = opened + timedelta(hours=product.in_use_hours)
    return add_audited(session, actor, lot, "vial_lot")
