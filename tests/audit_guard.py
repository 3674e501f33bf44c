"""Fail any test whose committed writes leave no audit event behind (issue 7).

Every create, update, delete, sign, amend, print and export must write its audit
event in the same transaction as the change. Rather than assert that by hand in
each test, this plugin listens to every SQLAlchemy engine while a test runs (its
fixtures' setup and teardown included) and keeps, per connection and
transaction, the tables that INSERT, UPDATE and DELETE statements touched and
the ``entity_type`` of every ``audit_event`` row inserted. When a transaction
commits, each changed table must be named by one of those events, either itself
or through its aggregate (``AGGREGATES``); otherwise the test fails and lists
the statements that went unaudited.

What is checked: the table and the event's entity type, per transaction. What
is not: that the event's ``entity_id`` is the very row changed (that would need
the ids out of every WHERE clause and RETURNING row), nor writes made by other
processes (tests/e2e's servers run in threads and are seen; tests/faults starts
real servers in subprocesses, which no listener here can reach).

Statements are classified from their SQL text, so ORM flushes, Core statements,
``text()``, executemany, insertmanyvalues batches and ``... RETURNING`` are all
treated alike; DDL, SELECT, PRAGMA and savepoint statements change no records
and are ignored. A rolled-back transaction, or savepoint, drops what it wrote;
on an AUTOCOMMIT connection every statement is a transaction of its own.
"""

import importlib
import re
import sys
import threading
import weakref
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import CodeType
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy import Delete
from sqlalchemy import Engine
from sqlalchemy import Insert
from sqlalchemy import Update
from sqlalchemy import event
from sqlmodel.main import default_registry

import planner.models  # noqa: F401  # registers every table, for entity_tables()

AUDIT_TABLE = "audit_event"

# Tables whose rows are bookkeeping, not records: changing them needs no event.
EXEMPT_TABLES: dict[str, str] = {
    # Alembic's note of the schema revision; a migration changes the schema,
    # not anybody's record.
    "alembic_version": "schema revision kept by Alembic",
    # Who is logged in where: opening and ending a session are audited as the
    # user's LOGIN, LOGOUT and UPDATE events; "last seen" and the kiosk's
    # progress are bookkeeping written on clicks, not records.
    "login_session": "login sessions, audited through their user's events",
    # Failed-login counts: every failure is itself a LOGIN_FAILED event.
    "login_throttle": "failed-login counts, each failure audited as it happens",
}
EXEMPT_TABLE_PREFIXES: dict[str, str] = {
    # SQLite batch migrations rebuild a table by copying it through a
    # temporary one: the rows are the same rows, moved by a schema change.
    "_alembic_tmp_": "table copy made by an SQLite batch migration",
}

# Functions whose writes, wherever they run from, are not record changes.
# Named by import path so that renaming one fails loudly here instead of
# silently dropping its exemption.
EXEMPT_FUNCTIONS: dict[str, str] = {
    # The shipped products and reference settings: the same rows on every
    # install, versioned with the code (planner/reference.py), inserted if
    # missing and never overwriting a clinic's edits, which update_setting
    # audits. Every test database gets them before any actor exists. A
    # correction of a shipped row a clinic never edited is audited (SYSTEM).
    "planner.services.catalogue.load_catalogue": "reference data loaded at install",
    # Synthetic demo people inserted in chunks of their own transactions (to
    # keep memory flat for large seeds); the run as a whole is recorded by one
    # SEED event naming its counts and seed once the chunks have committed.
    "planner.demo.seed_demo": "demo data, recorded by one SEED event per run",
    # Between tests the shared PostgreSQL database is emptied by TRUNCATE: the
    # rows of a finished test, not anybody's record.
    "tests.conftest.clean_postgres": "test database emptied between tests",
}

# Tables that together make up one record: an event naming any of them covers
# a change to any other in the same transaction. A treatment session is edited
# through its sites (each tap bumps the session's version) and corrected by an
# amendment row, and its events name the session or the site.
AGGREGATES: tuple[frozenset[str], ...] = (
    frozenset({"treatment_session", "injection_site", "amendment"}),
    # A photo is stored with its JPEGs (original, display, thumbnail).
    frozenset({"photo", "photo_image"}),
)

