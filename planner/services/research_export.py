"""The research export: each CSV file streamed from the database, pseudonymised.

Rows are read in keyset pages (``id > last id``, a page at a time), so an export of
10,000 patients never holds more than one page in memory, and every page costs the
same however deep into the table it is. Each download writes one EXPORT event in the
audit trail (who, which file, how many records) before the first byte is sent.

The rows are read by a session of the stream's own, opened when the first byte is
asked for and closed when the stream ends or is abandoned. On PostgreSQL its pages
are read in one REPEATABLE READ transaction, so the file is a snapshot. SQLite
reads each page as it stands: a change saved during a long export may or may not
be in it.
"""

from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from planner.errors import NotFound
from planner.facemap import FaceMap
from planner.interop.research_csv import FILES_BY_NAME
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_cells import pseudonym
from planner.interop.research_csv_cells import write_csv
from planner.models import AuditAction
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.research_context import PATIENT
from planner.services.research_context import ExportContext
from planner.services.research_context import Rows
from planner.services.research_context import research_consenting
from planner.services.research_rows import SOURCES

PAGE_SIZE = 500


def export_csv(
    session: Session,
    actor: Actor,
    name: str,
    *,
    secret_key: str | bytes,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
    page_size: int = PAGE_SIZE,
) -> Iterator[str]:
    """Audit the export of one research file now; return its text to stream.

    Only patients whose research consent is valid at ``now`` are in the file.

    :param name: the file's name without ``.csv``, one of ``FILES_BY_NAME``.
    :param secret_key: the app's secret key, which keys the patient pseudonyms.
    :raises NotFound: for a file that is not exported.
    """
    file = FILES_BY_NAME.get(name)
    if file is None or name not in SOURCES:
        raise NotFound("There is no such export file.")
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    build, source = SOURCES[name]
    records = (
        session.connection()
        .execute(select(func.count()).select_from(source))
        .scalar_one()
    )
    included = research_consenting(session, now=now, zone=zone)
    patients = (
        session.connection()
        .execute(select(func.count()).select_from(PATIENT))
        .scalar_one()
    )
    # One event per export, for the whole file: it names no patient, and the
    # trail must show who took which data out, whether or not the download ends.
    record_event(
        session,
        actor,
        AuditAction.EXPORT,
        "research_export",
        None,
        after={
            "file": file.filename,
            "records": records,
            "pseudonymised": True,
            "patients_left_out": patients - len(included),
        },
    )
    session.commit()
    # Flask accepts the key as text or bytes.
    key = secret_key if isinstance(secret_key, bytes) else secret_key.encode()
    refs = frozenset(pseudonym(key, patient_id) for patient_id in included)
    return _stream(
        session.get_bind(),
        _only(build, refs),
        file,
        key=key,
        zone=zone,
        muscle_names={muscle.code: muscle.name for muscle in face_map.muscles},
        page_size=page_size,
    )


def _only(
    build: Callable[[ExportContext], Rows], included: frozenset[str]
) -> Callable[[ExportContext], Rows]:
    """Keep only the rows of the patients included (valid research consent).

    One filter for every file, by the rows' pseudonym, so no file can forget it;
    a row that names no patient is left out too.
    """

    def rows(context: ExportContext) -> Rows:
        for row in build(context):
            if row.get("patient_ref") in included:
                yield row

    return rows


def _stream(
    bind: Engine | Connection,
    build: Callable[[ExportContext], Rows],
    file: CsvFile,
    *,
    key: bytes,
    zone: ZoneInfo,
    muscle_names: dict[str, str],
    page_size: int,
) -> Iterator[str]:
    """Yield the file from a session of its own, closed when the stream ends.

    Not the caller's session: a web server sends the stream after the request
    has ended and its session has been closed. Closing this generator, as a
    server does when the client goes away, closes the session too.
    """
    with Session(bind) as reader:
        if reader.get_bind().dialect.name == "postgresql":
            reader.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        context = ExportContext(reader, key, zone, muscle_names, page_size)
        yield from write_csv(file, build(context), batch=page_size)
