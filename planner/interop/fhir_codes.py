"""FHIR code systems, extension URLs and the small datatypes the export writes.

Pure: no flask, no database. Local code systems and extensions live under
``BASE`` (``planner.example`` is a reserved example domain).
"""

import math
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

Resource = dict[str, Any]

BASE = "https://planner.example/fhir"
MUSCLE_SYSTEM = f"{BASE}/CodeSystem/face-muscle"
PRODUCT_SYSTEM = f"{BASE}/CodeSystem/toxin-product"
PROCEDURE_SYSTEM = f"{BASE}/CodeSystem/procedure"
INSTRUMENT_SYSTEM = f"{BASE}/CodeSystem/outcome-instrument"
SCORE_SYSTEM = f"{BASE}/CodeSystem/outcome-score"
HOUSE_BRACKMANN_SYSTEM = f"{BASE}/CodeSystem/house-brackmann-grade"
APPOINTMENT_KIND_SYSTEM = f"{BASE}/CodeSystem/appointment-kind"
INJECTION_POINT = f"{BASE}/StructureDefinition/injection-point"
TREATMENT_CYCLE = f"{BASE}/StructureDefinition/treatment-cycle"
ASSESSMENT_CONTEXT = f"{BASE}/StructureDefinition/assessment-context"
APPOINTMENT_DUE = f"{BASE}/StructureDefinition/appointment-due-date"

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
LATERALITY = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
)
# SNOMED CT qualifier values (market.md §5), from the patient's point of view.
LATERALITY_CODES: Mapping[str, tuple[str, str]] = {
    "right": ("24028007", "Right"),
    "left": ("7771000", "Left"),
}
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ROUTE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"

PROCEDURE_CODE = "botulinum-toxin-injection"
SESSION_STATUS = {"signed": "completed", "draft": "in-progress"}
SESSION_KINDS = {"full": "full treatment", "top_up": "top-up"}
APPOINTMENT_STATUS = {
    "proposed": "proposed",
    "booked": "booked",
    "attended": "fulfilled",
    "missed": "noshow",
    "cancelled": "cancelled",
}
# R4 invariant app-3: only these may lack a start and end.
UNSCHEDULED_STATUSES = frozenset({"proposed", "cancelled"})
APPOINTMENT_KINDS = {
    "treatment": "Treatment",
    "review": "Review",
    "assessment": "Assessment",
    "other": "Appointment",
}
TIMEPOINTS = {
    "baseline": "Baseline",
    "review": "Review",
    "pre_treatment": "Pre-treatment",
    "wear_off": "Wear-off",
    "other": "Other",
}


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def trimmed(value: str | None) -> str | None:
    """Return trimmed text, or None for blank: FHIR strings are never empty."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def compact(value: Any) -> Any:
    """Drop None and empty strings, lists and objects: FHIR forbids empty elements."""
    if isinstance(value, dict):
        kept = {key: compact(item) for key, item in value.items()}
        return {
            key: item for key, item in kept.items() if item not in (None, "", [], {})
        }
    if isinstance(value, list):
        items = [compact(item) for item in value]
        return [item for item in items if item not in (None, "", [], {})]
    return value


def coding(system: str, code: str, display: str | None = None) -> Resource:
    return {"system": system, "code": code, "display": display}


def concept(*codings: Resource, text: str | None = None) -> Resource:
    return {"coding": list(codings), "text": text}


def score_quantity(value: float) -> Resource:
    if not math.isfinite(value):
        raise ValueError(f"a score must be a finite number, got {value!r}")
    return {"value": value, "unit": "score", "system": UCUM, "code": "{score}"}


def absent() -> Resource:
    return {"coding": [coding(DATA_ABSENT, "not-applicable", "Not Applicable")]}


def key_label(key: str) -> str:
    return key.replace("_", " ").capitalize()
