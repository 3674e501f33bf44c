"""server-side login sessions and failed-login throttle

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 15:00:00.000000

Login sessions move to the server (``login_session``: the cookie holds a token
whose hash is kept here), so logout, deactivation, a password or role change
and an admin can end them for good. Failed logins are counted per client, per
login and per both (``login_throttle``) with progressive delays, replacing the
per-login lock-out, whose two columns on ``user`` go.

SQLite drops a plain column in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35
and later; Debian 12 has 3.40): rebuilding ``user`` in batch mode would have to
drop a table that every other table's foreign keys point at.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planner.db_types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", planner.db_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column(
            "revoked_at", planner.db_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.Column("kiosk", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_login_session_user_id"), "login_session", ["user_id"], unique=False
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "last_failure_at",
            planner.db_types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        op.f("ix_login_throttle_account"), "login_throttle", ["account"], unique=False
    )
    op.drop_column("user", "failed_logins")
    op.drop_column("user", "locked_until")


def downgrade() -> None:
    op.add_column(
        "user",
        sa.Column(
            "locked_until", planner.db_types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(
        "user",
        sa.Column(
            "failed_logins", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
    )
    op.drop_index(op.f("ix_login_throttle_account"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_login_session_user_id"), table_name="login_session")
    op.drop_table("login_session")
