"""Facial therapy courses and surgical procedures as FHIR R4 ``Procedure`` resources.

Pure: no flask, no database. Codes come only from what the project already holds:
the local procedure and face-muscle code systems, the face map's checked SNOMED CT
muscle concepts and the laterality qualifiers of ``fhir_codes``; no other SNOMED
CT concept is given for therapy or surgery, so they travel as local codes and text
(issue 22). The therapist and the surgeon are named by display only: they are not
users of this clinic.
"""

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from planner.interop.fhir_codes import LATERALITY
from planner.interop.fhir_codes import LATERALITY_CODES
from planner.interop.fhir_codes import MUSCLE_SYSTEM
from planner.interop.fhir_codes import PROCEDURE_SYSTEM
from planner.interop.fhir_codes import SNOMED
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import trimmed
from planner.vocabulary import label

THERAPY_CATEGORY = "facial-therapy"
SURGERY_CATEGORY = "synkinesis-surgery"


@dataclass(frozen=True)
class TherapyCourseRecord:
    """A course of NMRT or facial physiotherapy; ``ended_on`` None while ongoing."""

    id: int
    kind: str
    started_on: date
    ended_on: date | None
    therapist: str
    home_programme: str | None = None
    sessions_attended: int | None = None


@dataclass(frozen=True)
class SurgeryRecord:
    """A surgical procedure; ``side`` left, right or bilateral; face-map muscles."""

    id: int
    kind: str
    side: str
    performed_on: date
    surgeon: str
    note: str | None = None
    muscles: tuple[str, ...] = ()


class _Muscle(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def snomed(self) -> str: ...


def therapy_procedure(course: TherapyCourseRecord, patient: Resource) -> Resource:
    """Return a therapy course as a Procedure over its period."""
    name = label("therapy_kind", course.kind)
    notes = [{"text": trimmed(course.home_programme)}]
    if course.sessions_attended is not None:
        notes.append({"text": f"Sessions attended: {course.sessions_attended}"})
    return {
        "resourceType": "Procedure",
        "status": "in-progress" if course.ended_on is None else "completed",
        "category": concept(
            coding(PROCEDURE_SYSTEM, THERAPY_CATEGORY, "Facial therapy"),
            text="Facial therapy",
        ),
        "code": concept(coding(PROCEDURE_SYSTEM, course.kind, name), text=name),
        "subject": patient,
        "performedPeriod": {
            "start": course.started_on.isoformat(),
            "end": course.ended_on.isoformat() if course.ended_on else None,
        },
        "performer": [{"actor": {"display": course.therapist}}],
        "bodySite": [{"text": "Face"}],
        "note": notes,
    }


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "bilateral" else (side,)


def body_sites(
    record: SurgeryRecord, muscle: Callable[[str], _Muscle]
) -> list[Resource]:
    """Return one body site per muscle and side, with its laterality."""
    found = []
    for key in record.muscles:
        info = muscle(key)
        codings = [coding(SNOMED, info.snomed)] if info.snomed else []
        codings.append(coding(MUSCLE_SYSTEM, info.code, info.name))
        for side in _sides(record.side):
            code, display = LATERALITY_CODES[side]
            found.append(
                {
                    "extension": [
                        {
                            "url": LATERALITY,
                            "valueCodeableConcept": concept(
                                coding(SNOMED, code, display), text=side
                            ),
                        }
                    ]
                }
                | concept(*codings, text=f"{info.name}, {side}")
            )
    return found or [{"text": f"Face, {label('affected_side', record.side).lower()}"}]


def surgery_procedure(
    record: SurgeryRecord, patient: Resource, muscle: Callable[[str], _Muscle]
) -> Resource:
    """Return a surgical procedure with a body site per muscle and side."""
    name = label("procedure_kind", record.kind)
    return {
        "resourceType": "Procedure",
        "status": "completed",
        "category": concept(
            coding(PROCEDURE_SYSTEM, SURGERY_CATEGORY, "Surgery for synkinesis"),
            text="Surgery for synkinesis",
        ),
        "code": concept(
            coding(PROCEDURE_SYSTEM, record.kind, name),
            text=f"{name}, {label('affected_side', record.side).lower()}",
        ),
        "subject": patient,
        "performedDateTime": record.performed_on.isoformat(),
        "performer": [{"actor": {"display": record.surgeon}}],
        "bodySite": body_sites(record, muscle),
        "note": [{"text": trimmed(record.note)}],
    }


class _Export(Protocol):
    @property
    def therapy(self) -> Iterable[TherapyCourseRecord]: ...

    @property
    def surgery(self) -> Iterable[SurgeryRecord]: ...


class _Builder(Protocol):
    """What the Bundle's builder lends: its export, entries, patient and muscles."""

    @property
    def export(self) -> _Export: ...

    @property
    def patient_ref(self) -> Resource: ...

    def entry(self, table: str, row_id: int, resource: Resource) -> Resource: ...

    def muscle(self, key: str) -> _Muscle: ...


def other_entries(builder: _Builder) -> list[Resource]:
    """Return the Bundle entries of a patient's therapy courses and procedures."""
    patient = builder.patient_ref
    entries = [
        builder.entry("therapy_course", c.id, therapy_procedure(c, patient))
        for c in builder.export.therapy
    ]
    entries += [
        builder.entry("procedure", p.id, surgery_procedure(p, patient, builder.muscle))
        for p in builder.export.surgery
    ]
    return entries
