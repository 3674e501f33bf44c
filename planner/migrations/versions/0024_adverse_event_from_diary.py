"""an adverse event may name the diary side effect it was recorded from

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-09 09:00:00.000000

A clinician reading a side effect in the patient's diary records it as an
adverse event from the entry: the event keeps the entry's id, so the record,
the cycle comparison and the research export say the patient reported it, and
the entry says it was recorded. One event per entry (unique). Events recorded
before this were typed by the clinic, so the column starts empty.

Downgrading drops the column, so it is refused while any event names its diary
entry: the event would lose the patient's report it came from, and the entry
would offer to be recorded a second time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("adverse_event") as batch:
        batch.add_column(sa.Column("diary_entry_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_adverse_event_diary_entry_id_diary_entry",
            "diary_entry",
            ["diary_entry_id"],
            ["id"],
        )
        batch.create_unique_constraint(
            "adverse_event_diary_entry_id_key", ["diary_entry_id"]
        )


def downgrade() -> None:
    linked = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM adverse_event WHERE diary_entry_id IS NOT NULL"
            )
        )
        .scalar_one()
    )
    if linked:
        raise RuntimeError(
            f"{linked} adverse event(s) were recorded from the patient's diary;"
            " downgrading would drop which diary entry each came from."
        )
    with op.batch_alter_table("adverse_event") as batch:
        batch.drop_constraint("adverse_event_diary_entry_id_key", type_="unique")
        batch.drop_constraint(
            "fk_adverse_event_diary_entry_id_diary_entry", type_="foreignkey"
        )
        batch.drop_column("diary_entry_id")
