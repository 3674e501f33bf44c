"""The audit trail is hash-chained and the database refuses rewrites (issue 18, 6).

The tampering tests lift the database's guards first, as someone with the file
or a superuser could, and show that ``audit-verify`` then finds what they did.
"""

import threading
from datetime import UTC
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from sqlmodel import select

from planner import create_app
from planner.audit_chain import GENESIS
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import alembic_config
from planner.migrate import upgrade_database
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import verify_trail
from planner.services.audit import write_event
from tests.conftest import PG_URL
from tests.conftest import reset_postgres
from tests.conftest import schema_engine

WRITERS = 8
EVENTS_EACH = 15


@pytest.fixture(params=["migrated", "models"])
def engine(request, db_url, tmp_path, migrated_sqlite):
    """A database on disk (or the test PostgreSQL), built by migration or models."""
    migrated = migrated_sqlite if request.param == "migrated" else None
    built = schema_engine(db_url, tmp_path / "trail.db", migrated)
    yield built
    built.dispose()


def add_events(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        for number in range(1, count + 1):
            record_event(
                session,
                Actor(1, "a@example.org", "10.0.0.1"),
                AuditAction.UPDATE,
                "patient",
                number,
                patient_id=number,
                before={"family_name": "Old"},
                after={"family_name": f"New {number}", "units": 2.5},
            )
            session.commit()


def lift_guards(engine: Engine) -> None:
    """Do what an attacker with the database file or a superuser can."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                connection.execute(text(f"DROP TRIGGER {name}"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))


def verify(engine: Engine):
    with Session(engine) as session:
        return verify_trail(session)


def test_events_written_every_way_form_one_intact_chain(engine):
    add_events(engine, 3)
    with Session(engine) as session:
        write_event(
            session,
            SYSTEM,
            AuditAction.CREATE,
            "injection_site",
            7,
            at=datetime.now(UTC),
            after={"units": 1.25},
        )
        # Added straight to the session, as tests and scripts sometimes do.
        session.add(AuditEvent(action=AuditAction.PRINT, entity_type="report"))
        record_event(session, SYSTEM, AuditAction.EXPORT, "export", None)
        session.commit()
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == GENESIS
    links = zip(rows, rows[1:], strict=False)
    assert all(later.prev_hash == earlier.event_hash for earlier, later in links)
    report = verify(engine)
    assert report.intact
    assert (report.events, report.head_id) == (6, rows[-1].id)


@pytest.mark.audit_exempt("tampers with the trail on purpose")
def test_audit_verify_finds_an_edited_event(engine):
    add_events(engine, 5)
    lift_guards(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET actor_email = 'x@evil.example' WHERE id = 3")
        )
    report = verify(engine)
    assert report.broken is not None
    assert report.broken.event_id == 3
    assert "changed after it was written" in report.broken.reason


@pytest.mark.audit_exempt("tampers with the trail on purpose")
def test_audit_verify_finds_a_deleted_event(engine):
    add_events(engine, 5)
    lift_guards(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 2"))
    report = verify(engine)
    assert report.broken is not None
    assert report.broken.event_id == 3
    assert "deleted" in report.broken.reason


@pytest.mark.audit_exempt("tampers with the trail on purpose")
def test_audit_verify_finds_an_insert_or_replace(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    add_events(engine, 5)
    lift_guards(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT OR REPLACE INTO audit_event (id, at, actor_email, action, "
                "entity_type, prev_hash, event_hash) SELECT id, at, "
                "'x@evil.example', action, entity_type, prev_hash, event_hash "
                "FROM audit_event WHERE id = 4"
            )
        )
    report = verify(engine)
    assert report.broken is not None
    assert report.broken.event_id == 4


@pytest.mark.parametrize(
    "statement",
    [
        # SQLite's REPLACE deletes the old row without firing DELETE triggers.
        "INSERT OR REPLACE INTO audit_event (id, at, action, entity_type, prev_hash, "
        "event_hash) SELECT id, at, 'delete', entity_type, prev_hash, event_hash "
        "FROM audit_event WHERE id = 2",
        "REPLACE INTO audit_event (id, at, action, entity_type, prev_hash, "
        "event_hash) SELECT id, at, 'delete', entity_type, prev_hash, event_hash "
        "FROM audit_event WHERE id = 2",
        # An UPSERT is an UPDATE to the guards.
        "INSERT INTO audit_event (id, at, action, entity_type, prev_hash, "
        "event_hash) SELECT id, at, action, entity_type, prev_hash, event_hash "
        "FROM audit_event WHERE id = 2 "
        "ON CONFLICT (id) DO UPDATE SET action = 'delete'",
        # A new event that does not name the newest hash would fork the chain.
        "INSERT INTO audit_event (at, action, entity_type, prev_hash, event_hash) "
        f"VALUES ('2026-12-05 10:00:00', 'create', 'patient', '{GENESIS}', 'x')",
    ],
)
def test_the_database_refuses_rewrites_that_dodge_the_update_guard(engine, statement):
    if engine.dialect.name != "sqlite" and "REPLACE" in statement:
        pytest.skip("REPLACE is SQLite's")
    add_events(engine, 3)
    with pytest.raises(DBAPIError, match="append-only|hash chain"), engine.begin() as c:
        c.execute(text(statement))
    assert verify(engine).intact
    assert verify(engine).events == 3


def test_concurrent_writers_never_fork_the_chain(engine):
    """Writers in threads, each its own session: one chain, every event in it."""
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        try:
            start.wait()
            with Session(engine) as session:
                for number in range(EVENTS_EACH):
                    if number % 3 == 0:
                        write_event(
                            session,
                            SYSTEM,
                            AuditAction.CREATE,
                            "injection_site",
                            number,
                            at=datetime.now(UTC),
                            after={"writer": writer},
                        )
                    else:
                        record_event(
                            session,
                            SYSTEM,
                            AuditAction.UPDATE,
                            "patient",
                            number,
                            after={"writer": writer},
                        )
                    session.commit()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify(engine)
    assert report.intact, report.broken
    assert report.events == WRITERS * EVENTS_EACH


@pytest.mark.audit_exempt(
    "the migration seals the stored events in place", tables=["audit_event"]
)
def test_migration_chains_the_events_already_stored(db_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    try:
        command.upgrade(alembic_config(engine), "0004")
        with engine.begin() as connection:
            for number in range(1, 6):
                connection.execute(
                    text(
                        "INSERT INTO audit_event (at, actor_email, action, "
                        "entity_type, entity_id, after) VALUES "
                        "(:at, 'a@example.org', 'create', 'patient', :id, :after)"
                    ),
                    {
                        "at": datetime(2026, 1, number, 9, tzinfo=UTC),
                        "id": number,
                        "after": f'{{"n": {number}}}',
                    },
                )
        upgrade_database(engine)
        report = verify(engine)
        assert report.intact, report.broken
        assert report.events == 5
        # New events carry on from the sealed ones, and the guards are back.
        add_events(engine, 1)
        assert verify(engine).events == 6
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text("DELETE FROM audit_event WHERE id = 1"))
    finally:
        engine.dispose()


def test_audit_verify_command_reports_intact_and_broken(app, runner, session):
    record_event(session, SYSTEM, AuditAction.CREATE, "patient", 1)
    session.commit()
    intact = runner.invoke(args=["audit-verify"])
    assert intact.exit_code == 0, intact.output
    assert "Audit trail intact: 1 events" in intact.output
    assert "head event 1" in intact.output


@pytest.mark.audit_exempt("tampers with the trail on purpose")
def test_audit_verify_command_fails_naming_the_first_broken_link(engine):
    add_events(engine, 4)
    lift_guards(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET entity_id = 99 WHERE id = 2"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": str(engine.url.render_as_string(False)),
            "PASSWORD_HASHING": "fast-for-tests",
            # The "models" database has no Alembic version row to compare.
            "CHECK_SCHEMA": False,
        }
    )
    try:
        result = app.test_cli_runner().invoke(args=["audit-verify"])
    finally:
        get_engine(app).dispose()
    assert result.exit_code == 1
    assert "Audit trail broken at event 2 (1 events verified up to event 1)" in (
        result.output
    )


def test_deep_health_check_verifies_the_trail_for_admins_only(client, login_as):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert client.get("/healthz?deep=1").status_code == 401
    assert login_as(Role.STAFF).get("/healthz?deep=1").status_code == 403
    admin = login_as(Role.ADMIN)
    answer = admin.get("/healthz?deep=1")
    assert answer.status_code == 200
    audit = answer.get_json()["audit"]
    assert audit["status"] == "intact"
    assert audit["events"] >= 2  # the logins above, at least


@pytest.mark.audit_exempt("tampers with the trail on purpose")
def test_deep_health_check_reports_a_broken_trail(app, login_as):
    admin = login_as(Role.ADMIN)
    engine = get_engine(app)
    lift_guards(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET actor_email = 'x' WHERE id = 1")
        )
    answer = admin.get("/healthz?deep=1")
    assert answer.status_code == 503
    assert answer.get_json()["audit"]["broken_at"] == 1
