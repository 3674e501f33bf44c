"""diary links: the nonce a printable token is derived from, and the last invitation

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-06 00:15:00

``token_nonce`` lets the app print the same link again (the token is an HMAC of
the nonce under a key derived from the app's secret key, never stored); links
issued before it have none and print no QR code. ``invited_at`` is when the
patient was last emailed an invitation to the weekly check.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0018"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("diary_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_nonce", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "invited_at",
                planner.db_types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("diary_link", schema=None) as batch_op:
        batch_op.drop_column("invited_at")
        batch_op.drop_column("token_nonce")
