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

import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from planner.dosing import concentration
from planner.dosing import volume_ml
from planner.errors import NotFound
from planner.facemap import FaceMap
from planner.interop.research_csv import FILES_BY_NAME
from planner.interop.research_csv_cells import CsvFile
from planner.interop.research_csv_cells import pseudonym
from planner.interop.research_csv_cells import whole_years
from planner.interop.research_csv_cells import write_csv
from planner.models import AdverseEvent
from planner.models import Amendment
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import CycleResponse
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import Side
from planner.models import SiteRole
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services.audit import Actor
from planner.services.audit import record_event

PAGE_SIZE = 500
SIDE_CODES = {Side.RIGHT: "R", Side.LEFT: "L", Side.MIDLINE: "M"}


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


SITE = _table(InjectionSite)
SESSION = _table(TreatmentSession)
PATIENT = _table(Patient)
PRODUCT = _table(Product)
LOT = _table(VialLot)
AMENDMENT = _table(Amendment)
RESPONSE = _table(CycleResponse)
ADVERSE = _table(AdverseEvent)
ASSESSMENT = _table(Assessment)
USER = _table(User)
# The product and vial columns that sessions.csv and sites.csv both carry.
PRODUCT_AND_LOT = (
    PRODUCT.c.code.label("product"),
    PRODUCT.c.unit_name,
    LOT.c.lot_number,
    LOT.c.expiry_date,
    LOT.c.vial_units,
    LOT.c.diluent_ml,
)

Rows = Iterator[dict[str, object]]


@dataclass(frozen=True)
class ExportContext:
    """What every file's rows are built with."""

    session: Session
    key: bytes
    zone: ZoneInfo
    muscle_names: dict[str, str]
    page_size: int
    refs: dict[int, str] = field(default_factory=dict)

    def pages(
        self, statement: Callable[[int], Select[Any]], key: str
    ) -> Iterator[Sequence[Row[Any]]]:
        """Yield pages of rows ordered by the id column ``key``, one query each."""
        after = 0
        while True:
            page = self.session.connection().execute(statement(after)).all()
            if page:
                yield page
            if len(page) < self.page_size:
                return
            after = getattr(page[-1], key)

    def patient_ref(self, patient_id: int) -> str:
        """Return the patient's pseudonym, computed once per patient per export."""
        ref = self.refs.get(patient_id)
        if ref is None:
            ref = self.refs[patient_id] = pseudonym(self.key, patient_id)
        return ref

    def in_ids(self, statement: Select[Any]) -> list[Row[Any]]:
        return list(self.session.connection().execute(statement))

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def _value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


def _status(status: SessionStatus, amended: bool) -> str:
    if status == SessionStatus.SIGNED and amended:
        return "amended"
    return status.value


def _volume(units: float, lot: Row[Any]) -> float | None:
    if lot.vial_units is None or not lot.diluent_ml:
        return None
    # The chart's own formula; a stored zero (no dose) exports as 0 mL.
    return volume_ml(units, lot.vial_units, lot.diluent_ml) if units else 0.0


def _lot_columns(row: Row[Any]) -> dict[str, object]:
    has_lot = row.vial_units is not None and bool(row.diluent_ml)
    return {
        "product": row.product,
        "unit_name": row.unit_name,
        "lot_number": row.lot_number,
        "lot_expiry": row.expiry_date,
        "vial_units": row.vial_units,
        "diluent_ml": row.diluent_ml,
        "units_per_ml": concentration(row.vial_units, row.diluent_ml)
        if has_lot
        else None,
    }


def _amended(context: ExportContext, session_ids: set[int]) -> set[int]:
    rows = context.in_ids(
        select(AMENDMENT.c.session_id)
        .where(AMENDMENT.c.session_id.in_(session_ids))
        .distinct()
    )
    return {row.session_id for row in rows}


def _site_rows(context: ExportContext) -> Rows:
    def page(after: int) -> Select[Any]:
        return (
            select(
                SITE.c.id.label("site_id"),
                SITE.c.session_id,
                SITE.c.number,
                SITE.c.muscle,
                SITE.c.side,
                SITE.c.role,
                SITE.c.depth,
                SITE.c.units,
                SITE.c.x,
                SITE.c.y,
                SESSION.c.patient_id,
                SESSION.c.cycle_number,
                SESSION.c.performed_at,
                SESSION.c.status,
                *PRODUCT_AND_LOT,
            )
            .join_from(SITE, SESSION, SESSION.c.id == SITE.c.session_id)
            .join(PRODUCT, PRODUCT.c.id == SESSION.c.product_id)
            .outerjoin(LOT, LOT.c.id == SESSION.c.vial_lot_id)
            .where(SITE.c.id > after)
            .order_by(SITE.c.id)
            .limit(context.page_size)
        )

    for rows in context.pages(page, "site_id"):
        amended = _amended(context, {row.session_id for row in rows})
        for row in rows:
            yield {
                "site_id": row.site_id,
                "session_id": row.session_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "cycle_number": row.cycle_number,
                "performed_at": row.performed_at,
                "session_status": _status(row.status, row.session_id in amended),
                **_lot_columns(row),
                "site_number": row.number,
                "muscle": row.muscle,
                "muscle_name": context.muscle_names.get(row.muscle),
                "side": SIDE_CODES[row.side],
                "role": _value(row.role),
                "depth": _value(row.depth),
                "units": row.units,
                "volume_ml": _volume(row.units, row),
                "x": row.x,
                "y": row.y,
            }


