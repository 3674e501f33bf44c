"""The research export's row builders: one per CSV file, pseudonymised."""

import json
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import select

from planner.interop.research_csv_cells import whole_years
from planner.models import SessionStatus
from planner.models import Side
from planner.models import SiteRole
from planner.services.research_context import ADVERSE
from planner.services.research_context import AMENDMENT
from planner.services.research_context import ASSESSMENT
from planner.services.research_context import DIARY
from planner.services.research_context import LOT
from planner.services.research_context import PATIENT
from planner.services.research_context import PRODUCT
from planner.services.research_context import PRODUCT_AND_LOT
from planner.services.research_context import RESPONSE
from planner.services.research_context import SESSION
from planner.services.research_context import SITE
from planner.services.research_context import USER
from planner.services.research_context import ExportContext
from planner.services.research_context import Rows
from planner.services.research_context import amended_ids
from planner.services.research_context import counts_by_session
from planner.services.research_context import enum_value
from planner.services.research_context import lot_columns
from planner.services.research_context import session_lot_columns
from planner.services.research_context import session_status
from planner.services.research_context import units_by_role
from planner.services.research_context import vials_by_session
from planner.services.research_context import vials_volume
from planner.services.research_context import volume_for
from planner.services.research_photos import PHOTO
from planner.services.research_photos import photo_measurement_rows
from planner.services.research_procedures import PROCEDURE
from planner.services.research_procedures import procedure_rows

SIDE_CODES = {Side.RIGHT: "R", Side.LEFT: "L", Side.MIDLINE: "M"}


def _site_rows(context: ExportContext) -> Rows:
    statement = (
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
        # The vial the site was drawn from, not the session's vial in use.
        .outerjoin(LOT, LOT.c.id == SITE.c.vial_lot_id)
        .where(SESSION.c.status != SessionStatus.DISCARDED)
    )
    for rows in context.pages(statement, SITE.c.id, "site_id"):
        amended = amended_ids(context, {row.session_id for row in rows})
        for row in rows:
            yield {
                "site_id": row.site_id,
                "session_id": row.session_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "cycle_number": row.cycle_number,
                "performed_at": row.performed_at,
                "session_status": session_status(row.status, row.session_id in amended),
                **lot_columns(row),
                "site_number": row.number,
                "muscle": row.muscle,
                "muscle_name": context.muscle_names.get(row.muscle),
                "side": SIDE_CODES[row.side],
                "role": enum_value(row.role),
                "depth": enum_value(row.depth),
                "units": row.units,
                "volume_ml": volume_for(row.units, row),
                "x": row.x,
                "y": row.y,
            }


def _session_rows(context: ExportContext) -> Rows:
    statement = (
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
        .where(SESSION.c.status != SessionStatus.DISCARDED)
    )
    for rows in context.pages(statement, SESSION.c.id, "session_id"):
        # A page is a contiguous range of session ids, so a range finds its rows.
        first, last = rows[0].session_id, rows[-1].session_id
        sites = units_by_role(context, first, last)
        vials = vials_by_session(context, first, last)
        amendments = counts_by_session(context, AMENDMENT, first, last)
        adverse = counts_by_session(context, ADVERSE, first, last)
        for row in rows:
            yield _session_row(
                context,
                row,
                sites.get(row.session_id, {}),
                vials.get(row.session_id, []),
                amendments,
                adverse,
            )


