"""facial therapy courses and surgical procedures beside the toxin

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-05 19:00:00.000000

A patient's courses of neuromuscular retraining or facial physiotherapy, and the
surgical procedures for synkinesis (DAO excision, selective myectomy, selective
neurolysis, brow lift, upper-eyelid surgery, muscle transfer), each in its own
table; a procedure names the face-map muscles it touched (issue 22).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "therapy_course",
        sa.Column(
            "kind", _enum("therapykind", "nmrt", "physiotherapy"), nullable=False
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("therapist", sa.String(length=120), nullable=False),
        sa.Column("home_programme", sa.String(length=2000), nullable=True),
        sa.Column("sessions_attended", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "recorded_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_therapy_course_patient_started",
        "therapy_course",
        ["patient_id", "started_on"],
    )
    op.create_table(
        "procedure",
        sa.Column(
            "kind",
            _enum(
                "procedurekind",
                "dao_excision",
                "selective_myectomy",
                "selective_neurolysis",
                "brow_lift",
                "upper_eyelid_surgery",
                "muscle_transfer",
                "other",
            ),
            nullable=False,
        ),
        sa.Column(
            "side", _enum("affectedside", "left", "right", "bilateral"), nullable=False
        ),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("surgeon", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("muscles", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "recorded_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_procedure_patient_performed", "procedure", ["patient_id", "performed_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_procedure_patient_performed", "procedure")
    op.drop_table("procedure")
    op.drop_index("ix_therapy_course_patient_started", "therapy_course")
    op.drop_table("therapy_course")
