"""The audit guard (tests/audit_guard.py) reports unaudited commits and only those."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlmodel import Session

from planner.db import get_engine
from planner.models import AuditAction
from planner.models import ClosedDay
from planner.services.audit import SYSTEM
from planner.services.audit import record_event
from planner.services.audit import write_event
from planner.services.calendar_setup import add_closed_day
from planner.services.catalogue import load_catalogue
from planner.services.patients import create_patient
from tests.audit_guard import AuditGuard
from tests.audit_guard import Write
from tests.audit_guard import classify
from tests.audit_guard import entity_tables
from tests.audit_guard import unaudited
from tests.factories import PATIENT_DEFAULTS

CLOSED = ClosedDay.__table__  # type: ignore[attr-defined]
AT = datetime(2026, 3, 3, 9, tzinfo=UTC)
# These tests install a guard of their own around deliberate unaudited writes;
# the autouse guard would fail them for the very thing they check.
OWN_GUARD = pytest.mark.audit_exempt("installs its own guard to watch unaudited writes")


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("INSERT INTO patient (mrn) VALUES (?) RETURNING id", ("INSERT", ["patient"])),
        ('INSERT INTO "user" (email) VALUES (%(email)s)', ("INSERT", ["user"])),
        ("insert or replace into viallot values (1)", ("INSERT", ["viallot"])),
        (
            "UPDATE treatment_session SET version=? WHERE id = ? RETURNING patient_id",
            ("UPDATE", ["treatment_session"]),
        ),
        ("UPDATE public.appointment SET status=%s", ("UPDATE", ["appointment"])),
        ("  -- why\nDELETE FROM closed_day WHERE id = ?", ("DELETE", ["closed_day"])),
        ("/* x */ DELETE FROM ONLY reminder", ("DELETE", ["reminder"])),
        (
            "TRUNCATE TABLE reminder, appointment",
            ("TRUNCATE", ["reminder", "appointment"]),
        ),
        ("SELECT * FROM patient WHERE note = 'UPDATE x SET'", None),
        ("SELECT id FROM patient FOR UPDATE", None),
        ("CREATE TABLE t (id INTEGER)", None),
        ("ALTER TABLE patient ADD COLUMN x INTEGER", None),
        ("DROP SCHEMA public CASCADE", None),
        ("PRAGMA foreign_keys=ON", None),
        ("SAVEPOINT sa_savepoint_1", None),
        ("RELEASE SAVEPOINT sa_savepoint_1", None),
    ],
)
def test_classify_finds_the_changed_tables_in_sql_text(statement, expected):
    assert classify(statement) == expected


def test_unaudited_needs_an_event_naming_the_table_or_its_aggregate():
    site = Write("INSERT", "injection_site", "INSERT INTO injection_site ...")
    bump = Write("UPDATE", "treatment_session", "UPDATE treatment_session ...")
    lot = Write("INSERT", "viallot", "INSERT INTO viallot ...")
    revision = Write("UPDATE", "alembic_version", "UPDATE alembic_version ...")
    aliases = entity_tables()
    assert unaudited([site, bump], ["injection_site"], aliases) == []
    assert unaudited([site, bump], ["treatment_session"], aliases) == []
    assert unaudited([lot], ["vial_lot"], aliases) == []
    assert unaudited([revision], [], aliases) == []
    assert unaudited([site, lot], ["injection_site"], aliases) == [lot]
    assert unaudited([site], ["patient"], aliases) == [site]
    assert unaudited([site], [], aliases) == [site]
    assert unaudited([site], [], aliases, exempt_tables=["injection_site"]) == []


@pytest.fixture
def guard():
    watching = AuditGuard()
    watching.install()
    yield watching
    watching.remove()


@pytest.fixture
def engine(app) -> Engine:
    return get_engine(app)


def closed_day(day: int) -> dict[str, object]:
    return {"day": date(2026, 12, day), "reason": "Training"}


def tables_of(guard: AuditGuard) -> list[list[str]]:
    return [[write.table for write in v.unaudited] for v in guard.violations]


@OWN_GUARD
def test_an_unaudited_orm_commit_is_reported_with_its_sql_and_place(engine, guard):
    with Session(engine) as session:
        session.add(ClosedDay(**closed_day(1)))
        session.commit()
    (violation,) = guard.violations
    (write,) = violation.unaudited
    assert (write.verb, write.table) == ("INSERT", "closed_day")
    assert write.sql.startswith("INSERT INTO closed_day")
    assert write.where.startswith("tests/services/test_audit_guard.py:")
    assert "closed_day" in violation.describe()


@OWN_GUARD
def test_audited_service_and_core_writes_pass(engine, guard):
    with Session(engine) as session:
        create_patient(session, SYSTEM, {**PATIENT_DEFAULTS, "mrn": "G-1"})
        add_closed_day(session, SYSTEM, closed_day(2))
        # The chair's hot path: a Core INSERT ... RETURNING and a Core event.
        new_id = (
            session.connection()
            .execute(insert(CLOSED).returning(CLOSED.c.id), closed_day(3))
            .scalar_one()
        )
        write_event(session, SYSTEM, AuditAction.CREATE, "closed_day", new_id, at=AT)
        session.commit()
    assert guard.violations == []


@OWN_GUARD
def test_core_executemany_and_update_returning_are_seen(engine, guard):
    with engine.begin() as connection:
        connection.execute(insert(CLOSED), [closed_day(4), closed_day(5)])
    with engine.begin() as connection:
        connection.execute(
            update(CLOSED).values(reason="Moved").returning(CLOSED.c.id)
        ).all()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM closed_day"))
    assert tables_of(guard) == [["closed_day"], ["closed_day"], ["closed_day"]]
    assert [v.unaudited[0].verb for v in guard.violations] == [
        "INSERT",
        "UPDATE",
        "DELETE",
    ]


@OWN_GUARD
def test_an_autocommit_write_is_its_own_unaudited_transaction(engine, guard):
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(insert(CLOSED), closed_day(13))
        assert tables_of(guard) == [["closed_day"]]


@OWN_GUARD
def test_an_event_about_another_record_does_not_cover_the_change(engine, guard):
    with Session(engine) as session:
        session.add(ClosedDay(**closed_day(6)))
        record_event(session, SYSTEM, AuditAction.UPDATE, "patient", 1)
        session.commit()
    (violation,) = guard.violations
    assert violation.entities == ("patient",)
    assert [write.table for write in violation.unaudited] == ["closed_day"]


@OWN_GUARD
def test_rollbacks_ddl_and_reads_are_not_reported(engine, guard):
    with Session(engine) as session:
        session.add(ClosedDay(**closed_day(7)))
        session.flush()
        session.rollback()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE guard_scratch (id INTEGER)"))
        connection.execute(text("DROP TABLE guard_scratch"))
        connection.execute(select(CLOSED)).all()
    with Session(engine) as session:
        session.add(ClosedDay(**closed_day(8)))
        session.flush()
    # Closed without a commit: the write never happened.
    assert guard.violations == []


@OWN_GUARD
def test_savepoints_drop_what_they_roll_back_and_keep_what_they_release(engine, guard):
    with Session(engine) as session:
        nested = session.begin_nested()
        session.add(ClosedDay(**closed_day(9)))
        nested.rollback()
        create_patient(session, SYSTEM, {**PATIENT_DEFAULTS, "mrn": "G-2"})
    assert guard.violations == []
    with Session(engine) as session:
        with session.begin_nested():
            session.add(ClosedDay(**closed_day(10)))
        record_event(session, SYSTEM, AuditAction.CREATE, "patient", 1)
        session.commit()
    assert tables_of(guard) == [["closed_day"]]


@OWN_GUARD
def test_reference_data_loading_is_exempt(engine, guard):
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM clinic_setting WHERE key = 'review_day'"))
    guard.violations.clear()
    with Session(engine) as session:
        load_catalogue(session)
    assert guard.violations == []


@OWN_GUARD
def test_tables_a_test_exempts_are_not_reported(engine):
    excusing = AuditGuard(exempt_tables=["closed_day"])
    excusing.install()
    try:
        with Session(engine) as session:
            session.add(ClosedDay(**closed_day(11)))
            session.commit()
    finally:
        excusing.remove()
    assert excusing.violations == []


def test_the_autouse_guard_watches_every_test(audit_guard, session, make_patient):
    make_patient()
    assert audit_guard is not None
    assert audit_guard.installed
    assert audit_guard.violations == []
    session.add(ClosedDay(**closed_day(12)))
    session.commit()
    (violation,) = audit_guard.new_violations()
    assert [write.table for write in violation.unaudited] == ["closed_day"]


INNER_TESTS = """
import pytest
from sqlmodel import Session, SQLModel, create_engine