def _counts_by_session(
    context: ExportContext, table: Table, first: int, last: int
) -> dict[int, int]:
    rows = context.in_ids(
        select(table.c.session_id, func.count().label("n"))
        .where(table.c.session_id.between(first, last))
        .group_by(table.c.session_id)
    )
    return {row.session_id: row.n for row in rows}


def _units_by_role(
    context: ExportContext, first: int, last: int
) -> dict[int, dict[SiteRole, tuple[int, float]]]:
    """Return each session's site count and units per role, for a range of ids."""
    rows = context.in_ids(
        select(
            SITE.c.session_id,
            SITE.c.role,
            func.count().label("n"),
            func.sum(SITE.c.units).label("units"),
        )
        .where(SITE.c.session_id.between(first, last))
        .group_by(SITE.c.session_id, SITE.c.role)
    )
    found: dict[int, dict[SiteRole, tuple[int, float]]] = {}
    for row in rows:
        found.setdefault(row.session_id, {})[row.role] = (row.n, float(row.units))
    return found


def _session_rows(context: ExportContext) -> Rows:
    def page(after: int) -> Select[Any]:
        return (
            select(
                SESSION.c.id.label("session_id"),
                SESSION.c.patient_id,
                SESSION.c.kind,
                SESSION.c.cycle_session_id,
                SESSION.c.cycle_number,
                SESSION.c.performed_at,
                SESSION.c.status,
                SESSION.c.signed_at,
                SESSION.c.consent_obtained,
                SESSION.c.warnings,
                PATIENT.c.date_of_birth,
                PATIENT.c.sex,
                PATIENT.c.cause,
                PATIENT.c.affected_side,
                PATIENT.c.onset_date,
                *PRODUCT_AND_LOT,
                RESPONSE.c.onset_days,
                RESPONSE.c.peak_days,
                RESPONSE.c.wear_off_weeks,
                RESPONSE.c.patient_rating,
            )
            .join_from(SESSION, PATIENT, PATIENT.c.id == SESSION.c.patient_id)
            .join(PRODUCT, PRODUCT.c.id == SESSION.c.product_id)
            .outerjoin(LOT, LOT.c.id == SESSION.c.vial_lot_id)
            .outerjoin(RESPONSE, RESPONSE.c.session_id == SESSION.c.id)
            .where(SESSION.c.id > after)
            .order_by(SESSION.c.id)
            .limit(context.page_size)
        )

    for rows in context.pages(page, "session_id"):
        # A page is a contiguous range of session ids, so a range finds its rows.
        first, last = rows[0].session_id, rows[-1].session_id
        sites = _units_by_role(context, first, last)
        amendments = _counts_by_session(context, AMENDMENT, first, last)
        adverse = _counts_by_session(context, ADVERSE, first, last)
        for row in rows:
            yield _session_row(
                context, row, sites.get(row.session_id, {}), amendments, adverse
            )


def _session_row(
    context: ExportContext,
    row: Row[Any],
    by_role: dict[SiteRole, tuple[int, float]],
    amendments: dict[int, int],
    adverse: dict[int, int],
) -> dict[str, object]:
    day = context.local_day(row.performed_at)
    total = sum(units for _, units in by_role.values())
    lot = _lot_columns(row)
    return {
        "session_id": row.session_id,
        "patient_ref": context.patient_ref(row.patient_id),
        "age_years": whole_years(row.date_of_birth, day),
        "sex": _value(row.sex),
        "palsy_cause": _value(row.cause),
        "affected_side": _value(row.affected_side),
        "years_since_onset": None
        if row.onset_date is None
        else whole_years(row.onset_date, day),
        "cycle_number": row.cycle_number,
        "kind": _value(row.kind),
        "cycle_session_id": row.cycle_session_id,
        "performed_at": row.performed_at,
        "session_status": _status(row.status, amendments.get(row.session_id, 0) > 0),
        "signed_at": row.signed_at,
        "amendment_count": amendments.get(row.session_id, 0),
        **lot,
        "site_count": sum(count for count, _ in by_role.values()),
        "total_units": total,
        "affected_units": by_role.get(SiteRole.AFFECTED, (0, 0.0))[1],
        "contralateral_units": by_role.get(SiteRole.CONTRALATERAL, (0, 0.0))[1],
        "midline_units": by_role.get(SiteRole.MIDLINE, (0, 0.0))[1],
        "total_volume_ml": _volume(total, row),
        "consent_obtained": bool(row.consent_obtained),
        "warning_count": len(row.warnings or []),
        "onset_days": row.onset_days,
        "peak_days": row.peak_days,
        "wear_off_weeks": row.wear_off_weeks,
        "patient_rating": row.patient_rating,
        "adverse_event_count": adverse.get(row.session_id, 0),
    }


