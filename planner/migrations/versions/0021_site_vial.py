"""each injection site records the vial it was drawn from

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 09:00:00.000000

A session recorded one vial, so a second vial opened at the chair (the first ran
out) could not be recorded, and a recall of its lot missed the patient. Each site
now names its vial; the session's ``vial_lot_id`` stays as the vial in use now,
which new sites take. Sites charted before were all drawn from their session's
one vial, so each is given it here.

No audit event: no record changes, each site names the vial its session named.
Downgrading drops the column, so it is refused while any site names another vial
than its session's: that lot would be lost, and a recall of it would miss the
patient (review rV, V3).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_sites = sa.table(
    "injection_site",
    sa.column("session_id", sa.Integer()),
    sa.column("vial_lot_id", sa.Integer()),
)
_sessions = sa.table(
    "treatment_session",
    sa.column("id", sa.Integer()),
    sa.column("vial_lot_id", sa.Integer()),
)


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by rebuilding the table.
    with op.batch_alter_table("injection_site") as batch:
        batch.add_column(sa.Column("vial_lot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_injection_site_vial_lot_id_viallot", "viallot", ["vial_lot_id"], ["id"]
        )
        batch.create_index("ix_injection_site_vial_lot_id", ["vial_lot_id"])
    connection = op.get_bind()
    # A new install has no sites to fill: the statement is left out there.
    if connection.execute(sa.select(sa.exists().select_from(_sites))).scalar_one():
        connection.execute(
            _sites.update().values(
                vial_lot_id=sa.select(_sessions.c.vial_lot_id)
                .where(_sessions.c.id == _sites.c.session_id)
                .scalar_subquery()
            )
        )


def downgrade() -> None:
    sessions = (
        op.get_bind()
        .execute(
            sa.select(_sites.c.session_id)
            .distinct()
            .select_from(_sites.join(_sessions, _sessions.c.id == _sites.c.session_id))
            .where(
                _sites.c.vial_lot_id.is_not(None),
                sa.or_(
                    _sessions.c.vial_lot_id.is_(None),
                    _sessions.c.vial_lot_id != _sites.c.vial_lot_id,
                ),
            )
            .order_by(_sites.c.session_id)
        )
        .scalars()
        .all()
    )
    if sessions:
        named = ", ".join(str(number) for number in sessions)
        raise RuntimeError(
            f"Downgrade refused: {'sessions' if len(sessions) > 1 else 'session'} "
            f"{named} drew sites from another vial than the session's. Revision "
            "0020 keeps one vial a session, so the lot those sites came from would "
            "be lost and a recall of it would miss the patient. Keep planner at "
            "revision 0021 or later."
        )
    with op.batch_alter_table("injection_site") as batch:
        batch.drop_index("ix_injection_site_vial_lot_id")
        batch.drop_constraint(
            "fk_injection_site_vial_lot_id_viallot", type_="foreignkey"
        )
        batch.drop_column("vial_lot_id")