import planner.models
from planner.models import ClosedDay
from planner.services.audit import SYSTEM
from planner.services.calendar_setup import add_closed_day
from datetime import date


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_unaudited(engine):
    with Session(engine) as session:
        session.add(ClosedDay(day=date(2026, 1, 1), reason="Snow"))
        session.commit()


def test_audited(engine):
    with Session(engine) as session:
        add_closed_day(session, SYSTEM, {"day": date(2026, 1, 2), "reason": "Snow"})


@pytest.mark.audit_exempt("writes a raw row on purpose")
def test_exempt(engine):
    with Session(engine) as session:
        session.add(ClosedDay(day=date(2026, 1, 3), reason="Snow"))
        session.commit()


@pytest.mark.audit_exempt("stores a closed day directly", tables=["closed_day"])
def test_exempt_table(engine):
    with Session(engine) as session:
        session.add(ClosedDay(day=date(2026, 1, 4), reason="Snow"))
        session.commit()


@pytest.mark.audit_exempt("")
def test_exempt_without_reason(engine):
    pass


@pytest.fixture
def raw_setup(engine):
    with Session(engine) as session:
        session.add(ClosedDay(day=date(2026, 1, 5), reason="Snow"))
        session.commit()


def test_setup_writes_count(raw_setup):
    pass
"""


@OWN_GUARD
def test_the_plugin_fails_unaudited_tests_and_passes_the_rest(pytester):
    pytester.makeconftest('pytest_plugins = ["tests.audit_guard"]')
    pytester.makeini(
        "[pytest]\nmarkers =\n    audit_exempt(reason): skips the audit guard\n"
    )
    pytester.makepyfile(test_inner=INNER_TESTS)
    # pytest-playwright keeps one global assertion scope per process: the inner
    # run must not open a second.
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:playwright", "-ra")
    result.assert_outcomes(passed=3, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*audit_exempt needs a reason*",
            "*1 committed transaction(s) during the test's setup and body*",
            "*INSERT closed_day: INSERT INTO closed_day (day, reason)*",
            "ERROR test_inner.py::test_exempt_without_reason*",
            "FAILED test_inner.py::test_unaudited*",
            "FAILED test_inner.py::test_setup_writes_count*",
        ],
        consecutive=False,
    )
