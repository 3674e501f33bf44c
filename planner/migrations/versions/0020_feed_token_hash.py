"""users: keep a calendar feed's token only as its SHA-256

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00

A clinician's private feed address held its token in clear in ``feed_token``,
so a copy of the database opened every feed. Now only the token's SHA-256 is
kept (``feed_token_hash``, the form ``planner.services.diary_tokens.token_digest``
gives), as for login sessions and diary links: each stored token is replaced by
its digest here, so every address already in a calendar app keeps working.

The clear column is emptied row by row before it is dropped: PostgreSQL's DROP
COLUMN leaves a dropped column's values in the rows until they are next written.
On SQLite, ``secure_delete`` zeroes what the rebuild of the table frees, so the
file (and a backup copied page by page) holds no token either. PostgreSQL keeps
the old row versions until VACUUM, and backups made before hold the tokens:
only a new address (renewing the feed) changes that.

No audit event: no feed changes, the same address opens the same feed.
Downgrading cannot give the tokens back: every feed address stops working, and
clinicians get a new one from their week page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from planner.services.diary_tokens import token_digest

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table(
    "user",
    sa.column("id", sa.Integer()),
    sa.column("feed_token", sa.String()),
    sa.column("feed_token_hash", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        secure_delete = connection.exec_driver_sql("PRAGMA secure_delete").scalar_one()
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("feed_token_hash", sa.String(length=64), nullable=True)
        )
        batch.create_unique_constraint("user_feed_token_hash_key", ["feed_token_hash"])
    feeds = connection.execute(
        sa.select(_users.c.id, _users.c.feed_token).where(
            _users.c.feed_token.is_not(None)
        )
    ).all()
    # One UPDATE per feed, none when there is none: a login's row is changed
    # only where it has a feed.
    for user_id, token in feeds:
        connection.execute(
            _users.update()
            .where(_users.c.id == user_id)
            .values(feed_token_hash=token_digest(token), feed_token=None)
        )
    with op.batch_alter_table("user") as batch:
        batch.drop_column("feed_token")
    if sqlite:
        # What the rebuild freed is zeroed already: the connection goes back
        # to the pool as it came.
        connection.exec_driver_sql(f"PRAGMA secure_delete = {int(secure_delete)}")


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("feed_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("user_feed_token_key", ["feed_token"])
        batch.drop_constraint("user_feed_token_hash_key", type_="unique")
        batch.drop_column("feed_token_hash")
