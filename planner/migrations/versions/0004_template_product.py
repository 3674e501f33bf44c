"""protocol templates record their product

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:00:00.000000

A template's doses are in one product's units, and units of different products are
never interchangeable, so a template now names its product and applies only to a
chart of that product. Templates saved before have no product: their units are
unknown, and they apply to no chart until an admin names the product.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by rebuilding the table.
    with op.batch_alter_table("protocol_template") as batch:
        batch.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_protocol_template_product_id_product",
            "product",
            ["product_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("protocol_template") as batch:
        batch.drop_constraint(
            "fk_protocol_template_product_id_product", type_="foreignkey"
        )
        batch.drop_column("product_id")
