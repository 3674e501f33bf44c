"""The database's integrity after fuzzing: storage, keys, and planner's own rules.

``integrity_problems`` returns every problem found as a sentence (an empty list
when the database is sound), so one failing assertion lists them all.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlmodel import Session
from sqlmodel import SQLModel

from planner.models import SessionStatus
from planner.services.audit import verify_trail

AUDIT_TRIGGERS = {
    "sqlite": {
        "audit_event_no_update",
        "audit_event_no_delete",
        "audit_event_no_replace",
        "audit_event_chain",
    },
    "postgresql": {
        "audit_event_no_change",
        "audit_event_no_truncate",
        "audit_event_chain",
    },
}


@dataclass(frozen=True)
class Baseline:
    """What must survive the fuzzing: the audit trail and signed charts as they were."""

    audit: dict[int, tuple[Any, ...]]
    # Signed session id -> {site id: units} when the baseline was taken.
    signed_sites: dict[int, dict[int, float]]


def take_baseline(engine: Engine) -> Baseline:
    tables = SQLModel.metadata.tables
    audit = tables["audit_event"]
    sessions = tables["treatment_session"]
    sites = tables["injection_site"]
    with engine.connect() as connection:
        rows = {row.id: tuple(row) for row in connection.execute(select(audit))}
        signed: dict[int, dict[int, float]] = defaultdict(dict)
        for session_id in connection.execute(
            select(sessions.c.id).where(sessions.c.status == SessionStatus.SIGNED)
        ).scalars():
            signed[session_id] = {}
        for site in connection.execute(
            select(sites.c.id, sites.c.session_id, sites.c.units).where(
                sites.c.session_id.in_(list(signed))
            )
        ):
            signed[site.session_id][site.id] = site.units
    return Baseline(audit=rows, signed_sites=dict(signed))


def _sqlite_storage(connection: Connection) -> list[str]:
    problems = []
    check = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
    if check != ["ok"]:
        problems.append(f"PRAGMA integrity_check: {check[:5]}")
    broken = list(connection.execute(text("PRAGMA foreign_key_check")))
    if broken:
        problems.append(f"PRAGMA foreign_key_check: {broken[:5]}")
    if connection.execute(text("PRAGMA foreign_keys")).scalar() != 1:
        problems.append("foreign keys are not enforced on the app's connections")
    return problems


def _postgres_constraints(connection: Connection) -> list[str]:
    """Every foreign key the models declare exists in the database and is validated."""
    problems = []
    found = {
        (row.table, row.columns): row.validated
        for row in connection.execute(
            text(
                "SELECT c.conrelid::regclass::text AS table,"
                " c.convalidated AS validated,"
                " array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) AS k"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k"
                " ORDER BY a.attname), ',') AS columns"
                " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE c.contype = 'f' AND n.nspname = current_schema()"
            )
        )
    }
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            columns = ",".join(sorted(column.name for column in key.columns))
            name = table.name if table.name != "user" else '"user"'
            validated = found.get((name, columns))
            if validated is None:
                problems.append(f"no foreign key on {table.name}({columns})")
            elif not validated:
                problems.append(f"foreign key on {table.name}({columns}) not validated")
    if not found:
        problems.append("the database has no foreign keys at all")
    return problems


def _triggers(connection: Connection, dialect: str) -> list[str]:
    if dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgenabled <> 'D'"
    present = set(connection.execute(text(query)).scalars())
    missing = AUDIT_TRIGGERS[dialect] - present
    return [f"audit guard trigger missing: {name}" for name in sorted(missing)]


def _orphans(connection: Connection) -> list[str]:
    """Rows whose foreign key names no parent row, whatever the engine enforces."""
    problems = []
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            parent = key.referred_table
            child = table.alias("child")
            pairs = [
                (child.c[element.parent.name], parent.c[element.column.name])
                for element in key.elements
            ]
            query = (
                select(func.count())
                .select_from(child.outerjoin(parent, and_(*(c == p for c, p in pairs))))
                .where(
                    and_(*(c.is_not(None) for c, _p in pairs)),
                    pairs[0][1].is_(None),
                )
            )
            count = connection.execute(query).scalar_one()
            if count:
                columns = ", ".join(c.name for c, _p in pairs)
                problems.append(
                    f"{count} {table.name} rows name a missing {parent.name} "
                    f"({columns})"
                )
    return problems


def _versions(connection: Connection) -> list[str]:
    problems = []
    for table in SQLModel.metadata.sorted_tables:
        if "version" not in table.c:
            continue
        bad = connection.execute(
            select(func.count()).where(table.c.version < 1)
        ).scalar_one()
        if bad:
            problems.append(f"{bad} {table.name} rows have a version below 1")
    return problems


def _audit_trail(connection: Connection, baseline: Baseline) -> list[str]:
    audit = SQLModel.metadata.tables["audit_event"]
    now = {row.id: tuple(row) for row in connection.execute(select(audit))}
    problems = []
    if len(now) < len(baseline.audit):
        problems.append(f"audit rows fell from {len(baseline.audit)} to {len(now)}")
    gone = sorted(set(baseline.audit) - set(now))
    if gone:
        problems.append(f"audit rows disappeared: {gone[:10]}")
    changed = sorted(
        row_id
        for row_id, row in baseline.audit.items()
        if row_id in now and now[row_id] != row
    )
    if changed:
        problems.append(f"audit rows were rewritten: {changed[:10]}")
    with Session(bind=connection) as session:
        chain = verify_trail(session)
    if chain.broken is not None:
        problems.append(
            f"audit chain broken at event {chain.broken.event_id}: "
            f"{chain.broken.reason}"
        )
    return problems


def _as_utc(value: datetime | None) -> datetime | None:
    """Compare timestamps the same way on both engines (SQLite drops the zone)."""
    return None if value is None else value.replace(tzinfo=None)


def _signed_charts(connection: Connection, baseline: Baseline) -> list[str]:
    """A signed chart changes only by amendment, and every amendment says how.

    Each site of a signed session either is untouched since signing, or carries
    the dose its latest amendment entry gives it.
    """
    tables = SQLModel.metadata.tables
    sessions, sites = tables["treatment_session"], tables["injection_site"]
    amendments = tables["amendment"]
    problems = []
    signed = {
        row.id: row
        for row in connection.execute(
            select(sessions).where(sessions.c.status == SessionStatus.SIGNED)
        )
    }
    for session_id in sorted(set(baseline.signed_sites) - set(signed)):
        problems.append(f"session {session_id} was signed and is not any more")
    for row in signed.values():
        if row.signed_at is None or row.signed_by_id is None:
            problems.append(f"signed session {row.id} has no signature time or author")
    latest: dict[tuple[int, int], float] = {}
    for amendment in connection.execute(
        select(amendments).order_by(amendments.c.created_at, amendments.c.id)
    ):
        if amendment.session_id not in signed:
            problems.append(f"amendment {amendment.id} is on an unsigned session")
        for entry in (amendment.changes or {}).get("sites", []):
            latest[(amendment.session_id, entry["site"])] = entry["after"]
    current: dict[int, dict[int, float]] = defaultdict(dict)
    numbers: dict[int, int] = {}
    for site in connection.execute(
        select(sites).where(sites.c.session_id.in_(list(signed)))
    ):
        current[site.session_id][site.id] = site.units
        numbers[site.id] = site.number
        session = signed[site.session_id]
        signed_at = _as_utc(session.signed_at)
        amended = latest.get((site.session_id, site.number))
        if signed_at is not None and _as_utc(site.created_at) > signed_at:  # type: ignore[operator]
            problems.append(f"site {site.id} was added to signed session after signing")
        if amended is not None:
            if site.units != amended:
                problems.append(
                    f"site {site.id} holds {site.units} U, its amendment says {amended}"
                )
        elif signed_at is not None and _as_utc(site.updated_at) > signed_at:  # type: ignore[operator]
            problems.append(f"site {site.id} changed after signing with no amendment")
    for session_id, before in baseline.signed_sites.items():
        after = current.get(session_id, {})
        if set(after) != set(before):
            problems.append(f"signed session {session_id} gained or lost sites")
        for site_id, units in after.items():
            amended = (session_id, numbers[site_id]) in latest
            if units != before.get(site_id) and not amended:
                problems.append(f"site {site_id} of signed session changed unamended")
    return problems


def integrity_problems(engine: Engine, baseline: Baseline) -> list[str]:
    """Check the database after fuzzing; return every problem found."""
    dialect = engine.dialect.name
    with engine.connect() as connection:
        problems = (
            _sqlite_storage(connection)
            if dialect == "sqlite"
            else _postgres_constraints(connection)
        )
        problems += _triggers(connection, dialect)
        problems += _orphans(connection)
        problems += _versions(connection)
        problems += _audit_trail(connection, baseline)
        problems += _signed_charts(connection, baseline)
    return problems
