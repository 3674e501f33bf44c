"""a never-signed draft can be discarded, with who, when and why

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-05 18:40:00.000000

A draft treatment session set aside by the injector keeps its row with the
status "discarded" (a plain VARCHAR value: no type to alter) and records when,
by whom and why it was discarded; it counts towards nothing afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0014"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("treatment_session") as batch:
        batch.add_column(
            sa.Column(
                "discarded_at",
                planner.db_types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("discarded_by_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("discard_reason", sa.String(length=500), nullable=True)
        )
        batch.create_foreign_key(
            "fk_treatment_session_discarded_by_id_user",
            "user",
            ["discarded_by_id"],
            ["id"],
        )


def downgrade() -> None:
    # Before 0014 a session is a draft or signed: a discarded one would come back
    # as a live draft (and count as a cycle again). Refuse, and say so.
    discarded = (
        op.get_bind()
        .execute(
            sa.text("SELECT count(*) FROM treatment_session WHERE status = 'discarded'")
        )
        .scalar_one()
    )
    if discarded:
        raise RuntimeError(
            f"{discarded} treatment session(s) are discarded drafts, which revisions "
            "before 0014 cannot represent; keep revision 0014 or later"
        )
    with op.batch_alter_table("treatment_session") as batch:
        batch.drop_constraint(
            "fk_treatment_session_discarded_by_id_user", type_="foreignkey"
        )
        batch.drop_column("discard_reason")
        batch.drop_column("discarded_by_id")
        batch.drop_column("discarded_at")
