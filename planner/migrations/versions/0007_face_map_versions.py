"""sessions record their face map version; templates move to front-v2

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 14:00:00.000000

Every session so far was charted on front-v1. Signed sessions keep it, so they are
drawn exactly as signed; drafts move to front-v2, the map new sessions use (their
sites keep their muscles and coordinates, which mean the same spot on both maps).

Protocol templates hold points drawn on front-v1; each site moves to front-v2's
reference point for its muscle on its role's side, the one nearest its old point
(``planner.facemap.template_sites_on``). Front-v2's file is read by name: map
files are never changed once shipped, so this step stays what it was.
Each draft and template changed gets an audit event by the system, in the same
transaction, with its values before and after. Downgrading drops the version
column; moved template points stay where they are.
"""

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from planner.db_types import UTCDateTime
from planner.facemap import load_edition
from planner.facemap import template_sites_on

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FRONT_V1 = 1
FRONT_V2 = 2

_sessions = sa.table(
    "treatment_session",
    sa.column("id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("map_version", sa.Integer()),
)
_templates = sa.table(
    "protocol_template",
    sa.column("id", sa.Integer()),
    sa.column("sites", sa.JSON()),
    sa.column("version", sa.Integer()),
)
_events = sa.table(
    "audit_event",
    sa.column("at", UTCDateTime()),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor_email", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("before", sa.JSON(none_as_null=True)),
    sa.column("after", sa.JSON(none_as_null=True)),
)


def _audit(
    connection: sa.Connection,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    patient_id: int | None = None,
) -> None:
    """Record a change by the system, as planner.services.audit.SYSTEM does."""
    connection.execute(
        _events.insert().values(
            at=datetime.now(UTC),
            actor_id=None,
            actor_email="system",
            action="update",
            entity_type=entity_type,
            entity_id=entity_id,
            patient_id=patient_id,
            before=before,
            after=after,
        )
    )


def upgrade() -> None:
    # Not batch mode: on SQLite a batch rebuild drops and recreates the table,
    # which the sites' foreign keys refuse once any exist. The database's default
    # (front-v1) is for the rows that exist now; the app always writes the
    # version, the current map's unless it says otherwise.
    op.add_column(
        "treatment_session",
        sa.Column(
            "map_version", sa.Integer(), nullable=False, server_default=str(FRONT_V1)
        ),
    )
    _move_drafts_to_front_v2()
    _move_templates_to_front_v2()


def _move_drafts_to_front_v2() -> None:
    connection = op.get_bind()
    drafts = connection.execute(
        sa.select(_sessions.c.id, _sessions.c.patient_id).where(
            _sessions.c.status == "draft"
        )
    ).all()
    for session_id, patient_id in drafts:
        connection.execute(
            _sessions.update()
            .where(_sessions.c.id == session_id)
            .values(map_version=FRONT_V2)
        )
        _audit(
            connection,
            "treatment_session",
            session_id,
            {"map_version": FRONT_V1},
            {"map_version": FRONT_V2},
            patient_id,
        )


def _move_templates_to_front_v2() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_templates.c.id, _templates.c.sites, _templates.c.version)
    ).all()
    if not rows:
        return
    front_v2 = load_edition(FRONT_V2)
    known = {muscle.code for muscle in front_v2.muscles}
    for template_id, sites, version in rows:
        # A site naming a muscle front-v2 lacks cannot be placed; it stays put.
        moved = [
            template_sites_on(front_v2, [site])[0]
            if site.get("muscle") in known
            else site
            for site in sites
        ]
        if moved != sites:
            connection.execute(
                _templates.update()
                .where(_templates.c.id == template_id)
                .values(sites=moved, version=version + 1)
            )
            _audit(
                connection,
                "protocol_template",
                template_id,
                {"sites": sites, "version": version},
                {"sites": moved, "version": version + 1},
            )


def downgrade() -> None:
    op.drop_column("treatment_session", "map_version")