def _session_row(
    context: ExportContext,
    row: Row[Any],
    by_role: dict[SiteRole, tuple[int, float]],
    vials: list[Row[Any]],
    amendments: dict[int, int],
    adverse: dict[int, int],
) -> dict[str, object]:
    day = context.local_day(row.performed_at)
    total = sum(units for _, units in by_role.values())
    lot = session_lot_columns(row, vials)
    return {
        "session_id": row.session_id,
        "patient_ref": context.patient_ref(row.patient_id),
        "age_years": whole_years(row.date_of_birth, day),
        "sex": enum_value(row.sex),
        "palsy_cause": enum_value(row.cause),
        "affected_side": enum_value(row.affected_side),
        "years_since_onset": None
        if row.onset_date is None
        else whole_years(row.onset_date, day),
        "cycle_number": row.cycle_number,
        "kind": enum_value(row.kind),
        "cycle_session_id": row.cycle_session_id,
        "performed_at": row.performed_at,
        "session_status": session_status(
            row.status, amendments.get(row.session_id, 0) > 0
        ),
        "signed_at": row.signed_at,
        "amendment_count": amendments.get(row.session_id, 0),
        **lot,
        "site_count": sum(count for count, _ in by_role.values()),
        "total_units": total,
        "affected_units": by_role.get(SiteRole.AFFECTED, (0, 0.0))[1],
        "contralateral_units": by_role.get(SiteRole.CONTRALATERAL, (0, 0.0))[1],
        "midline_units": by_role.get(SiteRole.MIDLINE, (0, 0.0))[1],
        "total_volume_ml": vials_volume(vials) if vials else volume_for(total, row),
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
    statement = (
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
    )
    for rows in context.pages(statement, ASSESSMENT.c.id, "assessment_id"):
        for row in rows:
            common: dict[str, object] = {
                "assessment_id": row.assessment_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "age_years": whole_years(
                    row.date_of_birth, context.local_day(row.assessed_at)
                ),
                "sex": enum_value(row.sex),
                "session_id": row.session_id,
                "cycle_number": row.cycle_number,
                "instrument": enum_value(row.instrument),
                "timepoint": enum_value(row.timepoint),
                "assessed_at": row.assessed_at,
                "formula_version": row.formula_version,
                "assessor": "patient" if row.self_entered else enum_value(row.role),
            }
            for component, number, text in _score_parts(row.total, row.scores or {}):
                yield {
                    **common,
                    "component": component,
                    "value": number,
                    "value_text": text,
                }


def _adverse_rows(context: ExportContext) -> Rows:
    statement = select(
        ADVERSE.c.id.label("adverse_event_id"),
        ADVERSE.c.session_id,
        ADVERSE.c.kind,
        ADVERSE.c.severity,
        ADVERSE.c.description,
        ADVERSE.c.onset_date,
        ADVERSE.c.resolved_date,
        ADVERSE.c.recorded_at,
        ADVERSE.c.diary_entry_id,
        DIARY.c.entered_at.label("reported_at"),
        SESSION.c.patient_id,
        SESSION.c.cycle_number,
        SESSION.c.performed_at,
    ).join_from(ADVERSE, SESSION, SESSION.c.id == ADVERSE.c.session_id)
    # An event recorded from the patient's diary says so, and on which day.
    statement = statement.outerjoin(DIARY, DIARY.c.id == ADVERSE.c.diary_entry_id)
    for rows in context.pages(statement, ADVERSE.c.id, "adverse_event_id"):
        for row in rows:
            onset: date | None = row.onset_date
            yield {
                "adverse_event_id": row.adverse_event_id,
                "session_id": row.session_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "cycle_number": row.cycle_number,
                "kind": enum_value(row.kind),
                "severity": enum_value(row.severity),
                "description": row.description,
                "onset_date": onset,
                "resolved_date": row.resolved_date,
                "onset_days_after_session": None
                if onset is None
                else (onset - context.local_day(row.performed_at)).days,
                "recorded_at": row.recorded_at,
                "diary_entry_id": row.diary_entry_id,
                "reported_in_diary_on": None
                if row.reported_at is None
                else context.local_day(row.reported_at),
            }


# Each file's row builder, and the table whose records it exports (for the audit).
SOURCES: dict[str, tuple[Callable[[ExportContext], Rows], Table]] = {
    "sites": (_site_rows, SITE),
    "sessions": (_session_rows, SESSION),
    "scores": (_score_rows, ASSESSMENT),
    "adverse_events": (_adverse_rows, ADVERSE),
    "photo_measurements": (photo_measurement_rows, PHOTO),
    "procedures": (procedure_rows, PROCEDURE),
}
