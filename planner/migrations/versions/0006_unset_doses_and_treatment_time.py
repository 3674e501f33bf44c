"""doses left unset across products; the treatment time entered by hand

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 14:00:00.000000

Copying a cycle, or applying a template, charted with another product brings the
sites without their doses: units of different products are not interchangeable, so
each dose stays unset (NULL) until the clinician enters it, with the reason shown at
the chair. A draft's treatment time can be entered by the injector; the flag says it
was, so the checks stop taking the draft as given now.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite changes a column's nullability only by rebuilding the table.
    with op.batch_alter_table("injection_site") as batch:
        batch.alter_column("units", existing_type=sa.Float(), nullable=True)
        batch.add_column(
            sa.Column("unset_reason", sa.String(length=200), nullable=True)
        )
    with op.batch_alter_table("treatment_session") as batch:
        batch.add_column(
            sa.Column(
                "performed_at_confirmed",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    # A draft's unset doses cannot go back into a NOT NULL column. Deleting charted
    # sites would lose clinical data unaudited: refuse, and say what to do first.
    unset = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM injection_site WHERE units IS NULL"))
        .scalar_one()
    )
    if unset:
        raise RuntimeError(
            f"{unset} draft injection site(s) have no dose yet; enter their doses or "
            "delete them in planner before downgrading below revision 0006"
        )
    with op.batch_alter_table("injection_site") as batch:
        batch.drop_column("unset_reason")
        batch.alter_column("units", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("treatment_session") as batch:
        batch.drop_column("performed_at_confirmed")
