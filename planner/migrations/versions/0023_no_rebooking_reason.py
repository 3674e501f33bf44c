"""a cancelled appointment may say why it needs no rebooking

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 17:00:00.000000

Staff mark a cancelled appointment "No rebooking needed" with a short reason
(the patient stopped treatment, moved clinic, was reviewed by phone); it then
leaves the worklist's "Cancelled, to rebook" list. Rows before this had no such
mark, so the column starts empty: every cancellation waits as it did.

Downgrading drops the column, so it is refused while any appointment holds a
reason: those cancellations would come back onto the worklist unexplained.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "appointment",
        sa.Column("no_rebooking_reason", sa.String(length=200), nullable=True),
    )


def downgrade() -> None:
    marked = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM appointment WHERE no_rebooking_reason IS NOT NULL"
            )
        )
        .scalar_one()
    )
    if marked:
        raise RuntimeError(
            f"{marked} cancelled appointment(s) say why they need no rebooking;"
            " downgrading would drop those reasons."
        )
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("no_rebooking_reason")
