"""photographs: standard views, photo consent, photos and their stored images

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-05 12:36:15.770480

The images are kept in the database (``photo_image.data``), so a backup of the
database is a backup of the photos, and every server of a PostgreSQL clinic sees
them. ``photo_view`` stays empty until a clinic edits its set of views: the
default set is in the code (``planner.photometry.DEFAULT_VIEWS``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "photo_view",
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("instruction", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "photo_consent",
        sa.Column(
            "consent",
            _enum("clinical", "teaching", "withdrawn", name="photoconsent"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
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
    with op.batch_alter_table("photo_consent") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_photo_consent_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("view_code", sa.String(length=40), nullable=False),
        sa.Column(
            "timepoint",
            _enum("baseline", "review", "pre_treatment", "other", name="timepoint"),
            nullable=False,
        ),
        sa.Column(
            "taken_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("taken_by_id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("ruler_mm", sa.Float(), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "marked_at", planner.db_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["marked_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["treatment_session.id"]),
        sa.ForeignKeyConstraint(["taken_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("photo") as batch_op:
        batch_op.create_index(
            "ix_photo_patient_view",
            ["patient_id", "view_code", "timepoint"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_photo_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "photo_image",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photo.id"]),
        sa.PrimaryKeyConstraint("photo_id", "size"),
    )


def downgrade() -> None:
    op.drop_table("photo_image")
    with op.batch_alter_table("photo") as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_session_id"))
        batch_op.drop_index("ix_photo_patient_view")
    op.drop_table("photo")
    with op.batch_alter_table("photo_consent") as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_consent_patient_id"))
    op.drop_table("photo_consent")
    op.drop_table("photo_view")
