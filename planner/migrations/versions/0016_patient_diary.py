"""the patient's diary between visits

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-05 19:00:00.000000

Each signed full treatment issues a private diary link (``diary_link``: only the
token's SHA-256 is kept) through which the patient records, with no account,
when the effect began, side effects, a weekly check, the SAQ and the day it wore
off (``diary_entry``). Onset and wear-off fill the cycle's response where the
clinic has not recorded them, and ``cycle_response.patient_fields`` names the
fields that came from the patient, until the clinic confirms them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0016"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(
        name, planner.db_types.UTCDateTime(timezone=True), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "diary_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        _when("issued_at", nullable=False),
        _when("expires_at", nullable=False),
        _when("ended_at", nullable=True),
        _when("revoked_at", nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["treatment_session.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_diary_link_patient_id"), "diary_link", ["patient_id"], unique=False
    )
    op.create_table(
        "diary_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("timepoint", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("needs_call", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        _when("entered_at", nullable=False),
        _when("handled_at", nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["diary_link.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["treatment_session.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["handled_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_diary_entry_link_id"), "diary_entry", ["link_id"], unique=False
    )
    op.create_index(
        op.f("ix_diary_entry_session_id"), "diary_entry", ["session_id"], unique=False
    )
    op.add_column(
        "cycle_response",
        sa.Column("patient_fields", sa.JSON(none_as_null=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("cycle_response", "patient_fields")
    op.drop_index(op.f("ix_diary_entry_session_id"), table_name="diary_entry")
    op.drop_index(op.f("ix_diary_entry_link_id"), table_name="diary_entry")
    op.drop_table("diary_entry")
    op.drop_index(op.f("ix_diary_link_patient_id"), table_name="diary_link")
    op.drop_table("diary_link")
