"""consent: versioned consent forms and the consents patients sign

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-05 18:50:00

``consent_form`` stays empty until a form is first needed: the shipped texts are
in the code (``planner.consent.defaults``) and are stored as version 1 then.
The re-consent age is a clinic setting (``consent_valid_months``) that the
catalogue adds like the others.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "consent_form",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=20000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("treatment", "photography", "research", name="consentkind"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "version", name="uq_consent_form_kind"),
    )
    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("treatment", "photography", "research", name="consentkind"),
            nullable=False,
        ),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            _enum("drawn", "typed", "recorded", name="consentmethod"),
            nullable=False,
        ),
        sa.Column("printed_name", sa.String(length=200), nullable=True),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "signed_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column(
            "withdrawn_at", planner.db_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["consent_form.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["witness_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_record") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_form_id"), ["form_id"], unique=False
        )
        batch_op.create_index(
            "ix_consent_record_patient_kind", ["patient_id", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_record") as batch_op:
        batch_op.drop_index("ix_consent_record_patient_kind")
        batch_op.drop_index(batch_op.f("ix_consent_record_form_id"))
    op.drop_table("consent_record")
    op.drop_table("consent_form")