_DML = re.compile(
    r"""^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*
    (?:
        (?P<insert>INSERT(?:\s+OR\s+\w+)?\s+INTO)
      | (?P<replace>REPLACE\s+INTO)
      | (?P<update>UPDATE(?:\s+ONLY)?)
      | (?P<delete>DELETE\s+FROM(?:\s+ONLY)?)
      | (?P<truncate>TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?)
    )\s+(?P<target>[^\s(,;]+(?:\s*,\s*[^\s(,;]+)*)""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_SAVEPOINT = re.compile(r"^\s*SAVEPOINT\s+(\S+)", re.IGNORECASE)
_ROOT = Path(__file__).resolve().parents[1]
_PROJECT_DIRS = (str(_ROOT / "planner"), str(_ROOT / "tests"))
_THIS_FILE = str(Path(__file__).resolve())


@dataclass(frozen=True)
class Write:
    """One statement that changed a table."""

    verb: str
    table: str
    sql: str
    where: str = ""

    def describe(self) -> str:
        place = f" (at {self.where})" if self.where else ""
        return f"{self.verb} {self.table}: {self.sql}{place}"


@dataclass(frozen=True)
class Violation:
    """A committed transaction whose writes no audit event in it names."""

    unaudited: tuple[Write, ...]
    entities: tuple[str, ...]

    def describe(self) -> str:
        named = ", ".join(self.entities) if self.entities else "none"
        lines = [f"a transaction committed unaudited writes (events named: {named})"]
        lines += [f"    {write.describe()}" for write in self.unaudited]
        return "\n".join(lines)


def table_name(raw: str) -> str:
    """Return a bare table name from SQL text: no schema, quotes or brackets."""
    return raw.strip().split(".")[-1].strip('"`[]').lower()


def classify(statement: str, compiled: Any = None) -> tuple[str, list[str]] | None:
    """Return (verb, tables) for a statement that changes rows, else None.

    ``compiled`` is the statement's SQLAlchemy compiled form when there is one:
    its table is exact even when the text starts with a CTE.
    """
    target = getattr(compiled, "statement", None)
    if isinstance(target, Insert | Update | Delete):
        verb = (
            "INSERT"
            if isinstance(target, Insert)
            else "UPDATE"
            if isinstance(target, Update)
            else "DELETE"
        )
        return verb, [table_name(target.table.name)]  # type: ignore[attr-defined]
    match = _DML.match(statement)
    if match is None:
        return None
    verb = next(
        name.upper()
        for name in ("insert", "replace", "update", "delete", "truncate")
        if match.group(name)
    )
    if verb == "REPLACE":
        verb = "INSERT"
    raw = match.group("target")
    names = raw.split(",") if verb == "TRUNCATE" else [raw]
    return verb, [table_name(name) for name in names]


def aggregate_of(table: str) -> frozenset[str]:
    for group in AGGREGATES:
        if table in group:
            return group
    return frozenset({table})


def exemption_for(table: str) -> str | None:
    """Return why changes to a table need no event, or None if they do."""
    if table in EXEMPT_TABLES:
        return EXEMPT_TABLES[table]
    for prefix, reason in EXEMPT_TABLE_PREFIXES.items():
        if table.startswith(prefix):
            return reason
    return None


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def entity_tables() -> dict[str, str]:
    """Map each model's snake_case name to its table.

    The trail names records by model (``vial_lot``); a model without a
    ``__tablename__`` keeps SQLModel's default table name (``viallot``).
    """
    return {
        snake_case(mapper.class_.__name__): mapper.local_table.name
        for mapper in default_registry.mappers
    }


def unaudited(
    writes: Iterable[Write],
    entities: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    exempt_tables: Iterable[str] = (),
) -> list[Write]:
    """Return the writes that no audit event of their transaction names.

    A write is covered when an event's entity type is its table (directly or
    through ``aliases``, entity type to table), or another table of the same
    aggregate; bookkeeping tables, and those a test exempts, need no event.
    """
    aliases = entity_tables() if aliases is None else aliases
    named = {aliases.get(entity, entity) for entity in entities}
    skipped = set(exempt_tables)
    return [
        write
        for write in writes
        if write.table not in skipped
        and exemption_for(write.table) is None
        and not (aggregate_of(write.table) & named)
    ]


def first_line(statement: str, limit: int = 160) -> str:
    line = statement.strip().splitlines()[0] if statement.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _resolve(path: str) -> CodeType:
    module_name, _, attribute = path.rpartition(".")
    function: Callable[..., Any] = getattr(
        importlib.import_module(module_name), attribute
    )
    return function.__code__


@dataclass
class _Transaction:
    writes: list[Write] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    # (savepoint name, writes so far, events so far), innermost last.
    savepoints: list[list[Any]] = field(default_factory=list)


class AuditGuard:
    """Listen to all engines and collect the transactions that commit unaudited."""

    def __init__(self, exempt_tables: Iterable[str] = ()) -> None:
        self.exempt_tables = frozenset(exempt_tables)
        self.violations: list[Violation] = []
        self.reported = 0
        self._lock = threading.Lock()
        self._open: weakref.WeakKeyDictionary[Connection, _Transaction] = (
            weakref.WeakKeyDictionary()
        )
        self._exempt_code = {_resolve(path): path for path in EXEMPT_FUNCTIONS}
        self._aliases = entity_tables()
        self._listeners: list[tuple[str, Callable[..., None]]] = [
            ("before_cursor_execute", self._before_cursor_execute),
            ("commit", self._commit),
            ("rollback", self._rollback),
            ("savepoint", self._savepoint),
            ("rollback_savepoint", self._rollback_savepoint),
            ("release_savepoint", self._release_savepoint),
        ]
        self.installed = False

    def install(self) -> None:
        for name, listener in self._listeners:
            event.listen(Engine, name, listener)
        self.installed = True

    def remove(self) -> None:
        if not self.installed:
            return
        for name, listener in self._listeners:
            event.remove(Engine, name, listener)
        self.installed = False
        with self._lock:
            self._open.clear()

    def new_violations(self) -> list[Violation]:
        """Return the violations not yet reported, and mark them reported."""
        with self._lock:
            found = self.violations[self.reported :]
            self.reported = len(self.violations)
        return found

    def _transaction(self, conn: Connection) -> _Transaction:
        with self._lock:
            found = self._open.get(conn)
            if found is None:
                found = self._open[conn] = _Transaction()
            return found

    def _caller(self) -> tuple[str | None, str]:
        """Return (exempt function, innermost project frame) for this statement."""
        where = ""
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            exempt = self._exempt_code.get(code)
            if exempt is not None:
                return exempt, where
            filename = code.co_filename
            if (
                not where
                and filename.startswith(_PROJECT_DIRS)
                and filename != _THIS_FILE
            ):
                relative = Path(filename).relative_to(_ROOT)
                where = f"{relative}:{frame.f_lineno} in {code.co_name}"
            frame = frame.f_back  # type: ignore[assignment]
        return None, where

    def _before_cursor_execute(
        self,
        conn: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        savepoint = _SAVEPOINT.match(statement)
        if savepoint is not None:
            marks = self._transaction(conn).savepoints
            if marks and marks[-1][0] is None:
                marks[-1][0] = savepoint.group(1)
            return
        compiled = getattr(context, "compiled", None)
        found = classify(statement, compiled)
        if found is None:
            return
        verb, tables = found
        transaction = self._transaction(conn)
        if verb == "INSERT" and tables == [AUDIT_TABLE]:
            rows = getattr(context, "compiled_parameters", None) or []
            transaction.entities += [
                str(row["entity_type"]) for row in rows if row.get("entity_type")
            ]
            return
        exempt, where = self._caller()
        if exempt is not None:
            return
        sql = first_line(statement)
        transaction.writes += [Write(verb, table, sql, where) for table in tables]
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            # Each statement is its own transaction, committed as it runs.
            self._commit(conn)

    def _commit(self, conn: Connection) -> None:
        with self._lock:
            transaction = self._open.pop(conn, None)
        if transaction is None or not transaction.writes:
            return
        missing = unaudited(
            transaction.writes, transaction.entities, self._aliases, self.exempt_tables
        )
        if missing:
            # dict.fromkeys: an executemany's repeats are listed once, in order.
            violation = Violation(
                tuple(dict.fromkeys(missing)),
                tuple(dict.fromkeys(transaction.entities)),
            )
            with self._lock:
                self.violations.append(violation)

    def _rollback(self, conn: Connection) -> None:
        with self._lock:
            self._open.pop(conn, None)

    def _savepoint(self, conn: Connection, _name: str | None) -> None:
        transaction = self._transaction(conn)
        transaction.savepoints.append(
            [None, len(transaction.writes), len(transaction.entities)]
        )

    def _unwind(self, conn: Connection, name: str, *, discard: bool) -> None:
        transaction = self._transaction(conn)
        marks = transaction.savepoints
        index = next(
            (i for i in range(len(marks) - 1, -1, -1) if marks[i][0] == name),
            len(marks) - 1,
        )
        if index < 0:
            return
        _, writes, entities = marks[index]
        del marks[index:]
        if discard:
            del transaction.writes[writes:]
            del transaction.entities[entities:]

    def _rollback_savepoint(self, conn: Connection, name: str, _context: Any) -> None:
        self._unwind(conn, name, discard=True)

    def _release_savepoint(self, conn: Connection, name: str, _context: Any) -> None:
        self._unwind(conn, name, discard=False)


def report(violations: list[Violation], phase: str) -> str:
    lines = [
        f"{len(violations)} committed transaction(s) during {phase} changed "
        "records without an audit event naming them (issue 7). Write the event "
        "in the same transaction or, for a test's deliberate raw rows, mark it "
        '@pytest.mark.audit_exempt("why", tables=[...]).'
    ]
    lines += [violation.describe() for violation in violations]
    return "\n".join(lines)


_GUARD = pytest.StashKey[AuditGuard]()


@dataclass(frozen=True)
class Exemption:
    """What a test's ``audit_exempt`` markers excuse: all of it, or some tables."""

    whole_test: bool
    tables: frozenset[str]


