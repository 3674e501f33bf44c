"""Toxin products and the vial lots prepared from them."""

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import utc_now
from planner.models.patients import SearchKey


class Product(SQLModel, table=True):
    """A botulinum toxin product; its units are never converted to another's."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    brand: str = Field(max_length=80)
    inn: str = Field(max_length=80)
    unit_name: str = Field(max_length=32, default="U")
    vial_sizes: list[int] = Field(sa_column=Column(JSON, nullable=False))
    # Diluent volumes (mL per vial size) with their source, as the label tables give.
    dilutions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    in_use_hours: int = Field(gt=0)
    in_use_source: str = Field(max_length=200)
    # Label cap on cumulative units in a rolling 3 months, where the label gives one.
    cap_units_3_months: float | None = None
    cap_source: str | None = Field(default=None, max_length=200)
    min_interval_days: int = 84
    interval_source: str = Field(max_length=200)
    colour: str = Field(max_length=7, default="#1f77b4")
    active: bool = True


class VialLot(SQLModel, table=True):
    """A vial from a batch, as reconstituted for use at the chair.

    Vials recorded before stock was kept (migration 0013) have no opener,
    discard-by time or stock lot: they are not asked to be accounted for.
    """

    __table_args__ = (
        UniqueConstraint("product_id", "lot_number", "reconstituted_at"),
        # Open vials past their in-use time, for the worklist.
        Index("ix_viallot_open_discard_by", "closed_at", "discard_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    # The brand printed on the box (Azzalure for a Dysport vial sold under it):
    # pharmacovigilance goes by brand and batch (reference §5).
    brand: str = Field(max_length=80)
    lot_number: str = Field(max_length=40)
    expiry_date: date
    vial_units: int = Field(gt=0)
    diluent_ml: float = Field(gt=0)
    reconstituted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The stock lot the vial was taken from, when its lot was received into stock.
    stock_lot_id: int | None = Field(
        default=None, foreign_key="stock_lot.id", index=True
    )
    opened_by_id: int | None = Field(default=None, foreign_key="user.id")
    diluent: str | None = Field(default=None, max_length=80)
    # Reconstitution time plus the product's in-use hours, fixed when opened.
    discard_by: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When what was left in the vial was recorded as waste: the vial is done with.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")


# Recall looks vials up by lot number, in either case (SearchKey: NOCASE on
# SQLite, lower() on PostgreSQL); made after the class, as it needs the column.
Index(
    "ix_viallot_lot_search",
    SearchKey(VialLot.__table__.c.lot_number).label("search_key"),  # type: ignore[attr-defined]  # set by SQLModel
    postgresql_ops={"search_key": "text_pattern_ops"},
)
