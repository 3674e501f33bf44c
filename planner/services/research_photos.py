"""The research export's photo measurements: rows from the marked points.

Only patients whose photography consent in force is ``teaching`` (clinical
record, teaching and research) are exported; withdrawn or clinical-only consent
keeps a patient out. The research consent is checked for every file at once
(``research_export``): without it no photo row leaves either. Photos are read a
page at a time, with the other photos of their visits (for the view at rest
and the pupil distance), and measured as the compare page measures them.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import Row
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import tuple_

from planner import photometry
from planner.models.photos import Photo
from planner.models.photos import PhotoConsentRecord
from planner.services.photo_measures import visit_measures
from planner.services.research_context import PATIENT
from planner.services.research_context import SESSION
from planner.services.research_context import ExportContext
from planner.services.research_context import Rows
from planner.services.research_context import enum_value
from planner.services.research_context import table_of
from planner.vocabulary import AffectedSide
from planner.vocabulary import PhotoConsent

PHOTO = table_of(Photo)
CONSENT = table_of(PhotoConsentRecord)
_MEASURED = (PHOTO.c.id, PHOTO.c.view_code, PHOTO.c.points, PHOTO.c.ruler_mm)


def scale_code(scale: photometry.Scale) -> str:
    """Return the file's code for a scale: a pupil distance says what measured it."""
    if scale.source == "pupil distance":
        return f"pupil_distance_{scale.kind}"
    return scale.source


def _teaching_patients() -> Any:
    latest = select(func.max(CONSENT.c.id)).group_by(CONSENT.c.patient_id)
    return select(CONSENT.c.patient_id).where(
        CONSENT.c.id.in_(latest), CONSENT.c.consent == PhotoConsent.TEACHING
    )


def _visits(
    context: ExportContext, rows: list[Row[Any]]
) -> dict[tuple[int, str], list[Row[Any]]]:
    """Return every photo of the page's visits, by (cycle session, timepoint)."""
    keys = {(row.session_id, row.timepoint) for row in rows}
    found: dict[tuple[int, str], list[Row[Any]]] = defaultdict(list)
    for photo in context.in_ids(
        select(*_MEASURED, PHOTO.c.session_id, PHOTO.c.timepoint).where(
            tuple_(PHOTO.c.session_id, PHOTO.c.timepoint).in_(keys)
        )
    ):
        found[(photo.session_id, photo.timepoint)].append(photo)
    return found


def photo_measurement_rows(context: ExportContext) -> Rows:
    """Yield one row per measurement of each measurable photo."""
    statement = (
        select(
            *_MEASURED,
            PHOTO.c.id.label("photo_id"),
            PHOTO.c.patient_id,
            PHOTO.c.session_id,
            PHOTO.c.timepoint,
            PHOTO.c.taken_at,
            SESSION.c.cycle_number,
            PATIENT.c.affected_side,
        )
        .join_from(PHOTO, SESSION, SESSION.c.id == PHOTO.c.session_id)
        .join(PATIENT, PATIENT.c.id == PHOTO.c.patient_id)
        .where(PHOTO.c.patient_id.in_(_teaching_patients()))
    )
    for page in context.pages(statement, PHOTO.c.id, "photo_id"):
        visits = _visits(context, list(page))
        for row in page:
            found = visit_measures(row, visits[(row.session_id, row.timepoint)])
            if found.scale is None:
                continue
            common: dict[str, object] = {
                "photo_id": row.photo_id,
                "patient_ref": context.patient_ref(row.patient_id),
                "session_id": row.session_id,
                "cycle_number": row.cycle_number,
                "timepoint": enum_value(row.timepoint),
                "view": row.view_code,
                "taken_at": row.taken_at,
                "affected_side": enum_value(row.affected_side),
            }
            for measure, pair in found.values:
                # A movement is measured by the scale it shares with the rest photo.
                scale = (
                    found.movement_scale
                    if measure == "commissure_movement"
                    else found.scale
                )
                if scale is None or (pair.right is None and pair.left is None):
                    continue
                compared = pair.compared(AffectedSide(row.affected_side))
                yield {
                    **common,
                    "scale_source": scale_code(scale),
                    "measure": measure,
                    "right_mm": pair.right,
                    "left_mm": pair.left,
                    "affected_minus_healthy_mm": compared.difference,
                    "affected_to_healthy_ratio": compared.ratio,
                }