def _score_parts(
    total: float | None, scores: dict[str, Any]
) -> Iterator[tuple[str, float | None, str | None]]:
    """Yield (component, number, text) for the headline, then each stored score."""
    yield "headline", total, None
    for name, value in scores.items():
        if isinstance(value, bool):
            yield name, None, "true" if value else "false"
        elif isinstance(value, int | float):
            yield name, value, None
        elif isinstance(value, str):
            yield name, None, value
        elif value is None:
            yield name, None, None
        else:
            yield name, None, json.dumps(value, sort_keys=True)


def _score_rows(context: ExportContext) -> Rows:
    def page(after: int) -> Select[Any]:
        return (
            select(
                ASSESSMENT.c.id.label("assessment_id"),
                ASSESSMENT.c.patient_id,
                ASSESSMENT.c.session_id,
                ASSESSMENT.c.instrument,
                ASSESSMENT.c.timepoint,
                ASSESSMENT.c.assessed_at,
                ASSESSMENT.c.scores,
                ASSESSMENT.c.total,
                ASSESSMENT.c.formula_version,
                ASSESSMENT.c.self_entered,
                PATIENT.c.date_of_birth,
                PATIENT.c.sex,
                USER.c.role,
                SESSION.c.cycle_number,
            )
            .join_from(ASSESSMENT, PATIENT, PATIENT.c.id == ASSESSMENT.c.patient_id)
            .join(USER, USER.c.id == ASSESSMENT.c.entered_by_id)
            .outerjoin(SESSION, SESSION.c.id == ASSESSMENT.c.session_id)
            .where(ASSESSMENT.c.id > after)
            .order_by(ASSESSMENT.c.id)
            .limit(context.page_size)
        )

    for rows in context.pages(page, "assessment_id"):
        for row in rows:
            common: dict[str, object] = {
                "assessment_id": row.assessment_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "age_years": whole_years(
                    row.date_of_birth, context.local_day(row.assessed_at)
                ),
                "sex": _value(row.sex),
                "session_id": row.session_id,
                "cycle_number": row.cycle_number,
                "instrument": _value(row.instrument),
                "timepoint": _value(row.timepoint),
                "assessed_at": row.assessed_at,
                "formula_version": row.formula_version,
                "assessor": "patient" if row.self_entered else _value(row.role),
            }
            for component, number, text in _score_parts(row.total, row.scores or {}):
                yield {
                    **common,
                    "component": component,
                    "value": number,
                    "value_text": text,
                }


def _adverse_rows(context: ExportContext) -> Rows:
    def page(after: int) -> Select[Any]:
        return (
            select(
                ADVERSE.c.id.label("adverse_event_id"),
                ADVERSE.c.session_id,
                ADVERSE.c.kind,
                ADVERSE.c.severity,
                ADVERSE.c.description,
                ADVERSE.c.onset_date,
                ADVERSE.c.resolved_date,
                ADVERSE.c.recorded_at,
                SESSION.c.patient_id,
                SESSION.c.cycle_number,
                SESSION.c.performed_at,
            )
            .join_from(ADVERSE, SESSION, SESSION.c.id == ADVERSE.c.session_id)
            .where(ADVERSE.c.id > after)
            .order_by(ADVERSE.c.id)
            .limit(context.page_size)
        )

    for rows in context.pages(page, "adverse_event_id"):
        for row in rows:
            onset: date | None = row.onset_date
            yield {
                "adverse_event_id": row.adverse_event_id,
                "session_id": row.session_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "cycle_number": row.cycle_number,
                "kind": _value(row.kind),
                "severity": _value(row.severity),
                "description": row.description,
                "onset_date": onset,
                "resolved_date": row.resolved_date,
                "onset_days_after_session": None
                if onset is None
                else (onset - context.local_day(row.performed_at)).days,
                "recorded_at": row.recorded_at,
            }


# Each file's row builder, and the table whose records it exports (for the audit).
SOURCES: dict[str, tuple[Callable[[ExportContext], Rows], Table]] = {
    "sites": (_site_rows, SITE),
    "sessions": (_session_rows, SESSION),
    "scores": (_score_rows, ASSESSMENT),
    "adverse_events": (_adverse_rows, ADVERSE),
}


def export_csv(
    session: Session,
    actor: Actor,
    name: str,
    *,
    secret_key: str | bytes,
    face_map: FaceMap,
    zone: ZoneInfo,
    page_size: int = PAGE_SIZE,
) -> Iterator[str]:
    """Audit the export of one research file now; return its text to stream.

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
    # One event per export, for the whole file: it names no patient, and the
    # trail must show who took which data out, whether or not the download ends.
    record_event(
        session,
        actor,
        AuditAction.EXPORT,
        "research_export",
        None,
        after={"file": file.filename, "records": records, "pseudonymised": True},
    )
    session.commit()
    return _stream(
        session.get_bind(),
        build,
        file,
        # Flask accepts the key as text or bytes.
        key=secret_key if isinstance(secret_key, bytes) else secret_key.encode(),
        zone=zone,
        muscle_names={muscle.code: muscle.name for muscle in face_map.muscles},
        page_size=page_size,
    )


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
