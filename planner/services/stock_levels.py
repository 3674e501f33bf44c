"""Stock levels: each product's lots on hand, its alerts, and vials to open.

Alerts follow the clinic's own thresholds (clinic settings, not sourced facts):
a lot is expiring within ``stock_expiry_alert_days`` of today, and a product is
low when fewer than ``stock_low_vials`` unopened in-date vials are left.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from planner.models import Product
from planner.services.settings import get_setting_value
from planner.services.stock_ledger import LotBalance
from planner.services.stock_ledger import lot_balances

EXPIRY_ALERT_DAYS = ("stock_expiry_alert_days", 60)
LOW_STOCK_VIALS = ("stock_low_vials", 2)


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class ProductStock:
    """One product's lots, and its units on hand: never added to another's.

    ``low`` when fewer unopened in-date vials are left than the clinic's
    threshold.
    """

    product: str
    unit: str
    lots: list[LotBalance] = field(default_factory=list)
    unopened_in_date: int = 0
    low: bool = False

    @property
    def on_hand(self) -> float:
        return sum(lot.on_hand for lot in self.lots)


def stock_by_product(
    session: Session,
    *,
    today: date,
    expiry_days: int,
    low_vials: int,
    show_all: bool = False,
) -> list[ProductStock]:
    """Group the lots by product with their alerts; unless ``show_all``, only live lots.

    A lot is live while it has unopened vials or open ones, or does not
    reconcile; an empty, reconciled lot is history. A lot is expiring when its
    expiry date is within ``expiry_days`` of ``today``; a product is low when
    fewer than ``low_vials`` unopened vials of it are in date.
    """
    horizon = today + timedelta(days=expiry_days)
    lots: dict[int, list[LotBalance]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for lot in lot_balances(session):
        names[lot.product_id] = (lot.product, lot.unit)
        lots[lot.product_id].append(
            replace(
                lot,
                expired=lot.expiry_date < today,
                expiring=today <= lot.expiry_date <= horizon,
            )
        )
    products = []
    for product_id, mine in lots.items():
        unopened = sum(max(lot.unopened_vials, 0) for lot in mine if not lot.expired)
        shown = [
            lot
            for lot in mine
            if show_all or lot.unopened_vials > 0 or lot.open_vials or lot.problems
        ]
        product, unit = names[product_id]
        products.append(
            ProductStock(product, unit, shown, unopened, low=unopened < low_vials)
        )
    return products


@dataclass(frozen=True)
class StockOverview:
    """The stock page: each product's lots, and the thresholds its alerts used."""

    products: list[ProductStock]
    expiry_days: int
    low_vials: int

    @property
    def alerts(self) -> list[str]:
        """Say what needs ordering or using up: low products, lots near expiry."""
        found = []
        for product in self.products:
            if product.low:
                found.append(
                    f"{product.product}: {product.unopened_in_date} unopened vial(s) "
                    f"in date, fewer than the clinic's {self.low_vials}."
                )
            for lot in product.lots:
                if lot.unopened_vials <= 0:
                    continue
                name = f"{lot.brand} lot {lot.lot_number}"
                if lot.expired:
                    found.append(
                        f"{name}: expired {_day(lot.expiry_date)}; "
                        f"{lot.unopened_vials} unopened vial(s) to discard."
                    )
                elif lot.expiring:
                    found.append(
                        f"{name}: expires {_day(lot.expiry_date)}, within "
                        f"{self.expiry_days} days; {lot.unopened_vials} unopened."
                    )
        return found


def stock_overview(
    session: Session, *, today: date, show_all: bool = False
) -> StockOverview:
    """Return the stock by product, alerting by the clinic's own thresholds."""
    expiry_days = int(get_setting_value(session, *EXPIRY_ALERT_DAYS))
    low_vials = int(get_setting_value(session, *LOW_STOCK_VIALS))
    return StockOverview(
        stock_by_product(
            session,
            today=today,
            expiry_days=expiry_days,
            low_vials=low_vials,
            show_all=show_all,
        ),
        expiry_days,
        low_vials,
    )


@dataclass(frozen=True)
class StockOption:
    """A lot with unopened vials, offered when a vial is opened at the chair."""

    product_code: str
    product: str
    # The brand on the lot's boxes: the product's, or another it is sold under.
    brand: str
    unit: str
    lot_number: str
    expiry_date: date
    vial_units: int
    unopened: int
    places: tuple[str, ...]


def openable_stock(session: Session, *, today: date) -> list[StockOption]:
    """Return in-date lots with unopened vials, soonest expiry first."""
    codes = dict(session.exec(select(Product.id, Product.code)).all())
    options = [
        StockOption(
            product_code=codes[lot.product_id],
            product=lot.product,
            brand=lot.brand,
            unit=lot.unit,
            lot_number=lot.lot_number,
            expiry_date=lot.expiry_date,
            vial_units=lot.vial_units,
            unopened=lot.unopened_vials,
            places=lot.places,
        )
        for lot in lot_balances(session)
        if lot.unopened_vials > 0 and lot.expiry_date >= today
    ]
    return sorted(options, key=lambda o: (o.product, o.expiry_date, o.lot_number))
