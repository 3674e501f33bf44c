"""search indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000

Indexes for the patient search's case-insensitive prefix match on family name,
given name and MRN (see ``SearchKey`` in planner/models/patients.py). SQLite keys
the column under NOCASE, which folds ASCII letters as its ``lower()`` does;
PostgreSQL keys ``lower(column)`` with ``text_pattern_ops``, ordered byte by byte
whatever the database's collation, so a prefix is one range of the index.

And one for the worklist's overdue section (windows that closed unbooked), which
otherwise read every open window to find the few that have closed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_INDEXES = {
    "ix_patient_search_family": "family_name",
    "ix_patient_search_given": "given_name",
    "ix_patient_search_mrn": "mrn",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, column in SEARCH_INDEXES.items():
        if dialect == "sqlite":
            op.execute(f"CREATE INDEX {name} ON patient ({column} COLLATE NOCASE)")
        else:
            op.execute(
                f"CREATE INDEX {name} ON patient (lower({column}) text_pattern_ops)"
            )
    op.create_index(
        "ix_appointment_status_window_end", "appointment", ["status", "window_end"]
    )


def downgrade() -> None:
    op.drop_index("ix_appointment_status_window_end", table_name="appointment")
    for name in SEARCH_INDEXES:
        op.execute(f"DROP INDEX {name}")
