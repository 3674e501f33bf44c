"""What each lot and open vial holds: received, used, wasted and on hand.

Two counts of the same stock are kept apart on purpose. The ledger says what
should be left: units received, less units charted on signed sessions, less
units recorded as waste. The count says what is physically there: unopened
vials times their size, plus what is left in each open vial. They agree while
every vial's use is charted against it and every closed vial's remainder was
recorded as waste; where they do not, the lot is shown with the difference.

Units are the product's own: a lot belongs to one product, and nothing here
adds units of two products together.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionStatus
from planner.models import StockLot
from planner.models import StockReceipt
from planner.models import StockWaste
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot

# Sums of float units are compared to this: a charted 2.5 U is exact, but a sum
# of many such doses may not be.
EPSILON = 1e-6
SECTION_LIMIT = 100


@dataclass(frozen=True)
class VialUse:
    """Units taken from one vial: charted on signed and draft sessions, wasted."""

    signed: float = 0.0
    draft: float = 0.0
    wasted: float = 0.0


def vial_use(session: Session, vial_ids: Iterable[int]) -> dict[int, VialUse]:
    """Return what was charted and wasted from each vial, by vial id."""
    ids = sorted(set(vial_ids))
    if not ids:
        return {}
    signed: dict[int, float] = defaultdict(float)
    draft: dict[int, float] = defaultdict(float)
    # Each site counts against the vial it was drawn from, not the session's.
    charted = session.exec(
        select(
            InjectionSite.vial_lot_id,
            TreatmentSession.status,
            func.sum(InjectionSite.units),
        )
        .join(InjectionSite, col(InjectionSite.session_id) == col(TreatmentSession.id))
        .where(col(InjectionSite.vial_lot_id).in_(ids))
        .group_by(col(InjectionSite.vial_lot_id), col(TreatmentSession.status))
    ).all()
    for vial_id, status, units in charted:
        assert vial_id is not None
        if status == SessionStatus.DISCARDED:
            continue  # a discarded draft drew nothing from the vial
        target = signed if status == SessionStatus.SIGNED else draft
        target[vial_id] += float(units or 0)
    wasted = dict(
        session.exec(
            select(StockWaste.vial_lot_id, func.sum(StockWaste.units))
            .where(col(StockWaste.vial_lot_id).in_(ids))
            .group_by(col(StockWaste.vial_lot_id))
        ).all()
    )
    return {
        vial_id: VialUse(
            signed[vial_id], draft[vial_id], float(wasted.get(vial_id) or 0)
        )
        for vial_id in ids
    }


def remainder(vial: VialLot, use: VialUse) -> float:
    """Units still in a vial by the signed charts: its size less use and waste."""
    return vial.vial_units - use.signed - use.wasted


@dataclass(frozen=True)
class OpenVial:
    """A vial in use: what has gone from it and what is left, by the charts."""

    id: int
    product: str
    # The brand on the vial's box: the product's, or another it is sold under.
    brand: str
    unit: str
    lot_number: str
    stock_lot_id: int | None
    opened_at: datetime | None
    opened_by: str | None
    diluent_ml: float
    diluent: str | None
    discard_by: datetime | None
    vial_units: int
    used: float
    draft: float
    wasted: float
    left: float
    overdue: bool

    @property
    def in_use_unknown(self) -> bool:
        """No reconstitution time, so no discard-by: a vial recorded before every
        new vial was given one (review rW, W5)."""
        return self.discard_by is None

    @property
    def to_waste(self) -> float:
        """What closing the vial now records as waste: unsigned charts keep theirs."""
        return max(self.left - self.draft, 0.0)


def _open_vial(
    vial: VialLot, product: Product, opener: str | None, use: VialUse, now: datetime
) -> OpenVial:
    assert vial.id is not None
    return OpenVial(
        id=vial.id,
        product=product.brand,
        brand=vial.brand,
        unit=product.unit_name,
        lot_number=vial.lot_number,
        stock_lot_id=vial.stock_lot_id,
        opened_at=vial.reconstituted_at,
        opened_by=opener,
        diluent_ml=vial.diluent_ml,
        diluent=vial.diluent,
        discard_by=vial.discard_by,
        vial_units=vial.vial_units,
        used=use.signed,
        draft=use.draft,
        wasted=use.wasted,
        left=remainder(vial, use),
        overdue=vial.discard_by is not None and vial.discard_by < now,
    )


def _open_vial_rows(
    session: Session, condition: ColumnElement[bool], now: datetime, limit: int | None
) -> list[OpenVial]:
    query = (
        select(VialLot, Product, User.name)
        .join(Product, col(Product.id) == col(VialLot.product_id))
        .outerjoin(User, col(User.id) == col(VialLot.opened_by_id))
        .where(condition)
        # Known discard-by times first, soonest first; unknown ones after them.
        .order_by(
            col(VialLot.discard_by).is_(None), col(VialLot.discard_by), col(VialLot.id)
        )
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.exec(query).all()
    uses = vial_use(session, (vial.id for vial, _, _ in rows if vial.id))
    return [
        _open_vial(vial, product, name, uses.get(vial.id or 0, VialUse()), now)
        for vial, product, name in rows
    ]


def open_vials(session: Session, *, now: datetime) -> list[OpenVial]:
    """Return every vial not yet closed, its in-use time unknown or not."""
    return _open_vial_rows(session, col(VialLot.closed_at).is_(None), now, None)


@dataclass(frozen=True)
class VialsToClose:
    """Open vials past their in-use time: their remainder is still to be recorded."""

    vials: list[OpenVial]
    total: int


def vials_to_close(
    session: Session, *, now: datetime, limit: int = SECTION_LIMIT
) -> VialsToClose:
    """Return the open vials whose in-use time has ended, oldest first, counted."""
    condition = col(VialLot.closed_at).is_(None) & (col(VialLot.discard_by) < now)
    total = session.exec(select(func.count()).select_from(VialLot).where(condition))
    return VialsToClose(
        _open_vial_rows(session, condition, now, limit), int(total.one())
    )


@dataclass(frozen=True)
class LotBalance:
    """One stock lot's ledger and count, in its product's units.

    ``on_hand`` is the ledger (received less used less wasted); ``counted`` is
    unopened vials times their size plus what is left in open vials;
    ``difference`` is the one less the other, zero when the lot reconciles.
    """

    id: int
    product_id: int
    product: str
    # The brand on the lot's boxes: the product's, or another it is sold under.
    brand: str
    unit: str
    lot_number: str
    expiry_date: date
    vial_units: int
    places: tuple[str, ...]
    received_vials: int
    opened_vials: int
    discarded_vials: int
    open_vials: int
    received: float
    used: float
    wasted: float
    open_left: float
    draft: float
    # Open vials with more charted from them than they hold, and by how much.
    overdrawn_vials: int = 0
    overdrawn: float = 0.0
    # Alerts, set against the clinic's day and horizon by stock_by_product.
    expired: bool = False
    expiring: bool = False

    @property
    def unopened_vials(self) -> int:
        return self.received_vials - self.opened_vials - self.discarded_vials

    @property
    def on_hand(self) -> float:
        return self.received - self.used - self.wasted

    @property
    def counted(self) -> float:
        return self.unopened_vials * self.vial_units + self.open_left

    @property
    def difference(self) -> float:
        value = self.on_hand - self.counted
        return 0.0 if abs(value) < EPSILON else value

    @property
    def problems(self) -> list[str]:
        """Say in words why the lot does not reconcile, if it does not."""
        found = []
        if self.unopened_vials < 0:
            found.append(
                f"{-self.unopened_vials} more vial(s) opened or discarded than "
                "were received: a delivery may be missing"
            )
        if self.difference > 0:
            found.append(
                f"{self.difference:g} {self.unit} in closed vials is neither charted "
                "on a signed session nor recorded as waste"
            )
        elif self.difference < 0:
            found.append(
                f"{-self.difference:g} {self.unit} more is charted on signed sessions "
                "and recorded as waste than the closed vials held: a vial was drawn "
                "from after it was closed, or a dose or waste entry is wrong"
            )
        if self.overdrawn_vials:
            vials = (
                "1 open vial beyond what it holds"
                if self.overdrawn_vials == 1
                else f"{self.overdrawn_vials} open vials beyond what they hold"
            )
            found.append(
                f"{self.overdrawn:g} {self.unit} is charted from {vials}: an "
                "over-draw. A chart may name the wrong vial, or another vial was "
                "opened and not recorded, so the unopened count may be too high"
            )
        if self.draft > EPSILON:
            found.append(
                f"{self.draft:g} {self.unit} is charted on unsigned sessions, "
                "not yet counted as used"
            )
        return found


def lot_balances(
    session: Session, *, lot_ids: Iterable[int] | None = None
) -> list[LotBalance]:
    """Return each stock lot's ledger and count, by product then expiry."""
    query = select(StockLot, Product).join(
        Product, col(Product.id) == col(StockLot.product_id)
    )
    if lot_ids is not None:
        query = query.where(col(StockLot.id).in_(list(lot_ids)))
    lots = session.exec(
        query.order_by(
            col(Product.brand), col(StockLot.expiry_date), col(StockLot.lot_number)
        )
    ).all()
    ids = [lot.id for lot, _ in lots if lot.id is not None]
    if not ids:
        return []
    receipts = session.exec(
        select(
            StockReceipt.stock_lot_id, StockReceipt.vials, StockReceipt.storage_place
        ).where(col(StockReceipt.stock_lot_id).in_(ids))
    ).all()
    received: dict[int, int] = defaultdict(int)
    places: dict[int, list[str]] = defaultdict(list)
    for lot_id, count, place in receipts:
        received[lot_id] += count
        if place not in places[lot_id]:
            places[lot_id].append(place)
    discards = session.exec(
        select(
            StockWaste.stock_lot_id,
            func.sum(StockWaste.vials),
            func.sum(StockWaste.units),
        )
        .where(col(StockWaste.stock_lot_id).in_(ids))
        .group_by(col(StockWaste.stock_lot_id))
    ).all()
    discarded = {lot_id: (int(v or 0), float(u or 0)) for lot_id, v, u in discards}
    vials = session.exec(
        select(VialLot).where(col(VialLot.stock_lot_id).in_(ids))
    ).all()
    uses = vial_use(session, (vial.id for vial in vials if vial.id))
    by_lot: dict[int, list[VialLot]] = defaultdict(list)
    for vial in vials:
        assert vial.stock_lot_id is not None
        by_lot[vial.stock_lot_id].append(vial)
    balances = []
    for lot, product in lots:
        assert lot.id is not None
        mine = by_lot[lot.id]
        vial_uses = [(vial, uses.get(vial.id or 0, VialUse())) for vial in mine]
        gone_vials, gone_units = discarded.get(lot.id, (0, 0.0))
        overdrawn = [
            -left
            for left in (
                remainder(vial, use)
                for vial, use in vial_uses
                if vial.closed_at is None
            )
            if left < -EPSILON
        ]
        balances.append(
            LotBalance(
                id=lot.id,
                product_id=product.id or 0,
                product=product.brand,
                brand=lot.brand,
                unit=product.unit_name,
                lot_number=lot.lot_number,
                expiry_date=lot.expiry_date,
                vial_units=lot.vial_units,
                places=tuple(places[lot.id]),
                received_vials=received[lot.id],
                opened_vials=len(mine),
                discarded_vials=gone_vials,
                open_vials=sum(1 for vial in mine if vial.closed_at is None),
                received=float(received[lot.id] * lot.vial_units),
                used=sum(use.signed for _, use in vial_uses),
                wasted=gone_units + sum(use.wasted for _, use in vial_uses),
                open_left=sum(
                    remainder(vial, use)
                    for vial, use in vial_uses
                    if vial.closed_at is None
                ),
                draft=sum(use.draft for _, use in vial_uses),
                overdrawn_vials=len(overdrawn),
                overdrawn=sum(overdrawn),
            )
        )
    return balances
