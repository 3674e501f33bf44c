"""each vial and stock lot records the brand printed on its box

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 09:00:00.000000

A product can be sold under more than one brand: Dysport's 125 U (Speywood) vial
is Azzalure, Xeomin is Bocouture in Europe (clinical reference §2.2), and
pharmacovigilance goes by brand and batch (§5). A vial and a stock lot now record
the brand on their box. Lots recorded before were recorded under their product's
brand, the only one planner offered, so each is given it here.

No audit event: no record changes, each lot names the brand its product named.
Downgrading drops the column, so it is refused while a lot names another brand
than its product's: a recall by that brand would miss it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_products = sa.table(
    "product",
    sa.column("id", sa.Integer()),
    sa.column("brand", sa.String()),
)
TABLES = ("viallot", "stock_lot")


def _lots(name: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("product_id", sa.Integer()),
        sa.column("lot_number", sa.String()),
        sa.column("brand", sa.String()),
    )


def _search_index(create: bool) -> None:
    """Drop or make the vials' lot-number index (migration 0013's forms).

    SQLite rebuilds the table to make the column NOT NULL, and the rebuild does
    not carry an index on an expression.
    """
    if not create:
        op.execute("DROP INDEX ix_viallot_lot_search")
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX ix_viallot_lot_search ON viallot (lot_number COLLATE NOCASE)"
        )
    else:
        op.execute(
            "CREATE INDEX ix_viallot_lot_search "
            "ON viallot (lower(lot_number) text_pattern_ops)"
        )


def upgrade() -> None:
    connection = op.get_bind()
    _search_index(create=False)
    for name in TABLES:
        op.add_column(name, sa.Column("brand", sa.String(length=80), nullable=True))
        lots = _lots(name)
        # A new install has no lots to fill: the statement is left out there.
        if connection.execute(sa.select(sa.exists().select_from(lots))).scalar_one():
            connection.execute(
                lots.update().values(
                    brand=sa.select(_products.c.brand)
                    .where(_products.c.id == lots.c.product_id)
                    .scalar_subquery()
                )
            )
        with op.batch_alter_table(name) as batch:
            batch.alter_column(
                "brand", existing_type=sa.String(length=80), nullable=False
            )
    _search_index(create=True)


def downgrade() -> None:
    connection = op.get_bind()
    named: list[str] = []
    for name in TABLES:
        lots = _lots(name)
        named += (
            connection.execute(
                sa.select(lots.c.lot_number)
                .select_from(lots.join(_products, _products.c.id == lots.c.product_id))
                .where(lots.c.brand != _products.c.brand)
                .order_by(lots.c.lot_number)
            )
            .scalars()
            .all()
        )
    if named:
        raise RuntimeError(
            "Downgrade refused: lot "
            f"{', '.join(sorted(set(named)))} is recorded under another brand than "
            "its product's. Revision 0021 keeps no brand, so a recall by that brand "
            "would miss it. Keep planner at revision 0022 or later."
        )
    _search_index(create=False)
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("brand")
    _search_index(create=True)
