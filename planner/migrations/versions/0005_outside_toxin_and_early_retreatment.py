"""toxin given elsewhere; the clinical reason for an early re-treatment booking

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 14:00:00.000000

A patient's botulinum toxin given outside the clinic is recorded in its own table,
in that product's units, so the chair's 3-month exposure and cap checks count it.
An appointment gains the injector's clinical reason for a re-treatment booked
before the 12-week floor, kept apart from the generic reason to book outside the
window.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outside_treatment",
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("indication", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "recorded_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outside_treatment_patient_given",
        "outside_treatment",
        ["patient_id", "given_on"],
    )
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(
            sa.Column("clinical_reason", sa.String(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("clinical_reason")
    op.drop_index("ix_outside_treatment_patient_given", "outside_treatment")
    op.drop_table("outside_treatment")
