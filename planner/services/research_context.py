"""The research export's reading context: keyset pages, pseudonyms, shared columns.

Rows are read in keyset pages (``id > last id``, a page at a time), so an export
never holds more than one page in memory, and every page costs the same however
deep into the table it is.
"""

from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from planner.consent.kinds import ConsentKind
from planner.dosing import concentration
from planner.dosing import volume_ml
from planner.interop.research_csv_cells import pseudonym
from planner.models import AdverseEvent
from planner.models import Amendment
from planner.models import Assessment
from planner.models import ConsentRecord
from planner.models import CycleResponse
from planner.models import DiaryEntry
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import SiteRole
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services.consent_forms import current_form
from planner.services.consent_validity import decide_at
from planner.services.consent_validity import valid_months

Rows = Iterator[dict[str, object]]


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


SITE = table_of(InjectionSite)
SESSION = table_of(TreatmentSession)
PATIENT = table_of(Patient)
PRODUCT = table_of(Product)
LOT = table_of(VialLot)
AMENDMENT = table_of(Amendment)
RESPONSE = table_of(CycleResponse)
ADVERSE = table_of(AdverseEvent)
DIARY = table_of(DiaryEntry)
ASSESSMENT = table_of(Assessment)
USER = table_of(User)
CONSENT = table_of(ConsentRecord)
# The product and vial columns that sessions.csv and sites.csv both carry.
PRODUCT_AND_LOT = (
    PRODUCT.c.code.label("product"),
    PRODUCT.c.unit_name,
    LOT.c.lot_number,
    LOT.c.expiry_date,
    LOT.c.vial_units,
    LOT.c.diluent_ml,
)


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
        self, statement: Select[Any], id_column: Any, key: str
    ) -> Iterator[Sequence[Row[Any]]]:
        """Yield the statement's rows a page at a time, in ``id_column`` order.

        Keyset paging: each page is one query for ids after the last one seen,
        which the statement selects under the label ``key``.
        """
        after = 0
        while True:
            page = (
                self.session.connection()
                .execute(
                    statement.where(id_column > after)
                    .order_by(id_column)
                    .limit(self.page_size)
                )
                .all()
            )
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


def enum_value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


def session_status(status: SessionStatus, amended: bool) -> str:
    if status == SessionStatus.SIGNED and amended:
        return "amended"
    return status.value


def volume_for(units: float | None, lot: Row[Any]) -> float | None:
    # None units: a draft's dose still to enter, so no volume either.
    if units is None or lot.vial_units is None or not lot.diluent_ml:
        return None
    # The chart's own formula; a stored zero (no dose) exports as 0 mL.
    return volume_ml(units, lot.vial_units, lot.diluent_ml) if units else 0.0


def lot_columns(row: Row[Any]) -> dict[str, object]:
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


def session_lot_columns(row: Row[Any], vials: list[Row[Any]]) -> dict[str, object]:
    """Return a session's product and vial columns, from the vials its sites
    came from (``vials_by_session``); with none, from its vial in use.

    Several vials: every lot, first drawn first, joined by "; ", and each other
    vial column only where the vials agree on it.
    """
    if not vials:
        return lot_columns(row)

    def agreed(values: Iterator[object]) -> object:
        distinct = set(values)
        return distinct.pop() if len(distinct) == 1 else None

    return {
        "product": row.product,
        "unit_name": row.unit_name,
        "lot_number": "; ".join(dict.fromkeys(vial.lot_number for vial in vials)),
        "lot_expiry": agreed(vial.expiry_date for vial in vials),
        "vial_units": agreed(vial.vial_units for vial in vials),
        "diluent_ml": agreed(vial.diluent_ml for vial in vials),
        "units_per_ml": agreed(
            concentration(vial.vial_units, vial.diluent_ml) for vial in vials
        ),
    }


def vials_volume(vials: list[Row[Any]]) -> float:
    """Return the volume a session's sites drew, each vial's units at its dilution."""
    return sum(
        (volume_for(float(vial.units or 0.0), vial) or 0.0 for vial in vials), 0.0
    )


def vials_by_session(
    context: ExportContext, first: int, last: int
) -> dict[int, list[Row[Any]]]:
    """Return the vials each session's sites were drawn from, first drawn first,
    with the units each gave, for a range of session ids."""
    rows = context.in_ids(
        select(
            SITE.c.session_id,
            LOT.c.lot_number,
            LOT.c.expiry_date,
            LOT.c.vial_units,
            LOT.c.diluent_ml,
            func.sum(SITE.c.units).label("units"),
        )
        .join(LOT, LOT.c.id == SITE.c.vial_lot_id)
        .where(SITE.c.session_id.between(first, last))
        .group_by(
            SITE.c.session_id,
            LOT.c.id,
            LOT.c.lot_number,
            LOT.c.expiry_date,
            LOT.c.vial_units,
            LOT.c.diluent_ml,
        )
        .order_by(SITE.c.session_id, func.min(SITE.c.number))
    )
    found: dict[int, list[Row[Any]]] = {}
    for row in rows:
        found.setdefault(row.session_id, []).append(row)
    return found


def amended_ids(context: ExportContext, session_ids: set[int]) -> set[int]:
    rows = context.in_ids(
        select(AMENDMENT.c.session_id)
        .where(AMENDMENT.c.session_id.in_(session_ids))
        .distinct()
    )
    return {row.session_id for row in rows}


def counts_by_session(
    context: ExportContext, table: Table, first: int, last: int
) -> dict[int, int]:
    rows = context.in_ids(
        select(table.c.session_id, func.count().label("n"))
        .where(table.c.session_id.between(first, last))
        .group_by(table.c.session_id)
    )
    return {row.session_id: row.n for row in rows}


def units_by_role(
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
        # SUM is NULL when every dose of a draft's role is still to enter.
        units = float(row.units or 0.0)
        found.setdefault(row.session_id, {})[row.role] = (row.n, units)
    return found


def research_consenting(
    session: Session, *, now: datetime, zone: ZoneInfo
) -> frozenset[int]:
    """Return the patients whose research consent is valid at ``now``.

    Opt-in, as the research form reads ("You do not have to agree"): the rule
    the consent page shows decides (``decide_consent``: the latest consent, on
    the form's current version, not withdrawn, younger than the clinic's
    re-consent age). A patient never asked, or who withdrew, is not included.
    """
    # The columns the rule reads, not the signatures' strokes.
    statement: Select[Any] = select(
        CONSENT.c.id,
        CONSENT.c.patient_id,
        CONSENT.c.form_version,
        CONSENT.c.signed_at,
        CONSENT.c.method,
        CONSENT.c.withdrawn_at,
        CONSENT.c.reason,
    ).where(CONSENT.c.kind == ConsentKind.RESEARCH)
    by_patient: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in session.connection().execute(statement):
        by_patient[row.patient_id].append(row)
    if not by_patient:
        # No one has signed: leave the shipped form unstored, as before.
        return frozenset()
    form = current_form(session, ConsentKind.RESEARCH)
    months = valid_months(session)
    return frozenset(
        patient_id
        for patient_id, records in by_patient.items()
        if decide_at(records, form, months=months, now=now, zone=zone).valid
    )
