"""reminders: the appointment time each message names

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 21:00:00

A reminder names its appointment's day and time; once the appointment moves, the
message is out of date and is rewritten (if not yet sent) or a new one is written.
Reminders written before have no time: a sent one is taken to name the
appointment's present time (none is sent twice), an unsent one is rewritten from
the appointment as it is now by the next queue run. No row is changed here: every
change to a reminder is an audit event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "appointment_starts_at",
                planner.db_types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("appointment_starts_at")