def exemption(node: pytest.Item) -> Exemption:
    """Read the test's ``audit_exempt`` markers, failing on one without a reason.

    ``@pytest.mark.audit_exempt("why")`` turns the guard off for the test;
    ``@pytest.mark.audit_exempt("why", tables=["appointment"])`` keeps it on
    but excuses changes to the named tables (the test's own raw arrangement),
    so the services it exercises are still checked.
    """
    whole = False
    tables: set[str] = set()
    known = set(entity_tables().values())
    for marker in node.iter_markers("audit_exempt"):
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            pytest.fail(
                'audit_exempt needs a reason: @pytest.mark.audit_exempt("why")',
                pytrace=False,
            )
        named = marker.kwargs.get("tables")
        if named is None:
            whole = True
            continue
        if isinstance(named, str) or not named or not set(named) <= known:
            pytest.fail(
                f"audit_exempt tables= must list table names; got {named!r}",
                pytrace=False,
            )
        tables.update(named)
    return Exemption(whole, frozenset(tables))


@pytest.fixture(autouse=True)
def audit_guard(request: pytest.FixtureRequest) -> Iterator[AuditGuard | None]:
    """Watch every write of the test; fail it if a commit goes unaudited.

    Autouse, so it is set up before the test's other function fixtures and
    sees their writes too (``make_patient`` and ``make_user`` go through the
    services and are audited like any other caller).
    """
    excused = exemption(request.node)
    if excused.whole_test:
        yield None
        return
    guard = AuditGuard(excused.tables)
    guard.install()
    request.node.stash[_GUARD] = guard
    try:
        yield guard
    finally:
        guard.remove()
    missing = guard.new_violations()
    if missing:
        pytest.fail(report(missing, "the test's teardown"), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not only its teardown) for what setup and body wrote."""
    result = yield
    guard = item.stash.get(_GUARD, None)
    if guard is not None:
        missing = guard.new_violations()
        if missing:
            pytest.fail(report(missing, "the test's setup and body"), pytrace=False)
    return result
