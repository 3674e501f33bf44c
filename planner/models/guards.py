"""Database-level guards that the ORM cannot be trusted to keep."""

from sqlalchemy import DDL as _UntypedDDL
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy.sql.ddl import ExecutableDDLElement


def DDL(statement: str) -> ExecutableDDLElement:  # noqa: N802  # reads like the SQLAlchemy name
    """Wrap SQLAlchemy's DDL, whose constructor carries no type hints."""
    element: ExecutableDDLElement = _UntypedDDL(statement)  # type: ignore[no-untyped-call]  # untyped upstream
    return element


SQLITE_AUDIT_GUARDS = [
    DDL(
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_update "
        "BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    ),
    DDL(
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete "
        "BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    ),
]

POSTGRES_AUDIT_GUARDS = [
    DDL(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
    ),
    DDL(
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    ),
    # TRUNCATE bypasses row triggers, so it needs its own statement-level guard.
    DDL(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    ),
]


# Added with the hash chain (migration 0010). SQLite's INSERT OR REPLACE deletes
# the row it replaces without firing DELETE triggers, so an INSERT naming an
# existing id is refused before it can; and every INSERT must name the newest
# event's hash as its predecessor, so two writers can never fork the chain.
CHAIN_GENESIS = "0" * 64
SQLITE_CHAIN_GUARDS = [
    DDL(
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_replace "
        "BEFORE INSERT ON audit_event "
        "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    ),
    DDL(
        "CREATE TRIGGER IF NOT EXISTS audit_event_chain "
        "BEFORE INSERT ON audit_event "
        "WHEN NEW.prev_hash IS NOT coalesce("
        "(SELECT event_hash FROM audit_event ORDER BY id DESC LIMIT 1), "
        f"'{CHAIN_GENESIS}') "
        "BEGIN SELECT RAISE(ABORT, 'audit_event must extend the hash chain'); END"
    ),
]

POSTGRES_CHAIN_GUARDS = [
    # ON CONFLICT DO UPDATE fires the UPDATE guard; a plain INSERT of an existing
    # id fails on the primary key. What is left is the chain itself.
    DDL(
        "CREATE OR REPLACE FUNCTION audit_event_extends_chain() RETURNS trigger AS $$ "
        "DECLARE head varchar; "
        "BEGIN "
        "SELECT event_hash INTO head FROM audit_event ORDER BY id DESC LIMIT 1; "
        f"IF NEW.prev_hash IS DISTINCT FROM coalesce(head, '{CHAIN_GENESIS}') THEN "
        "RAISE EXCEPTION 'audit_event must extend the hash chain'; "
        "END IF; "
        "RETURN NEW; "
        "END; $$ LANGUAGE plpgsql"
    ),
    DDL(
        "CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_extends_chain()"
    ),
]


def attach_audit_guards(table: Table) -> None:
    """Create the append-only triggers whenever the audit table is created."""
    for ddl in SQLITE_AUDIT_GUARDS + SQLITE_CHAIN_GUARDS:
        event.listen(table, "after_create", ddl.execute_if(dialect="sqlite"))
    for ddl in POSTGRES_AUDIT_GUARDS + POSTGRES_CHAIN_GUARDS:
        event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))
