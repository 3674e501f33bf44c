"""Read patients' therapy courses and procedures into the FHIR export's records."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.interop.fhir_other import SurgeryRecord
from planner.interop.fhir_other import TherapyCourseRecord
from planner.interop.fhir_records import PatientExport
from planner.models.therapy import Procedure
from planner.models.therapy import TherapyCourse


def with_other_treatments(
    session: Session, exports: Sequence[PatientExport]
) -> list[PatientExport]:
    """Return the exports with each patient's therapy courses and procedures added."""
    ids = [export.patient.id for export in exports]
    therapy: dict[int, list[TherapyCourseRecord]] = defaultdict(list)
    for course in session.exec(
        select(TherapyCourse)
        .where(col(TherapyCourse.patient_id).in_(ids))
        .order_by(col(TherapyCourse.started_on), col(TherapyCourse.id))
    ):
        therapy[course.patient_id].append(
            TherapyCourseRecord(
                id=course.id or 0,
                kind=course.kind.value,
                started_on=course.started_on,
                ended_on=course.ended_on,
                therapist=course.therapist,
                home_programme=course.home_programme,
                sessions_attended=course.sessions_attended,
            )
        )
    surgery: dict[int, list[SurgeryRecord]] = defaultdict(list)
    for row in session.exec(
        select(Procedure)
        .where(col(Procedure.patient_id).in_(ids))
        .order_by(col(Procedure.performed_on), col(Procedure.id))
    ):
        surgery[row.patient_id].append(
            SurgeryRecord(
                id=row.id or 0,
                kind=row.kind.value,
                side=row.side.value,
                performed_on=row.performed_on,
                surgeon=row.surgeon,
                note=row.note,
                muscles=tuple(row.muscles),
            )
        )
    return [
        replace(
            export,
            therapy=tuple(therapy[export.patient.id]),
            surgery=tuple(surgery[export.patient.id]),
        )
        for export in exports
    ]
