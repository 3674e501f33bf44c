"""Toxin products and the vial lots prepared from them."""

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from planner.db_types import UTCDateTime
from planner.db_types import utc_now


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
    """A vial from a batch, as reconstituted for use at the chair."""

    __table_args__ = (UniqueConstraint("product_id", "lot_number", "reconstituted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    lot_number: str = Field(max_length=40)
    expiry_date: date
    vial_units: int = Field(gt=0)
    diluent_ml: float = Field(gt=0)
    reconstituted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
