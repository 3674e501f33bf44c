"""The migration, the models and the database-level guards agree."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.migrate import head_revision
from planner.migrate import upgrade_database
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import ClinicSetting
from planner.models import Product
from planner.services.audit import SYSTEM
from planner.services.audit import record_event
from planner.services.catalogue import load_catalogue
from tests.conftest import PG_URL
from tests.conftest import reset_postgres


@pytest.fixture
def migrated_engine(db_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def test_migration_reaches_head_and_matches_the_models(migrated_engine):
    assert current_revision(migrated_engine) == head_revision(migrated_engine)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(migrated_engine):
    upgrade_database(migrated_engine)
    assert current_revision(migrated_engine) == head_revision(migrated_engine)


def test_every_migration_downgrades_to_an_empty_database_and_back(migrated_engine):
    # Each migration's downgrade undoes its upgrade: the whole chain runs down to an
    # empty schema (only Alembic's own table left) and up again to the models.
    command.downgrade(alembic_config(migrated_engine), "base")
    assert current_revision(migrated_engine) is None
    assert set(inspect(migrated_engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(migrated_engine)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_sqlite_file_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10000,
        "synchronous": 2,
    }


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'delete'", "DELETE FROM audit_event"]
)
def test_audit_trail_refuses_changes_in_the_database(migrated_engine, statement):
    with Session(migrated_engine) as session:
        record_event(session, SYSTEM, AuditAction.CREATE, "patient", 1)
        session.commit()
    with (
        pytest.raises(DBAPIError, match="append-only"),
        migrated_engine.begin() as connection,
    ):
        connection.execute(text(statement))
    with Session(migrated_engine) as session:
        assert session.exec(select(AuditEvent.action)).all() == ["create"]


def test_audit_guard_also_exists_when_tables_come_from_the_models(app):
    engine = get_engine(app)
    with Session(engine) as session:
        record_event(session, SYSTEM, AuditAction.CREATE, "patient", 1)
        session.commit()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))


@pytest.mark.audit_exempt(
    "stands in for a clinic's edit by changing the setting row directly",
    tables=["clinic_setting"],
)
def test_catalogue_loads_once_and_keeps_clinic_edits(session):
    setting = session.get(ClinicSetting, "review_day")
    setting.value = 10
    session.add(setting)
    session.commit()
    load_catalogue(session)
    assert len(session.exec(select(Product)).all()) == 6
    assert session.get(ClinicSetting, "review_day").value == 10
    unsourced = session.get(ClinicSetting, "dose.zygomaticus_major")
    assert unsourced.unsourced
    assert "UNSOURCED" in unsourced.source
