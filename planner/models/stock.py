"""Vial stock: the lots the clinic holds, deliveries received, and toxin wasted.

Units are counted per lot, in its product's own units; nothing here adds units of
two products together.
"""

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import enum_type
from planner.db_types import utc_now
from planner.models.enums import WasteReason


class StockLot(SQLModel, table=True):
    """One batch of a product as the clinic holds it: its vials share these details."""

    __tablename__ = "stock_lot"
    __table_args__ = (UniqueConstraint("product_id", "lot_number"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    # The brand printed on the box, one of the product's brands (reference §5).
    brand: str = Field(max_length=80)
    # Kept in capitals, so a lot typed in either case is the same lot.
    lot_number: str = Field(max_length=40)
    expiry_date: date
    vial_units: int = Field(gt=0)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class StockReceipt(SQLModel, table=True):
    """A delivery of unopened vials of one lot: who took it in, and where it went."""

    __tablename__ = "stock_receipt"

    id: int | None = Field(default=None, primary_key=True)
    stock_lot_id: int = Field(foreign_key="stock_lot.id", index=True)
    vials: int = Field(gt=0)
    supplier: str = Field(max_length=120)
    received_on: date
    received_by_id: int = Field(foreign_key="user.id")
    storage_place: str = Field(max_length=80)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class StockWaste(SQLModel, table=True):
    """Toxin discarded: units left in an open vial, or whole unopened vials of a lot.

    Exactly one of ``vial_lot_id`` (an open vial) and ``stock_lot_id`` (unopened
    vials, ``vials`` of them) is set; ``units`` are the product's own.
    """

    __tablename__ = "stock_waste"
    __table_args__ = (
        CheckConstraint(
            "(vial_lot_id IS NULL) <> (stock_lot_id IS NULL)",
            name="ck_stock_waste_one_source",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    vial_lot_id: int | None = Field(default=None, foreign_key="viallot.id", index=True)
    stock_lot_id: int | None = Field(
        default=None, foreign_key="stock_lot.id", index=True
    )
    vials: int = Field(default=0, ge=0)
    units: float = Field(ge=0)
    reason: WasteReason = Field(sa_type=enum_type(WasteReason))
    note: str | None = Field(default=None, max_length=500)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
