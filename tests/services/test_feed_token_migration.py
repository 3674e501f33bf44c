"""Migration 0020: feed addresses already in calendar apps keep working, and no
token is left in the database (review S7)."""

import secrets
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event
from sqlalchemy import text
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner import create_app
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.migrate import head_revision
from planner.migrate import upgrade_database
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.services.read_audit import feed_owner
from tests.conftest import PG_URL
from tests.conftest import TEST_CONFIG
from tests.conftest import reset_postgres

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def at_0019(db_url, tmp_path):
    """A database at revision 0019: its URL and engine."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    else:
        # SQLite's own default (Debian's build turns it on): freed
        # pages keep their bytes unless the migration asks otherwise.
        event.listen(engine, "connect", forget_secure_delete)
    command.upgrade(alembic_config(engine), "0019")
    yield url, engine
    engine.dispose()


def forget_secure_delete(connection, _record):
    connection.execute("PRAGMA secure_delete = OFF")


def add_clinician(engine, email: str, token: str | None) -> int:
    """Write a login as the 0019 schema holds it, its feed token in clear."""
    with engine.begin() as connection:
        return connection.execute(
            text(
                'INSERT INTO "user" (email, name, role, password_hash, active, '
                "feed_token, created_at) VALUES (:email, :name, 'injector', 'x', "
                ":active, :token, :at) RETURNING id"
            ),
            {
                "email": email,
                "name": f"Dr {email[:4]}",
                "active": True,
                "token": token,
                "at": WHEN,
            },
        ).scalar_one()


def rows_holding(engine, secret: str) -> list[str]:
    with engine.connect() as connection:
        return [
            table.name
            for table in SQLModel.metadata.sorted_tables
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"'))
            if any(secret in str(value) for value in row)
        ]


@pytest.mark.audit_exempt(
    "logins written as rows of the 0019 schema; migration 0020 keeps each feed "
    "token's digest in its place, which changes no feed and is not audited",
    tables=["user"],
)
def test_0020_keeps_every_feed_working_and_no_token_in_the_database(at_0019):
    url, engine = at_0019
    first, second = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    reader = add_clinician(engine, "ines@example.org", first)
    other = add_clinician(engine, "omar@example.org", second)
    add_clinician(engine, "nofeed@example.org", None)

    upgrade_database(engine)

    assert current_revision(engine) == head_revision(engine)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    try:
        client = app.test_client()
        response = client.get(f"/calendar/{first}.ics")
        assert response.status_code == 200
        assert "Dr ines" in response.get_data(as_text=True)
        assert client.get(f"/calendar/{second}.ics").status_code == 200
        assert client.get(f"/calendar/{first[:-1]}.ics").status_code == 404
        with Session(get_engine(app)) as session:
            assert feed_owner(session, first).user_id == reader
            assert feed_owner(session, second).user_id == other
            reads = session.exec(
                select(AuditEvent.actor_id).where(
                    AuditEvent.action == AuditAction.VIEW,
                    AuditEvent.entity_type == "calendar_feed",
                )
            ).all()
        assert reads == [reader, other]
    finally:
        get_engine(app).dispose()

    for token in (first, second):
        assert rows_holding(engine, token) == []
    if url.startswith("sqlite"):
        # The file itself, as a copy or a page-by-page backup would take it.
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        stored = Path(url.removeprefix("sqlite:///")).read_bytes()
        assert first.encode() not in stored
        assert second.encode() not in stored
