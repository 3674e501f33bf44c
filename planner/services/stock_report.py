"""The monthly usage and wastage report: per product, month by month.

Each product is reported in its own units and totalled only with itself. A month
is the clinic's calendar month: deliveries by the day received, vials by the
time reconstituted, use by the signed sessions' treatment time, waste by the
time recorded.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func
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


@dataclass(frozen=True)
class ProductReport:
    product: str
    unit: str
    months: list[MonthRow]
    total: MonthRow

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

    def row(product_id: int, month: date) -> MonthRow:
        return rows.setdefault((product_id, month), MonthRow(month))

    for product_id, received_on, vials, size in session.exec(
        select(
            StockLot.product_id,
            col(StockReceipt.received_on),
            StockReceipt.vials,
            StockLot.vial_units,
        )
        .join(StockLot, col(StockLot.id) == col(StockReceipt.stock_lot_id))
        .where(
            col(StockReceipt.received_on) >= first, col(StockReceipt.received_on) < end
        )
    ):
        row(product_id, month_start(received_on)).received += float(vials * size)
    for product_id, opened in session.exec(
        select(VialLot.product_id, VialLot.reconstituted_at).where(
            col(VialLot.reconstituted_at) >= starts,
            col(VialLot.reconstituted_at) < stops,
        )
    ):
        assert opened is not None
        row(product_id, month_start(local_day(opened, zone))).opened_vials += 1
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
    for product_id, recorded, reason, units in session.exec(
        select(
            StockWaste.product_id,
            StockWaste.recorded_at,
            StockWaste.reason,
            StockWaste.units,
        ).where(
            col(StockWaste.recorded_at) >= starts, col(StockWaste.recorded_at) < stops
        )
    ):
        month = row(product_id, month_start(local_day(recorded, zone)))
        month.wasted[WasteReason(reason)] += units
    return StockReport(first, last, _by_product(session, rows, first, months))


def _by_product(
    session: Session,
    rows: dict[tuple[int, date], MonthRow],
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
        reports.append(ProductReport(product.brand, product.unit_name, shown, total))
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
            }
            for product in report.products
            for month in product.months
        ),
    )
