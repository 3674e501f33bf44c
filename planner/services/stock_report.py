"""The monthly usage and wastage report: per product, month by month.

Each product is reported in its own units and totalled only with itself. A month
is the clinic's calendar month: deliveries by the day received, vials by the
time reconstituted, use by the signed sessions' treatment time, waste by the
time recorded.

A lot is named with the brand on its box where that is not the product's own
(an Azzalure lot of Dysport, clinical reference §5): its units are still the
product's, and are totalled with that product's alone.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import day_start
from planner.clinic_time import local_day
from planner.interop.research_csv_cells import Column
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_cells import write_csv
from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionStatus
from planner.models import StockLot
from planner.models import StockReceipt
from planner.models import StockWaste
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.models import WasteReason
from planner.vocabulary import label

MONTHS = 12


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """Return the first day of the month ``count`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class MonthRow:
    """One product's month: units received, used and wasted, in its own units."""

    month: date
    received: float = 0.0
    opened_vials: int = 0
    used: float = 0.0
    sessions: int = 0
    patients: set[int] = field(default_factory=set)
    wasted: dict[WasteReason, float] = field(
        default_factory=lambda: dict.fromkeys(WasteReason, 0.0)
    )
    # Lots of the month under another brand than the product's: (brand, lot).
    other_brands: set[tuple[str, str]] = field(default_factory=set)

    @property
    def patient_count(self) -> int:
        return len(self.patients)

    @property
    def wasted_total(self) -> float:
        return sum(self.wasted.values())

    @property
    def wastage_percent(self) -> float | None:
        """Waste as a share of the toxin used or wasted; None when there was none."""
        spent = self.used + self.wasted_total
        return None if spent == 0 else 100 * self.wasted_total / spent

    def add(self, other: "MonthRow") -> None:
        self.received += other.received
        self.opened_vials += other.opened_vials
        self.used += other.used
        self.sessions += other.sessions
        self.patients |= other.patients
        for reason, units in other.wasted.items():
            self.wasted[reason] += units
        self.other_brands |= other.other_brands

    @property
    def other_brands_text(self) -> str:
        """Say "Azzalure lot AZ1; ..." for the month's lots of another brand."""
        return "; ".join(
            f"{brand} lot {lot}" for brand, lot in sorted(self.other_brands)
        )


@dataclass
class LotLine:
    """One lot of a product received, opened or wasted from in these months."""

    lot_number: str
    brand: str
    vial_units: int
    # The brand on the box where it is not the product's own; None when it is.
    other_brand: str | None
    received: int = 0
    opened: int = 0


@dataclass(frozen=True)
class ProductReport:
    product: str
    unit: str
    months: list[MonthRow]
    total: MonthRow
    lots: list[LotLine] = field(default_factory=list)

    @property
    def reasons(self) -> list[WasteReason]:
        """The reasons this product's toxin was wasted for, in these months."""
        return [reason for reason, units in self.total.wasted.items() if units]


@dataclass(frozen=True)
class StockReport:
    first: date
    last: date
    products: list[ProductReport]


def monthly_report(
    session: Session, *, last: date, zone: ZoneInfo, months: int = MONTHS
) -> StockReport:
    """Gather each product's months up to the month of ``last``, oldest first."""
    last = month_start(last)
    first = add_months(last, 1 - months)
    end = add_months(last, 1)
    starts, stops = day_start(first, zone), day_start(end, zone)
    rows: dict[tuple[int, date], MonthRow] = {}
    lots: dict[tuple[int, str, str], LotLine] = {}
    brands = dict(session.exec(select(Product.id, Product.brand)).all())

    def row(product_id: int, month: date) -> MonthRow:
        return rows.setdefault((product_id, month), MonthRow(month))

    def lot(
        product_id: int, month: date, number: str, brand: str, size: int
    ) -> LotLine:
        """Note a lot in a product's month; name it by brand if not the product's."""
        other = None if brand == brands.get(product_id) else brand
        if other is not None:
            row(product_id, month).other_brands.add((other, number))
        return lots.setdefault(
            (product_id, number, brand), LotLine(number, brand, size, other)
        )

    # Core selects: more columns than sqlmodel's typed select() takes.
    connection = session.connection()
    for product_id, received_on, vials, size, number, brand in connection.execute(
        sa_select(
            col(StockLot.product_id),
            col(StockReceipt.received_on),
            col(StockReceipt.vials),
            col(StockLot.vial_units),
            col(StockLot.lot_number),
            col(StockLot.brand),
        )
        .join(StockLot, col(StockLot.id) == col(StockReceipt.stock_lot_id))
        .where(
            col(StockReceipt.received_on) >= first, col(StockReceipt.received_on) < end
        )
    ):
        received = month_start(received_on)
        row(product_id, received).received += float(vials * size)
        lot(product_id, received, number, brand, size).received += vials
    for product_id, opened, number, brand, size in connection.execute(
        sa_select(
            col(VialLot.product_id),
            col(VialLot.reconstituted_at),
            col(VialLot.lot_number),
            col(VialLot.brand),
            col(VialLot.vial_units),
        ).where(
            col(VialLot.reconstituted_at) >= starts,
            col(VialLot.reconstituted_at) < stops,
        )
    ):
        assert opened is not None
        opened_in = month_start(local_day(opened, zone))
        row(product_id, opened_in).opened_vials += 1
        lot(product_id, opened_in, number, brand, size).opened += 1
    for product_id, performed, patient_id, units in session.exec(
        select(
            TreatmentSession.product_id,
            TreatmentSession.performed_at,
            TreatmentSession.patient_id,
            func.sum(InjectionSite.units),
        )
        .join(InjectionSite, col(InjectionSite.session_id) == col(TreatmentSession.id))
        .where(
            TreatmentSession.status == SessionStatus.SIGNED,
            col(TreatmentSession.performed_at) >= starts,
            col(TreatmentSession.performed_at) < stops,
        )
        .group_by(col(TreatmentSession.id))
    ):
        month = row(product_id, month_start(local_day(performed, zone)))
        month.used += float(units or 0)
        month.sessions += 1
        month.patients.add(patient_id)
    # Waste is from an open vial or from unopened vials of a stock lot.
    vial, stock = aliased(VialLot), aliased(StockLot)
    for product_id, recorded, reason, units, number, brand, size in connection.execute(
        sa_select(
            col(StockWaste.product_id),
            col(StockWaste.recorded_at),
            col(StockWaste.reason),
            col(StockWaste.units),
            func.coalesce(vial.lot_number, stock.lot_number),
            func.coalesce(vial.brand, stock.brand),
            func.coalesce(vial.vial_units, stock.vial_units),
        )
        .outerjoin(vial, col(vial.id) == col(StockWaste.vial_lot_id))
        .outerjoin(stock, col(stock.id) == col(StockWaste.stock_lot_id))
        .where(
            col(StockWaste.recorded_at) >= starts, col(StockWaste.recorded_at) < stops
        )
    ):
        wasted_in = month_start(local_day(recorded, zone))
        row(product_id, wasted_in).wasted[WasteReason(reason)] += units
        lot(product_id, wasted_in, number, brand, size)
    return StockReport(first, last, _by_product(session, rows, lots, first, months))


def _by_product(
    session: Session,
    rows: dict[tuple[int, date], MonthRow],
    lots: dict[tuple[int, str, str], LotLine],
    first: date,
    months: int,
) -> list[ProductReport]:
    """Lay out every month for each product that had any stock activity."""
    ids = sorted({product_id for product_id, _ in rows})
    products = session.exec(
        select(Product).where(col(Product.id).in_(ids)).order_by(col(Product.brand))
    ).all()
    reports = []
    for product in products:
        assert product.id is not None
        total = MonthRow(first)
        shown = []
        for index in range(months):
            month = add_months(first, index)
            found = rows.get((product.id, month), MonthRow(month))
            total.add(found)
            shown.append(found)
        own = [
            line for (owner, *_), line in sorted(lots.items()) if owner == product.id
        ]
        reports.append(
            ProductReport(product.brand, product.unit_name, shown, total, own)
        )
    return reports


REPORT_CSV = CsvFile(
    name="stock-usage",
    row="one product in one month",
    columns=(
        Column("month", "text", "The clinic's calendar month, YYYY-MM."),
        Column("product", "text", "The product's brand."),
        Column("unit", "text", "The product's unit: never another product's."),
        Column("received_units", "decimal", "Units delivered.", places=2),
        Column("vials_opened", "integer", "Vials reconstituted."),
        Column("used_units", "decimal", "Units on signed sessions.", places=2),
        Column("sessions", "integer", "Signed sessions."),
        Column("patients", "integer", "Patients treated."),
        *(
            Column(
                f"wasted_{reason.value}",
                "decimal",
                f"Units wasted: {label('waste_reason', reason).lower()}.",
                places=2,
            )
            for reason in WasteReason
        ),
        Column("wasted_units", "decimal", "Units wasted, all reasons.", places=2),
        Column(
            "wastage_percent",
            "decimal",
            "Wasted as a share of used plus wasted; empty when neither.",
            places=1,
        ),
        Column(
            "other_brands",
            "text",
            "Lots of the month sold under another brand than the product's, as "
            "'Azzalure lot AZ1; ...' (their units are the product's); empty when none.",
        ),
    ),
)


def report_csv(report: StockReport) -> Iterator[str]:
    """Yield the report as CSV text: a row per product and month."""
    return write_csv(
        REPORT_CSV,
        (
            {
                "month": month.month.strftime("%Y-%m"),
                "product": product.product,
                "unit": product.unit,
                "received_units": month.received,
                "vials_opened": month.opened_vials,
                "used_units": month.used,
                "sessions": month.sessions,
                "patients": month.patient_count,
                **{
                    f"wasted_{reason.value}": units
                    for reason, units in month.wasted.items()
                },
                "wasted_units": month.wasted_total,
                "wastage_percent": month.wastage_percent,
                "other_brands": month.other_brands_text,
            }
            for product in report.products
            for month in product.months
        ),
    )
