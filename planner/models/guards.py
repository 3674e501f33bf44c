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


def attach_audit_guards(table: Table) -> None:
    """Create the append-only triggers whenever the audit table is created."""
    for ddl in SQLITE_AUDIT_GUARDS:
        event.listen(table, "after_create", ddl.execute_if(dialect="sqlite"))
    for ddl in POSTGRES_AUDIT_GUARDS:
        event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))
