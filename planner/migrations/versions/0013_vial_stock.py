"""vial stock, wastage and recall

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 14:00:00.000000

Stock lots (a product's batch: lot number, expiry, vial size), the deliveries
received into them and the toxin wasted from them. A vial opened at the chair now
records who opened it, its diluent, its discard-by time, when what was left was
recorded as waste, and the stock lot it came from. Vials recorded before keep
these empty: nobody is asked to account for them.

Indexes: vials by lot number in either case (a recall; the same SQLite NOCASE and
PostgreSQL lower() forms as migration 0003), open vials by discard-by time (the
worklist), and sessions by vial (what was used from each vial).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WASTE_REASONS = (
    "end_of_session",
    "expired_in_use",
    "dropped",
    "expired_unopened",
    "damaged",
    "recalled",
    "other",
)


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "stock_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("vial_units", sa.Integer(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "lot_number"),
    )
    op.create_table(
        "stock_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stock_lot_id", sa.Integer(), nullable=False),
        sa.Column("vials", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=120), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("storage_place", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(["stock_lot_id"], ["stock_lot.id"]),
        sa.ForeignKeyConstraint(["received_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stock_receipt_stock_lot_id", "stock_receipt", ["stock_lot_id"])
    with op.batch_alter_table("viallot") as batch:
        batch.add_column(sa.Column("stock_lot_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("opened_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("diluent", sa.String(length=80), nullable=True))
        for name in ("discard_by", "closed_at"):
            batch.add_column(
                sa.Column(
                    name, planner.db_types.UTCDateTime(timezone=True), nullable=True
                )
            )
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_viallot_stock_lot_id_stock_lot", "stock_lot", ["stock_lot_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_viallot_opened_by_id_user", "user", ["opened_by_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_viallot_closed_by_id_user", "user", ["closed_by_id"], ["id"]
        )
        batch.create_index("ix_viallot_stock_lot_id", ["stock_lot_id"])
        batch.create_index("ix_viallot_open_discard_by", ["closed_at", "discard_by"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX ix_viallot_lot_search ON viallot (lot_number COLLATE NOCASE)"
        )
    else:
        op.execute(
            "CREATE INDEX ix_viallot_lot_search "
            "ON viallot (lower(lot_number) text_pattern_ops)"
        )
    op.create_index(
        "ix_treatment_session_vial_lot_id", "treatment_session", ["vial_lot_id"]
    )
    op.create_table(
        "stock_waste",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("vial_lot_id", sa.Integer(), nullable=True),
        sa.Column("stock_lot_id", sa.Integer(), nullable=True),
        sa.Column("vials", sa.Integer(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(*WASTE_REASONS, name="wastereason", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "recorded_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(vial_lot_id IS NULL) <> (stock_lot_id IS NULL)",
            name="ck_stock_waste_one_source",
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.ForeignKeyConstraint(["vial_lot_id"], ["viallot.id"]),
        sa.ForeignKeyConstraint(["stock_lot_id"], ["stock_lot.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stock_waste_vial_lot_id", "stock_waste", ["vial_lot_id"])
    op.create_index("ix_stock_waste_stock_lot_id", "stock_waste", ["stock_lot_id"])


def downgrade() -> None:
    op.drop_index("ix_stock_waste_stock_lot_id", table_name="stock_waste")
    op.drop_index("ix_stock_waste_vial_lot_id", table_name="stock_waste")
    op.drop_table("stock_waste")
    op.drop_index("ix_treatment_session_vial_lot_id", table_name="treatment_session")
    op.execute("DROP INDEX ix_viallot_lot_search")
    with op.batch_alter_table("viallot") as batch:
        batch.drop_index("ix_viallot_open_discard_by")
        batch.drop_index("ix_viallot_stock_lot_id")
        for name in (
            "fk_viallot_closed_by_id_user",
            "fk_viallot_opened_by_id_user",
            "fk_viallot_stock_lot_id_stock_lot",
        ):
            batch.drop_constraint(name, type_="foreignkey")
        for column in (
            "closed_by_id",
            "closed_at",
            "discard_by",
            "diluent",
            "opened_by_id",
            "stock_lot_id",
        ):
            batch.drop_column(column)
    op.drop_index("ix_stock_receipt_stock_lot_id", table_name="stock_receipt")
    op.drop_table("stock_receipt")
    op.drop_table("stock_lot")
