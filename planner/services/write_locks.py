"""Pessimistic locks: make one check-then-write run by one transaction at a time.

Where a rule spans rows (no two bookings of one clinician overlap; the audit
chain has one head), a compare-and-set on one row is not enough: two writers
each check, find nothing in the way, and both write. These locks serialise the
writers for the rest of their transaction, so the second one's check sees the
first one's write.

PostgreSQL: a transaction-scoped advisory lock on a (namespace, id) pair,
released at commit or rollback. SQLite: the database's write lock, taken by
BEGIN IMMEDIATE before the check reads anything; a transaction that has
already written holds it already (pysqlite opens a transaction only before a
write), and SQLite has one writer at a time, so every lock is the same lock.
"""

from sqlalchemy import Connection
from sqlalchemy import text

# Namespaces for the two-key advisory locks (any int4; the text says what), in
# the order a transaction may take them: the audit chain's is taken as the
# trail is written, which is last.
CLINICIAN_CALENDAR = 0x636C696E  # "clin"
PATIENT_CALENDAR = 0x70617469  # "pati"
AUDIT_CHAIN = 0x61756474  # "audt"

_ADVISORY = text("SELECT pg_advisory_xact_lock(:namespace, :id)")


def hold(connection: Connection, *locks: tuple[int, int]) -> None:
    """Hold each (namespace, id) lock until this transaction ends, in order.

    Callers always name their locks in the same order (namespaces as listed
    above, then ids), so two transactions never wait for each other in a ring.
    """
    if connection.dialect.name == "postgresql":
        for namespace, ident in locks:
            connection.execute(_ADVISORY, {"namespace": namespace, "id": ident})
    elif connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
