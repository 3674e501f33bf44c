"""a login's professional registration number

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05 14:00:00.000000

A signed treatment record names its signer's professional registration number
(the regulator's number, e.g. "GMC 1234567"), so an auditor can check who
signed. Admins record it on the user form; existing logins have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user", sa.Column("registration_number", sa.String(length=40), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("registration_number")
