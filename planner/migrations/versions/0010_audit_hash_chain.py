"""audit trail hash chain

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-05 14:00:00.000000

Each audit event now carries the hash of the event before it and its own
(planner/audit_chain.py), so a change made around the database's guards shows
when ``flask audit-verify`` walks the chain. The events already stored are
chained here, oldest first, with the append-only guards lifted for the time it
takes and put back after; new guards refuse an INSERT that would replace an
event (SQLite's INSERT OR REPLACE) or that does not extend the chain.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types
from planner.audit_chain import FIELDS
from planner.audit_chain import GENESIS
from planner.audit_chain import event_hash
from planner.models.guards import POSTGRES_AUDIT_GUARDS
from planner.models.guards import POSTGRES_CHAIN_GUARDS
from planner.models.guards import SQLITE_AUDIT_GUARDS
from planner.models.guards import SQLITE_CHAIN_GUARDS

revision: str = "0010"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", planner.db_types.UTCDateTime()),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor_email", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("before", sa.JSON(none_as_null=True)),
    sa.column("after", sa.JSON(none_as_null=True)),
    sa.column("remote_addr", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("event_hash", sa.String()),
)
SQLITE_TRIGGERS = (
    "audit_event_no_update",
    "audit_event_no_delete",
    "audit_event_no_replace",
    "audit_event_chain",
)
POSTGRES_TRIGGERS = (
    "audit_event_no_change",
    "audit_event_no_truncate",
    "audit_event_chain",
)


def _drop_guards(dialect: str) -> None:
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_extends_chain()")


def _chain_existing_events() -> None:
    """Give every stored event its two hashes, oldest first, a batch at a time."""
    bind = op.get_bind()
    head = GENESIS
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(EVENTS)
            .where(EVENTS.c.id > last_id)
            .order_by(EVENTS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            values = row._mapping
            own = event_hash(head, {name: values[name] for name in FIELDS})
            bind.execute(
                sa.update(EVENTS)
                .where(EVENTS.c.id == values["id"])
                .values(prev_hash=head, event_hash=own)
            )
            head = own
            last_id = values["id"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_guards(dialect)
    op.add_column(
        "audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "audit_event", sa.Column("event_hash", sa.String(length=64), nullable=True)
    )
    _chain_existing_events()
    # Batch mode: SQLite changes a column's nullability only by rebuilding the
    # table, which also drops its triggers; all of them are made afresh below.
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column(
            "prev_hash", existing_type=sa.String(length=64), nullable=False
        )
        batch.alter_column(
            "event_hash", existing_type=sa.String(length=64), nullable=False
        )
    if dialect == "sqlite":
        guards = SQLITE_AUDIT_GUARDS + SQLITE_CHAIN_GUARDS
    else:
        guards = POSTGRES_AUDIT_GUARDS + POSTGRES_CHAIN_GUARDS
    for ddl in guards:
        op.execute(ddl)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_guards(dialect)
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("event_hash")
        batch.drop_column("prev_hash")
    for ddl in SQLITE_AUDIT_GUARDS if dialect == "sqlite" else POSTGRES_AUDIT_GUARDS:
        op.execute(ddl)
