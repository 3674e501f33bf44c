"""What the patient page shows of therapy courses and procedures, and their forms."""

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlmodel import Session

from planner.facemap import current_edition
from planner.services.therapy import ProcedureEntry
from planner.services.therapy import TherapyEntry
from planner.services.therapy import list_procedures
from planner.services.therapy import list_therapy_courses
from planner.vocabulary import LABELS


@dataclass(frozen=True)
class TherapyPage:
    """The patient page's therapy and procedure sections."""

    courses: list[TherapyEntry]
    procedures: list[ProcedureEntry]
    # Face-map muscle codes and names, in the map's order, for the procedure form.
    muscle_options: dict[str, str]
    therapy_kinds: dict[str, str] = field(
        default_factory=lambda: dict(LABELS["therapy_kind"])
    )
    procedure_kinds: dict[str, str] = field(
        default_factory=lambda: dict(LABELS["procedure_kind"])
    )
    sides: dict[str, str] = field(default_factory=lambda: dict(LABELS["affected_side"]))


def muscle_options() -> dict[str, str]:
    """Return the current face map's muscles, code to name, in the map's order."""
    return {muscle.code: muscle.name for muscle in current_edition().muscles}


def therapy_context(session: Session, patient_id: int) -> dict[str, Any]:
    """Return the template variables of the therapy and procedure sections."""
    return {
        "therapy": TherapyPage(
            courses=list_therapy_courses(session, patient_id),
            procedures=list_procedures(session, patient_id),
            muscle_options=muscle_options(),
        ),
        "therapy_data": {},
        "therapy_errors": {},
        "procedure_data": {},
        "procedure_errors": {},
    }
